"""saferforms dedupe train: learn from the records held, store the model, use it."""

from __future__ import annotations

import random
from dataclasses import replace

import sqlalchemy as sa

from dedupe.model import Parameters
from dedupe.records import PersonRecord
from forms_app.matching.models import DedupeModel
from forms_app.matching.service import Recorder, load_parameters

FIRST = ["Rhys", "Carys", "Gareth", "Sian", "Dylan", "Ffion", "Huw", "Megan", "Tomos", "Nia"]
LAST = ["Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis"]


def _people(count: int) -> list[PersonRecord]:
    rng = random.Random(3)
    out = []
    for _ in range(count):
        person = PersonRecord(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            date_of_birth=f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            address_line_1=f"{rng.randint(1, 90)} High Street",
            town="Bangor",
            postcode=f"LL57 {rng.randint(1, 9)}{rng.choice('ABDE')}{rng.choice('LNPQ')}",
        )
        out.append(person)
        if rng.random() < 0.3:
            out.append(replace(person))
    return out


def test_train_stores_a_model_that_matching_then_uses(runner, db_session):
    recorder = Recorder(db_session)
    for person in _people(900):
        recorder.record(person)
    recorder.flush()
    db_session.commit()
    assert load_parameters(db_session) == Parameters()

    result = runner.invoke(args=["dedupe", "train", "--sample", "5000"])
    assert result.exit_code == 0, result.output
    assert "The new model is in use." in result.output
    stored = db_session.scalars(sa.select(DedupeModel)).all()
    assert len(stored) == 1
    assert stored[0].persons >= 1000
    learned = load_parameters(db_session)
    assert learned != Parameters()
    assert learned.trained_on["candidate_pairs"] == stored[0].candidate_pairs > 0
    assert "Jones" not in stored[0].parameters


def test_train_refuses_to_learn_from_too_few_records_and_keeps_the_model(runner, db_session):
    recorder = Recorder(db_session)
    for person in _people(20):
        recorder.record(person)
    recorder.flush()
    db_session.commit()
    result = runner.invoke(args=["dedupe", "train"])
    assert result.exit_code != 0
    assert "Not enough records to learn from yet" in result.output
    assert "The model in use stays." in result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(DedupeModel)) == 0


def test_reindex_rebuilds_lost_index_rows_so_people_are_found_again(runner, db_session):
    from forms_app.models import AddressIndex, PersonIndex

    ann = PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12",
                       address_line_1="12 High Street", town="Bangor", postcode="LL57 1AA")  # fmt: skip
    recorder = Recorder(db_session)
    first = recorder.record(ann)
    recorder.flush()
    db_session.commit()
    before = sorted(db_session.scalars(sa.select(PersonIndex.token)).all())
    db_session.execute(sa.delete(PersonIndex))
    db_session.execute(sa.delete(AddressIndex))
    db_session.commit()

    result = runner.invoke(args=["dedupe", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Reindexed 1 person records and 1 addresses" in result.output
    assert sorted(db_session.scalars(sa.select(PersonIndex.token)).all()) == before
    again = Recorder(db_session).record(ann)
    assert again.decision.outcome == "match"
    assert again.person_id == first.record_id
    assert again.address_id == first.address_id


def test_init_after_an_upgrade_that_dropped_the_index_rebuilds_it(runner, db_session):
    from forms_app.models import AddressIndex, PersonIndex

    ann = PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12",
                       postcode="LL57 1AA")  # fmt: skip
    recorder = Recorder(db_session)
    first = recorder.record(ann)
    recorder.flush()
    db_session.commit()
    # What migration 0009 leaves behind: people held, no index rows.
    db_session.execute(sa.delete(PersonIndex))
    db_session.execute(sa.delete(AddressIndex))
    db_session.commit()

    result = runner.invoke(args=["init"])

    assert result.exit_code == 0, result.output
    assert "Rebuilt the matching index: 1 person records" in result.output
    again = Recorder(db_session).record(ann)
    assert (again.decision.outcome, again.person_id) == ("match", first.record_id)
    # A second run finds the index in place and leaves it alone.
    assert "Rebuilt" not in runner.invoke(args=["init"]).output
