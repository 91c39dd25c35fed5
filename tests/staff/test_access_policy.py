"""The access policy: no grant, no access."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forms_app.extensions import db
from forms_app.models import (
    AccessGrant,
    Case,
    Membership,
    Organisation,
    Person,
    Role,
    Team,
    User,
    utcnow,
)
from forms_app.staff.access import (
    can_read_case,
    can_read_person,
    readable_case_ids,
    readable_person_ids,
)


@pytest.fixture
def world(app):
    """Two teams, an officer in each, a case and a person, and no grants yet."""
    with app.app_context():
        council = Organisation(name="Northdale Borough Council", slug="northdale-council")
        asb = Team(organisation=council, name="ASB", slug="asb-team")
        housing = Team(organisation=council, name="Housing", slug="housing")
        olu = User(email="olu@northdale.example", display_name="Olu", password_hash="x")
        hana = User(email="hana@northdale.example", display_name="Hana", password_hash="x")
        case = Case(reference="ASB-7KQ3-MX2P", case_type="asb")
        person = Person(first_name="Sam")
        db.session.add_all(
            [
                Membership(user=olu, team=asb, role=Role.OFFICER),
                Membership(user=hana, team=housing, role=Role.ADMIN),
                case,
                person,
            ]
        )
        db.session.commit()
        yield {
            "olu": olu,
            "hana": hana,
            "asb": asb,
            "housing": housing,
            "case": case,
            "person": person,
        }


def _grant(**kwargs):
    grant = AccessGrant(**kwargs)
    db.session.add(grant)
    db.session.commit()
    return grant


def test_without_a_grant_nobody_can_read_a_case_or_a_person(world):
    for user in (world["olu"], world["hana"]):
        assert not can_read_case(user, world["case"])
        assert not can_read_person(user, world["person"])


def test_owning_a_case_is_not_a_grant(world):
    world["case"].owning_team_id = world["asb"].id
    db.session.commit()

    assert not can_read_case(world["olu"], world["case"])


def test_a_grant_to_a_team_opens_the_case_to_its_members_only(world):
    _grant(team_id=world["asb"].id, case_id=world["case"].id)

    assert can_read_case(world["olu"], world["case"])
    assert can_read_case(world["olu"], world["case"].id)
    assert not can_read_case(world["hana"], world["case"])
    assert not can_read_person(world["olu"], world["person"])


def test_a_grant_to_a_user_opens_the_person_to_that_user_only(world):
    _grant(user_id=world["hana"].id, person_id=world["person"].id)

    assert can_read_person(world["hana"], world["person"])
    assert not can_read_person(world["olu"], world["person"])
    assert not can_read_case(world["hana"], world["case"])


def test_an_administrator_role_grants_nothing_by_itself(world):
    assert world["hana"].roles == {Role.ADMIN}

    assert not can_read_case(world["hana"], world["case"])


def test_a_revoked_grant_opens_nothing(world):
    grant = _grant(team_id=world["asb"].id, case_id=world["case"].id)
    grant.revoked_at = utcnow()
    db.session.commit()

    assert not can_read_case(world["olu"], world["case"])


def test_a_disabled_user_can_read_nothing_even_with_a_grant(world):
    _grant(user_id=world["olu"].id, case_id=world["case"].id)
    world["olu"].is_active = False
    db.session.commit()

    assert not can_read_case(world["olu"], world["case"])
    assert db.session.scalars(readable_case_ids(world["olu"])).all() == []


def test_nobody_signed_in_can_read_nothing(world):
    _grant(team_id=world["asb"].id, case_id=world["case"].id)

    assert not can_read_case(None, world["case"])
    assert not can_read_person(None, world["person"])


def test_leaving_a_team_closes_what_the_team_was_granted(world):
    _grant(team_id=world["asb"].id, case_id=world["case"].id)
    db.session.execute(sa.delete(Membership).where(Membership.user_id == world["olu"].id))
    db.session.commit()

    assert not can_read_case(world["olu"], world["case"])


def test_list_filters_agree_with_the_single_record_checks(world):
    other = Case(reference="ASB-AAAA-BBBB", case_type="asb")
    db.session.add(other)
    db.session.commit()
    _grant(team_id=world["asb"].id, case_id=world["case"].id)
    _grant(user_id=world["olu"].id, person_id=world["person"].id)

    visible = db.session.scalars(
        sa.select(Case.reference).where(Case.id.in_(readable_case_ids(world["olu"])))
    ).all()
    people = db.session.scalars(
        sa.select(Person.id).where(Person.id.in_(readable_person_ids(world["olu"])))
    ).all()

    assert visible == ["ASB-7KQ3-MX2P"]
    assert people == [world["person"].id]
    assert db.session.scalars(readable_case_ids(world["hana"])).all() == []
