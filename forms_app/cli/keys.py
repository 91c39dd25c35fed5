"""keys rotate, keys retire, keys generate."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from forms_app.crypto import KeyConfigurationError


@click.group("keys")
def keys_group() -> None:
    """Manage encryption keys."""


@keys_group.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--resume",
    is_flag=True,
    help="Re-encrypt under the current primary key without adding a new one (after an interruption).",
)
@with_appcontext
def rotate_command(batch_size: int, resume: bool) -> None:
    """Add a new data key and re-encrypt every encrypted value under it, in batches."""
    from forms_app import _install_crypto
    from forms_app.crypto import LocalKeyProvider
    from forms_app.keys.rotation import rotate

    provider = current_app.extensions["saferforms.key_provider"]
    if resume:
        pass
    elif isinstance(provider, LocalKeyProvider):
        key_id = provider.add_data_key()
        _install_crypto(current_app, "cli")
        click.echo(f"Added data key {key_id}; it is now the primary key.")
    else:
        # Keys from the environment: the operator has put the new key first in
        # SAFERFORMS_DATA_KEYS on every process; rotation moves every value onto it.
        click.echo("Keys come from the environment: re-encrypting under the first key listed.")
    keyring = current_app.extensions["saferforms.crypto"].keyring

    def report(table: str, scanned: int, rewritten: int) -> None:
        click.echo(
            f"  {table}: {scanned} rows checked, {rewritten} values re-encrypted",
            err=not sys.stdout.isatty(),
        )

    result = rotate(batch_size=batch_size, progress=report)
    click.echo(
        f"Rotation to key {keyring.primary_id} finished: {result.rewritten} values re-encrypted."
    )
    old = [k for k in keyring.key_ids if k != keyring.primary_id]
    if old:
        click.echo("Older keys can now be removed: saferforms keys retire " + " ".join(old))


@keys_group.command("retire")
@click.argument("key_id")
@with_appcontext
def retire_command(key_id: str) -> None:
    """Remove an old data key once no stored value uses it."""
    from forms_app.keys.rotation import count_values_under

    keyring = current_app.extensions["saferforms.crypto"].keyring
    if key_id == keyring.primary_id:
        raise click.ClickException("the primary key cannot be retired: rotate to a new key first")
    if key_id not in keyring.key_ids:
        raise click.ClickException(f"there is no data key {key_id!r}")
    remaining = count_values_under(key_id)
    if remaining:
        raise click.ClickException(
            f"{remaining} stored values still use key {key_id}: run `saferforms keys rotate --resume` first"
        )
    try:
        current_app.extensions["saferforms.key_provider"].remove_data_key(key_id)
    except KeyConfigurationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Key {key_id} removed.")


@keys_group.command("generate")
def generate_command() -> None:
    """Print new key material for SAFERFORMS_KEY_PROVIDER=env (keep it secret)."""
    from forms_app.crypto.providers import generate_env_keys

    for name, value in generate_env_keys().items():
        click.echo(f"{name}={value}")
