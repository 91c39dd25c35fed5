"""Encrypted model fields in a real database, and key rotation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from forms_app.crypto import DecryptionError
from forms_app.crypto.keyring import key_id_of
from forms_app.extensions import db
from forms_app.models import Address, Person


def _person(**fields):  # type: ignore[no-untyped-def]
    defaults = {"first_name": "Gwen", "last_name": "Pritchard", "date_of_birth": date(1961, 2, 14)}
    person = Person(**(defaults | fields))
    db.session.add(person)
    db.session.commit()
    return person


def test_code_reads_and_writes_plaintext_while_the_database_holds_ciphertext(db_session) -> None:
    person = _person(email="gwen@example.org")
    person_id = person.id
    db.session.expire_all()
    raw = db.session.execute(
        sa.text("SELECT last_name, email FROM person WHERE id = :id"), {"id": person_id}
    ).one()
    assert b"Pritchard" not in bytes(raw[0])
    assert b"gwen@" not in bytes(raw[1])
    fresh = db.session.get(Person, person_id)
    assert fresh.last_name == "Pritchard"
    assert fresh.date_of_birth == date(1961, 2, 14)
    assert fresh.email == "gwen@example.org"
    assert fresh.phone is None


def test_a_value_swapped_between_rows_in_the_database_fails_to_decrypt(db_session) -> None:
    first = _person(last_name="Evans")
    second = _person(last_name="Hughes")
    first_id, second_id = first.id, second.id
    stolen = db.session.execute(
        sa.text("SELECT last_name FROM person WHERE id = :id"), {"id": first_id}
    ).scalar_one()
    db.session.execute(
        sa.text("UPDATE person SET last_name = :v WHERE id = :id"), {"v": stolen, "id": second_id}
    )
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        _ = db.session.get(Person, second_id).last_name


def test_a_value_swapped_between_columns_fails_to_decrypt(db_session) -> None:
    person = _person(first_name="Rhys", last_name="Morgan")
    person_id = person.id
    db.session.execute(
        sa.text("UPDATE person SET first_name = last_name WHERE id = :id"), {"id": person_id}
    )
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        _ = db.session.get(Person, person_id).first_name


def _all_values() -> list[object]:
    db.session.expire_all()
    values: list[object] = []
    for person in db.session.scalars(sa.select(Person).order_by(Person.id)):
        values += [person.first_name, person.last_name, person.date_of_birth]
    for address in db.session.scalars(sa.select(Address).order_by(Address.id)):
        values += [address.line_1, address.postcode]
    return values


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_then_go(app, runner) -> None:
    with app.app_context():
        for i in range(7):
            _person(first_name=f"Person {i}")
        db.session.add(Address(line_1="1 High Street", postcode="CF10 1AA"))
        db.session.commit()
        before = _all_values()
        old_key = app.extensions["saferforms.crypto"].keyring.primary_id

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted" in result.output

    with app.app_context():
        new_key = app.extensions["saferforms.crypto"].keyring.primary_id
        assert new_key != old_key
        blobs = db.session.execute(sa.select(Person.first_name_enc, Person.last_name_enc)).all()
        assert {key_id_of(b) for row in blobs for b in row} == {new_key}
        assert _all_values() == before

    retired = runner.invoke(args=["keys", "retire", old_key])
    assert retired.exit_code == 0, retired.output
    with app.app_context():
        from forms_app import _install_crypto

        _install_crypto(app, "cli")
        assert old_key not in app.extensions["saferforms.crypto"].keyring.key_ids
        assert _all_values() == before


def test_an_old_key_cannot_be_retired_while_values_still_use_it(app, runner) -> None:
    with app.app_context():
        _person()
        old_key = app.extensions["saferforms.crypto"].keyring.primary_id
        app.extensions["saferforms.key_provider"].add_data_key()
        from forms_app import _install_crypto

        _install_crypto(app, "cli")  # as a new `saferforms` process would load them
    result = runner.invoke(args=["keys", "retire", old_key])
    assert result.exit_code != 0
    assert "still use key" in result.output


def test_an_interrupted_rotation_leaves_every_value_readable_and_resumes(
    app, runner, monkeypatch
) -> None:
    from forms_app.keys import rotation

    with app.app_context():
        for i in range(10):
            _person(first_name=f"Interrupted {i}")
        before = _all_values()

    real_batches = rotation._batches

    def interrupted_batches(model, after, size):  # type: ignore[no-untyped-def]
        for number, batch in enumerate(real_batches(model, after, size)):
            if model is Person and number == 2:
                raise KeyboardInterrupt("power cut part way through the person table")
            yield batch

    with app.app_context():
        app.extensions["saferforms.key_provider"].add_data_key()
        from forms_app import _install_crypto

        _install_crypto(app, "cli")
        monkeypatch.setattr(rotation, "_batches", interrupted_batches)
        with pytest.raises(KeyboardInterrupt):
            rotation.rotate(batch_size=2)
        monkeypatch.undo()
        db.session.rollback()
        keyring = app.extensions["saferforms.crypto"].keyring
        used = {key_id_of(b) for (b,) in db.session.execute(sa.select(Person.first_name_enc))}
        assert len(used) == 2, "the interruption should leave a mix of old and new keys"
        assert _all_values() == before

    resumed = runner.invoke(args=["keys", "rotate", "--resume", "--batch-size", "2"])
    assert resumed.exit_code == 0, resumed.output
    with app.app_context():
        used = {key_id_of(b) for (b,) in db.session.execute(sa.select(Person.first_name_enc))}
        assert used == {keyring.primary_id}
        assert _all_values() == before


def test_a_resumed_rotation_rewrites_values_written_under_the_old_key_after_its_pass(
    app, runner
) -> None:
    """A process that has not reloaded the keys writes under the old key into a table the
    rotation has already finished; `--resume` still moves it, so the old key can be retired."""
    from forms_app import _install_crypto
    from forms_app.crypto import Crypto
    from forms_app.keys import rotation

    with app.app_context():
        for i in range(4):
            _person(first_name=f"Before {i}")
        stale_process = app.extensions["saferforms.crypto"]  # the keys a running worker holds
        old_key = stale_process.keyring.primary_id
        app.extensions["saferforms.key_provider"].add_data_key()
        _install_crypto(app, "cli")
        rotation.rotate(batch_size=2)
        fresh: Crypto = app.extensions["saferforms.crypto"]

        app.extensions["saferforms.crypto"] = stale_process
        late = _person(first_name="Written by a worker with the old keys")
        late_id = late.id
        app.extensions["saferforms.crypto"] = fresh
        db.session.expire_all()
        assert key_id_of(db.session.get(Person, late_id).first_name_enc) == old_key

    refused = runner.invoke(args=["keys", "retire", old_key])
    assert refused.exit_code != 0 and "still use key" in refused.output

    resumed = runner.invoke(args=["keys", "rotate", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    with app.app_context():
        db.session.expire_all()
        person = db.session.get(Person, late_id)
        assert key_id_of(person.first_name_enc) == fresh.keyring.primary_id
        assert person.first_name == "Written by a worker with the old keys"
    retired = runner.invoke(args=["keys", "retire", old_key])
    assert retired.exit_code == 0, retired.output
