"""`saferforms forms check|list`: validate and list form definitions without the application."""

from __future__ import annotations

import click

from forms_app.definitions import check_paths, forms_dir


@click.group("forms")
def forms_group() -> None:
    """Check and list form definitions."""


@forms_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def check_command(paths: tuple[str, ...]) -> None:
    """Validate definition files (all of the forms folder when no PATH is given)."""
    targets = list(paths) or [str(forms_dir())]
    forms, problems = check_paths(targets)
    for problem in problems:
        click.echo(str(problem), err=True)
    checked = f"{len(forms)} valid form{'s' if len(forms) != 1 else ''}"
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        click.echo(f"{checked}, {len(problems)} {noun}", err=True)
        raise SystemExit(1)
    if not forms:
        click.echo("No form definitions found", err=True)
        raise SystemExit(1)
    click.echo(f"{checked}: {', '.join(sorted(forms))}")


@forms_group.command("list")
def list_command() -> None:
    """Show each form's slug, content hash and title."""
    forms, problems = check_paths([str(forms_dir())])
    for slug in sorted(forms):
        form = forms[slug]
        click.echo(f"{slug}\t{form.content_hash[:12]}\t{form.title.get('en')}")
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
