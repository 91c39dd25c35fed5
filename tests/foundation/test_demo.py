"""`saferforms init --demo`, as bin/serve runs it: a newcomer gets a partnership and logins that work."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sqlalchemy import func, select

from forms_app import create_app
from forms_app.extensions import db
from forms_app.models import Organisation, Team, User
from tests.auth.auth_helpers import sign_in
from tests.conftest import _test_config

LOGIN = re.compile(r"^\s+(\w[\w-]*)\s+(\S+@northdale\.example)\s+(\S+)$", re.MULTILINE)


def test_init_demo_on_an_empty_database_prints_logins_that_sign_in_and_a_rerun_adds_nothing(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    app = create_app(_test_config(f"sqlite:///{tmp_path / 'new.db'}", instance))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Created the demo partnership: 2 organisations, 3 teams." in first.output
    logins = {email: (role, password) for role, email, password in LOGIN.findall(first.output)}
    assert logins["officer@northdale.example"][0] == "officer"
    assert len(logins) == 5

    saved = instance / "demo-logins.txt"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    second = runner.invoke(args=["init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "The demo partnership is in place." in second.output
    assert {e: (r, p) for r, e, p in LOGIN.findall(second.output)} == logins
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
        assert db.session.scalar(select(func.count()).select_from(Team)) == 3
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
        db.session.remove()

    client = app.test_client()
    response = sign_in(client, "officer@northdale.example", logins["officer@northdale.example"][1])
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert "Olu Officer" in client.get("/staff/").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
