"""`saferforms init --demo`, as bin/serve runs it: a newcomer gets a partnership and logins
that work, shown once; `users set-password` replaces a lost one."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from forms_app import create_app
from forms_app.extensions import db
from forms_app.models import Organisation, Team, User
from tests.auth.auth_helpers import sign_in
from tests.conftest import _test_config

LOGIN = re.compile(r"^\s+(\w[\w-]*)\s+(\S+@northdale\.example)\s+(\S+)$", re.MULTILINE)


def test_init_demo_on_an_empty_database_prints_logins_once_that_sign_in_and_a_rerun_adds_nothing(
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

    officer_password = logins["officer@northdale.example"][1]
    # The passwords are shown once and kept nowhere in the clear.
    for path in instance.rglob("*"):
        if path.is_file():
            assert officer_password.encode() not in path.read_bytes(), path

    second = runner.invoke(args=["init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "The demo partnership is in place." in second.output
    assert "users set-password" in second.output
    assert LOGIN.findall(second.output) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
        assert db.session.scalar(select(func.count()).select_from(Team)) == 3
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
        db.session.remove()

    client = app.test_client()
    response = sign_in(client, "officer@northdale.example", officer_password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert "Olu Officer" in client.get("/staff/").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_set_password_replaces_a_lost_password_and_signs_the_account_out(app, runner) -> None:
    from tests.auth.auth_helpers import make_staff

    staff = make_staff(app)
    client = app.test_client()
    assert sign_in(client, staff.email, staff.password).status_code == 303
    assert client.get("/staff/").status_code == 200

    result = runner.invoke(
        args=["users", "set-password", staff.email, "--password-stdin"],
        input="a brand new long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "ended 1 signed-in session" in result.output

    assert client.get("/staff/").status_code != 200  # the old session is over
    refused = sign_in(app.test_client(), staff.email, staff.password)
    assert refused.status_code != 303
    fresh = app.test_client()
    assert sign_in(fresh, staff.email, "a brand new long passphrase").status_code == 303

    too_short = runner.invoke(
        args=["users", "set-password", staff.email, "--password-stdin"], input="short\n"
    )
    assert too_short.exit_code != 0 and "characters or more" in too_short.output
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@northdale.example", "--password-stdin"],
        input="a brand new long passphrase\n",
    )
    assert unknown.exit_code != 0 and "no account" in unknown.output
