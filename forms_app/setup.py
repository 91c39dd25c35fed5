"""`saferforms init`: create or upgrade the database, keys, and optionally a demo partnership."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select

from forms_app.auth.service import create_user
from forms_app.extensions import db
from forms_app.models import Organisation, Role, Team

DEMO_ORGANISATIONS = [
    (
        "Northdale Borough Council",
        "northdale-council",
        [
            ("Anti-social Behaviour Team", "asb-team"),
            ("Community Safety Hub", "community-safety-hub"),
        ],
    ),
    ("Northdale Homes", "northdale-homes", [("Tenancy Enforcement", "tenancy-enforcement")]),
]
DEMO_USERS = [
    ("officer@northdale.example", "Olu Officer", Role.OFFICER, "asb-team"),
    ("teamlead@northdale.example", "Tamsin Lead", Role.TEAM_LEAD, "asb-team"),
    ("admin@northdale.example", "Ade Admin", Role.ADMIN, "community-safety-hub"),
    ("author@northdale.example", "Aled Author", Role.FORM_AUTHOR, "community-safety-hub"),
    ("housing@northdale.example", "Hana Housing", Role.OFFICER, "tenancy-enforcement"),
]


def initialise(*, demo: bool) -> list[str]:
    upgrade(directory=current_app.extensions["migrate"].directory)
    report = [
        "Database is up to date.",
        f"Keys are in place ({current_app.config['KEY_PROVIDER']} provider).",
        *rebuild_matching_index_if_dropped(),
    ]
    sync = current_app.extensions.get("saferforms.sync_forms")
    if sync is not None:
        report += sync()
    if demo:
        report += create_demo()
    return report


def rebuild_matching_index_if_dropped() -> list[str]:
    """Rebuild the blind index when people are held but none has index rows.

    An upgrade that changes the blocking keys (migration 0009) drops the old rows. Until they
    are rebuilt, matching finds nobody and every report about a known person would make a
    duplicate, so upgrading with `saferforms init` rebuilds them at once.
    """
    from forms_app.matching.service import reindex_all
    from forms_app.models import Person, PersonIndex

    session = db.session()
    held = session.execute(select(Person.id).limit(1)).first() is not None
    if not held or session.execute(select(PersonIndex.person_id).limit(1)).first() is not None:
        return []
    people, addresses = reindex_all(session)
    return [f"Rebuilt the matching index: {people} person records and {addresses} addresses."]


def create_demo() -> list[str]:
    """Create the demo partnership once, and print its logins that one time only.

    The passwords are not kept anywhere in the clear; a lost one is replaced with
    `saferforms users set-password EMAIL`.
    """
    existing = db.session.scalar(
        select(Organisation).where(Organisation.slug == "northdale-council")
    )
    if existing is not None:
        return [
            "The demo partnership is in place. Its logins were printed when it was created;",
            "to choose a new password: .venv/bin/saferforms users set-password EMAIL",
        ]
    teams: dict[str, Team] = {}
    for name, slug, team_specs in DEMO_ORGANISATIONS:
        organisation = Organisation(name=name, slug=slug)
        db.session.add(organisation)
        for team_name, team_slug in team_specs:
            team = Team(
                organisation=organisation,
                name=team_name,
                slug=team_slug,
                notify_email=f"{team_slug}@northdale.example",
            )
            teams[team_slug] = team
            db.session.add(team)
    lines = ["Demo logins (shown this once; this development server only; keep them private):"]
    db.session.commit()
    for email, display_name, role, team_slug in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        # Through the same service as `saferforms users create`, so each creation is audited.
        create_user(
            email=email,
            display_name=display_name,
            password=password,
            team=teams[team_slug],
            role=role,
        )
        lines.append(f"  {role.value:<12} {email:<30} {password}")
    return ["Created the demo partnership: 2 organisations, 3 teams.", *lines]
