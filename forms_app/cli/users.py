"""users create, users set-password, users disable."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from forms_app.models import Role

ROLE_NAMES = [role.value for role in Role]


@click.group("users")
def users_group() -> None:
    """Manage staff accounts."""


def _read_password(from_stdin: bool, prompt: str) -> str:
    """A password from standard input's first line, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt="Repeat the password"))


@users_group.command("create")
@click.option("--email", required=True, help="The person's work email address.")
@click.option("--name", "display_name", required=True, help="The person's name, as staff see it.")
@click.option(
    "--team",
    "team_spec",
    required=True,
    metavar="TEAM_SLUG",
    help="The team's slug, or ORGANISATION/TEAM when the slug is not unique.",
)
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@click.option(
    "--totp", "with_totp", is_flag=True, help="Set up security codes and print the key to enrol."
)
@with_appcontext
def create_command(
    email: str, display_name: str, team_spec: str, role: str, password_stdin: bool, with_totp: bool
) -> None:
    """Add a member of staff to a team with a role."""
    from forms_app.auth import service, totp

    try:
        team = service.find_team(team_spec)
        password = _read_password(password_stdin, "Password")
        service.check_password_policy(password)
        user, secret = service.create_user(
            email=email,
            display_name=display_name,
            password=password,
            team=team,
            role=Role(role),
            with_totp=with_totp,
        )
    except service.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the account for {user.display_name} in {team.name} ({role}).")
    if secret is not None:
        issuer = current_app.config["PARTNERSHIP_NAME"]
        click.echo("Give these to the person privately; they are not shown again.")
        click.echo(f"  Authenticator key: {totp.grouped(secret)}")
        click.echo(f"  Link for the app:  {totp.provisioning_uri(secret, user.email, issuer)}")


@users_group.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password and sign it out everywhere."""
    from forms_app.auth import service

    password = _read_password(password_stdin, "New password")
    try:
        ended = service.set_password(email, password)
    except service.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Set the new password and ended {ended} signed-in session(s).")


@users_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str) -> None:
    """Disable an account and sign it out everywhere at once."""
    from forms_app.auth import service

    try:
        ended = service.disable_user(email)
    except service.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled the account and ended {ended} signed-in session(s).")
