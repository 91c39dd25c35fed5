"""saferforms dedupe train, saferforms dedupe reindex"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

# The tables of duplicate checking join the schema wherever the commands are registered.
import forms_app.matching.models  # noqa: F401


@click.group("dedupe")
def dedupe_group() -> None:
    """Duplicate checking."""


@dedupe_group.command("train")
@click.option(
    "--sample",
    default=20_000,
    show_default=True,
    type=click.IntRange(min=2),
    help="How many person records to learn from (chosen at random).",
)
@click.option("--seed", default=0, show_default=True, help="Seed for choosing the sample.")
@with_appcontext
def dedupe_train_command(sample: int, seed: int) -> None:
    """Learn how much each field says about a match from the records held (no labels needed).

    The model is stored in the database and used for every match from then on.
    """
    from forms_app.extensions import db
    from forms_app.matching.service import NotEnoughData, train_from_store

    try:
        training = train_from_store(db.session(), sample=sample, seed=seed)
    except NotEnoughData as error:
        raise click.ClickException(
            f"Not enough records to learn from yet: {error}. The model in use stays."
        ) from None
    db.session.commit()
    trained = training.parameters.trained_on
    state = "converged" if training.converged else "stopped before converging"
    click.echo(
        f"Trained on {trained.get('candidate_pairs', 0)} candidate pairs and "
        f"{trained.get('random_pairs', 0)} random pairs ({state} after "
        f"{training.iterations} iterations). The new model is in use."
    )


@dedupe_group.command("reindex")
@with_appcontext
def dedupe_reindex_command() -> None:
    """Rebuild the blind-index rows of every person and address from their encrypted fields.

    Run it once after an upgrade that changes the blocking keys (the release notes say so);
    until then the people held are not found by matching.
    """
    from forms_app.extensions import db
    from forms_app.matching.service import reindex_all

    people, addresses = reindex_all(db.session())
    click.echo(f"Reindexed {people} person records and {addresses} addresses.")


__all__ = ["dedupe_group", "dedupe_reindex_command", "dedupe_train_command"]
