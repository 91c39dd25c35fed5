"""Field encryption: round trips, tampering, row and column binding, key ids."""

from __future__ import annotations

import os
import stat

import pytest

from forms_app.crypto import (
    BlindIndexer,
    DecryptionError,
    FieldContext,
    KeyConfigurationError,
    Keyring,
    UnknownKeyError,
)
from forms_app.crypto.keyring import key_id_of
from forms_app.crypto.providers import EnvKeyProvider, LocalKeyProvider, generate_env_keys

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
CONTEXT = FieldContext("person", "last_name", "row-1")


def test_a_value_decrypts_to_what_was_encrypted() -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    blob = keyring.encrypt("Siân Llŷr-Jones".encode(), CONTEXT)
    assert keyring.decrypt(blob, CONTEXT).decode() == "Siân Llŷr-Jones"


def test_the_stored_bytes_do_not_contain_the_plaintext() -> None:
    blob = Keyring({"a": KEY_A}, "a").encrypt(b"Margaret Thatcher", CONTEXT)
    assert b"Margaret" not in blob


def test_encrypting_twice_gives_different_bytes() -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    assert keyring.encrypt(b"same", CONTEXT) != keyring.encrypt(b"same", CONTEXT)


def test_the_ciphertext_names_its_key() -> None:
    blob = Keyring({"k2026": KEY_A}, "k2026").encrypt(b"x", CONTEXT)
    assert key_id_of(blob) == "k2026"


@pytest.mark.parametrize("position", [0, 1, 5, 20, -1])
def test_a_tampered_byte_fails_to_decrypt(position: int) -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    blob = bytearray(keyring.encrypt(b"01234567890", CONTEXT))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        keyring.decrypt(bytes(blob), CONTEXT)


def test_a_value_copied_to_another_row_fails_to_decrypt() -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    blob = keyring.encrypt(b"Smith", CONTEXT)
    with pytest.raises(DecryptionError):
        keyring.decrypt(blob, FieldContext("person", "last_name", "row-2"))


def test_a_value_copied_to_another_column_fails_to_decrypt() -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    blob = keyring.encrypt(b"Smith", CONTEXT)
    with pytest.raises(DecryptionError):
        keyring.decrypt(blob, FieldContext("person", "first_name", "row-1"))


def test_a_value_relabelled_with_another_key_id_fails() -> None:
    keyring = Keyring({"a": KEY_A, "b": KEY_A}, "a")
    blob = keyring.encrypt(b"Smith", CONTEXT)
    relabelled = bytes((1, 1)) + b"b" + blob[3:]
    with pytest.raises(DecryptionError):
        keyring.decrypt(relabelled, CONTEXT)


def test_a_value_under_an_unknown_key_says_so() -> None:
    blob = Keyring({"old": KEY_A}, "old").encrypt(b"x", CONTEXT)
    with pytest.raises(UnknownKeyError):
        Keyring({"new": KEY_B}, "new").decrypt(blob, CONTEXT)


def test_decryption_errors_never_quote_the_value() -> None:
    keyring = Keyring({"a": KEY_A}, "a")
    blob = bytearray(keyring.encrypt(b"Secret Surname", CONTEXT))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError) as raised:
        keyring.decrypt(bytes(blob), CONTEXT)
    assert "Secret" not in str(raised.value)


def test_garbage_is_an_error_not_a_plaintext_fallback() -> None:
    with pytest.raises(DecryptionError):
        Keyring({"a": KEY_A}, "a").decrypt(b"plain text in the column", CONTEXT)


def test_an_old_key_still_decrypts_after_a_new_primary_is_added() -> None:
    old = Keyring({"old": KEY_A}, "old")
    blob = old.encrypt(b"kept", CONTEXT)
    both = Keyring({"new": KEY_B, "old": KEY_A}, "new")
    assert both.decrypt(blob, CONTEXT) == b"kept"
    assert key_id_of(both.encrypt(b"kept", CONTEXT)) == "new"


def test_a_short_key_is_refused() -> None:
    with pytest.raises(KeyConfigurationError):
        Keyring({"a": b"short"}, "a")


def test_blind_index_is_equal_for_equal_values_and_differs_by_kind() -> None:
    indexer = BlindIndexer(b"i" * 32)
    assert indexer.full("email", "a@example.com") == indexer.full("email", "a@example.com")
    assert indexer.full("email", "a@example.com") != indexer.full("email", "b@example.com")
    assert indexer.full("email", "x") != indexer.full("phone", "x")


def test_blind_index_key_is_separate_from_the_data_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = LocalKeyProvider(tmp_path)
    provider.ensure()
    material = provider.load()
    assert material.index_key not in material.data_keys.values()
    # Knowing a data key does not let anyone recompute the index.
    data_key = next(iter(material.data_keys.values()))
    assert BlindIndexer(data_key).full("email", "x@y.z") != BlindIndexer(material.index_key).full(
        "email", "x@y.z"
    )


def test_a_different_index_key_gives_unrelated_tokens() -> None:
    assert BlindIndexer(b"a" * 32).full("email", "x@y.z") != BlindIndexer(b"b" * 32).full(
        "email", "x@y.z"
    )


def test_local_keys_are_created_once_with_owner_only_rights(tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = LocalKeyProvider(tmp_path)
    assert provider.ensure() is True
    first = provider.load()
    assert provider.ensure() is False
    assert provider.load().data_keys == first.data_keys
    for path in (provider.keys_file, provider.intake_private_file):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(provider.folder).st_mode) == 0o700


def test_a_corrupt_key_file_gives_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = LocalKeyProvider(tmp_path)
    provider.ensure()
    provider.keys_file.write_text("{not json")
    with pytest.raises(KeyConfigurationError, match="keys.json"):
        provider.load()


def test_environment_keys_load_and_missing_ones_are_named() -> None:
    env = generate_env_keys()
    material = EnvKeyProvider(env).load()
    assert material.intake_private is not None
    web_env = {k: v for k, v in env.items() if k != "SAFERFORMS_INTAKE_PRIVATE_KEY"}
    assert EnvKeyProvider(web_env).load().intake_private is None
    with pytest.raises(KeyConfigurationError, match="SAFERFORMS_INDEX_KEY"):
        EnvKeyProvider({k: v for k, v in env.items() if k != "SAFERFORMS_INDEX_KEY"}).load()


def test_a_malformed_environment_key_names_the_variable() -> None:
    env = generate_env_keys() | {"SAFERFORMS_INDEX_KEY": "not base64!"}
    with pytest.raises(KeyConfigurationError, match="SAFERFORMS_INDEX_KEY"):
        EnvKeyProvider(env).load()
