"""`saferforms forms check|list`: validate and list form definitions without the application."""

from __future__ import annotations

from datetime import datetime

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
    """Show each form's slug, content hash and title, then the versions recorded in the database."""
    forms, problems = check_paths([str(forms_dir())])
    for slug in sorted(forms):
        form = forms[slug]
        click.echo(f"{slug}\t{form.content_hash[:12]}\t{form.title.get('en')}")
    for problem in problems:
        click.echo(str(problem), err=True)
    versions = _recorded_versions()
    if versions is None:
        click.echo(
            "Recorded versions: the database cannot be read (run `saferforms init`).", err=True
        )
    elif not versions:
        click.echo("Recorded versions: none yet (run `saferforms init`).")
    else:
        click.echo("Recorded versions (newest first):")
        for slug, content_hash, created_at, submissions in versions:
            current = (
                " (current)" if slug in forms and forms[slug].content_hash == content_hash else ""
            )
            noun = "submission" if submissions == 1 else "submissions"
            click.echo(
                f"{slug}\t{content_hash[:12]}\t{created_at:%Y-%m-%d %H:%M}\t{submissions} {noun}{current}"
            )
    if problems:
        raise SystemExit(1)


def _recorded_versions() -> list[tuple[str, str, datetime, int]] | None:
    """Every recorded form version with its submission count, or None if no database answers."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from forms_app import create_app
    from forms_app.config import ConfigError
    from forms_app.extensions import db
    from forms_app.models import FormVersion, Submission

    try:
        app = create_app(process="cli")
        with app.app_context():
            query = (
                select(
                    FormVersion.slug,
                    FormVersion.content_hash,
                    FormVersion.created_at,
                    func.count(Submission.id),
                )
                .outerjoin(Submission, Submission.form_version_id == FormVersion.id)
                .group_by(
                    FormVersion.id,
                    FormVersion.slug,
                    FormVersion.content_hash,
                    FormVersion.created_at,
                )
                .order_by(FormVersion.slug, FormVersion.created_at.desc())
            )
            rows = [(r[0], r[1], r[2], int(r[3])) for r in db.session.execute(query)]
            db.session.remove()
            db.engine.dispose()
            return rows
    except (SQLAlchemyError, ConfigError, OSError) as error:
        click.echo(f"({type(error).__name__})", err=True)
        return None
