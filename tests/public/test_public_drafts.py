"""Drafts: kept between pages, unreadable without the user's cookie, resumable, and versioned."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from forms_app import create_app
from forms_app.extensions import db
from forms_app.models import FormVersion, Submission
from forms_app.public import drafts
from forms_app.public.drafts import cookie_name
from forms_app.public.models import Draft
from tests.conftest import _test_config
from tests.public.public_helpers import CSRF, Browser, asb_answers, reference_on


def draft_cookie(browser: Browser):
    return browser.client.get_cookie(cookie_name(browser.slug), path=browser.root)


def test_answers_are_kept_between_pages(browser: Browser):
    browser.walk(asb_answers(), stop_at="category")

    page = browser.get(browser.url("your-role"))

    assert 'value="yes" checked' in page.html


def test_a_stolen_database_holds_no_readable_draft(browser: Browser, store):
    answers = asb_answers()
    answers["describe"] = {"what_happened": "My neighbour Kim Example shouts at me"}
    browser.walk(answers, stop_at="when")

    rows = store.rows(select(Draft.__table__))

    assert len(rows) == 1
    stored = b"".join(
        value if isinstance(value, bytes) else str(value).encode() for value in rows[0]
    )
    assert b"Kim Example" not in stored
    assert b"shouts" not in stored
    assert b"what_happened" not in stored


def test_the_draft_opens_only_with_the_key_in_its_cookie(browser: Browser, client):
    browser.walk(asb_answers(), stop_at="category")
    draft_id, _key = draft_cookie(browser).value.split(".")
    forged_key = "A" * 43

    client.set_cookie(cookie_name("asb-report"), f"{draft_id}.{forged_key}", path="/f/asb-report")
    page = client.get("/f/asb-report/category")

    assert page.status_code == 303
    assert page.headers["Location"] == "/f/asb-report"


def test_the_draft_cookie_is_http_only_same_site_lax_and_outlives_the_tab(browser: Browser):
    browser.answer("", {})
    response = browser.answer("danger", {"in_danger": "no"}).response

    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("sf_draft_"))

    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/f/asb-report" in header
    assert "Max-Age=86400" in header
    assert "Secure" not in header


@pytest.fixture
def app_config(forms_dir: Path) -> dict[str, object]:
    return {"FORMS_DIR": forms_dir}


def test_closing_the_tab_and_coming_back_resumes_the_journey(browser: Browser, app):
    browser.walk(asb_answers(), stop_at="threats")
    cookie = draft_cookie(browser)

    # A new browser session: only the persistent draft cookie survives.
    later = Browser(app.test_client())
    later.client.set_cookie(cookie.key, cookie.value, path=cookie.path)
    start = later.get(later.root)

    assert "You have a report in progress" in start.html
    assert f'href="{later.url("threats")}"' in start.html
    assert later.get(later.url("category")).status == 200


def test_starting_again_deletes_the_draft(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="threats")

    browser.answer("start-again", {})

    assert store.all(select(Draft)) == []
    assert "You have a report in progress" not in browser.get(browser.root).html


def test_an_expired_draft_is_gone_and_the_user_is_told(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="threats")
    store.execute(
        update(Draft).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )

    later = browser.get(browser.url("threats"))
    start = browser.get(browser.root)

    assert later.location == browser.root
    assert "We deleted your answers because you did not do anything for a while" in start.html


def test_each_page_says_until_when_the_answers_are_kept(browser: Browser):
    browser.walk(asb_answers(), stop_at="category")

    page = browser.get(browser.url("category"))

    assert "We will keep your answers until" in page.html
    assert "Each time you continue, we keep them for another 24 hours." in page.html
    assert 'id="sf-timeout"' in page.html


def test_the_timeout_warning_can_keep_the_answers_for_longer(browser: Browser, store):
    browser.walk(asb_answers(), stop_at="category")
    before = store.scalar(select(Draft.expires_at))
    store.execute(update(Draft).values(expires_at=before - dt.timedelta(hours=23)))

    kept = browser.client.post(
        "/f/asb-report/keep-alive",
        data={"csrf_token": browser.token()},
        headers={"Accept": "application/json"},
    )

    assert kept.status_code == 200
    assert kept.json["kept"] is True
    assert store.scalar(select(Draft.expires_at)) >= before


def test_without_javascript_the_keep_button_returns_to_the_page(browser: Browser):
    browser.walk(asb_answers(), stop_at="category")

    kept = browser.answer("keep-alive", {"next": "/f/asb-report/category"})
    elsewhere = browser.answer("keep-alive", {"next": "https://example.com/"})

    assert kept.location == "/f/asb-report/category"
    assert elsewhere.location == "/f/asb-report/category"


CHANGING_V1 = """\
slug: changing
title: "A form that changes"
reference_prefix: CHG
channel: public
pages:
  - id: name
    title: "Your name"
    fields:
      - {name: full_name, type: text, label: "Your name", required: true}
  - id: colour
    title: "Favourite colour"
    fields:
      - name: colour
        type: radios
        label: "Favourite colour"
        required: true
        options:
          - {value: red, text: "Red"}
          - {value: blue, text: "Blue"}
"""
CHANGING_V2 = CHANGING_V1.replace(
    "  - id: colour\n",
    '  - id: age\n    title: "Your age"\n    fields:\n'
    '      - {name: age, type: number, label: "Your age", required: true}\n  - id: colour\n',
).replace('"Your name", required: true', '"Your full name", required: true')


def test_a_form_changed_mid_journey_keeps_the_drafts_version(
    database_url: str, tmp_path: Path, forms_dir: Path
):
    folder = tmp_path / "forms"
    shutil.copytree(forms_dir, folder)
    (folder / "changing.yaml").write_text(CHANGING_V1)
    config = _test_config(database_url, tmp_path / "instance", FORMS_DIR=folder)
    first_app = create_app(config)
    before = Browser(first_app.test_client(), "changing")
    before.answer("name", {"full_name": "Alex"})
    cookies = [(c.key, c.value, c.path) for c in before.client._cookies.values()]
    with first_app.app_context():
        db.engine.dispose()

    (folder / "changing.yaml").write_text(CHANGING_V2)
    app = create_app(config)
    after = Browser(app.test_client(), "changing")
    for key, value, path in cookies:
        after.client.set_cookie(key, value, path=path)
    next_page = after.answer("name", {"full_name": "Alex"})
    page = after.answer("colour", {"colour": "blue"})
    sent = after.answer("check-your-answers", {}).follow(after)
    newcomer = Browser(app.test_client(), "changing")
    fresh = newcomer.answer("name", {"full_name": "Sam"})

    try:
        assert next_page.location == "/f/changing/colour"
        assert page.location == "/f/changing/check-your-answers"
        with app.app_context():
            submission = db.session.scalar(
                select(Submission).where(Submission.reference == reference_on(sent))
            )
            versions = db.session.scalars(
                select(FormVersion).where(FormVersion.slug == "changing")
            ).all()
            assert len(versions) == 2
            used = db.session.get(FormVersion, submission.form_version_id)
            assert "Your full name" not in used.source_yaml
        assert fresh.location == "/f/changing/age"
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app)


def test_welsh_is_chosen_with_a_link_and_kept_in_the_draft(browser: Browser):
    welsh = browser.get(browser.root + "?lang=cy")
    browser.post(browser.root + "?lang=cy", {})

    page = browser.get(browser.url("danger"))
    refused = browser.answer("danger", {})

    assert 'lang="cy"' in welsh.html
    assert "Rhoi gwybod am ymddygiad gwrthgymdeithasol" in welsh.html
    assert 'href="/f/asb-report?lang=en"' in welsh.html
    assert 'lang="cy"' in page.html
    assert "A oes unrhyw un mewn perygl uniongyrchol?" in page.html
    assert refused.errors() == ["Dewiswch ‘Oes’ os oes unrhyw un mewn perygl uniongyrchol"]
    back = browser.get(browser.url("danger") + "?lang=en")
    assert "Is anyone in immediate danger?" in back.html
    assert "Is anyone in immediate danger?" in browser.get(browser.url("danger")).html


def test_the_secure_flag_follows_configuration(forms_dir: Path, database_url: str, tmp_path: Path):
    config = _test_config(
        database_url, tmp_path / "instance", FORMS_DIR=forms_dir, SESSION_COOKIE_SECURE=True
    )
    app = create_app(config)
    client = app.test_client()
    try:
        page = client.get("/f/asb-report", base_url="https://localhost").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        response = client.post(
            "/f/asb-report",
            data={"csrf_token": token},
            base_url="https://localhost",
            # Flask-WTF checks the referrer on HTTPS (see the report on Referrer-Policy).
            headers={"Referer": "https://localhost/f/asb-report"},
        )
        header = next(
            h for h in response.headers.getlist("Set-Cookie") if h.startswith("sf_draft_")
        )
        assert "Secure" in header
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app)


def test_a_database_error_reading_a_draft_says_the_service_is_unavailable(
    browser: Browser, monkeypatch
) -> None:
    """A draft is read straight through the driver; its errors get the same page as any other
    database error (503), not the page for a fault in the service, and say nothing of the SQL."""
    browser.answer("", {})
    monkeypatch.setattr(drafts, "_READ_QMARK", "SELECT blob FROM missing_table WHERE id = ?")
    monkeypatch.setattr(
        drafts, "_READ_PYFORMAT", "SELECT blob FROM missing_table WHERE id = %(id)s"
    )

    page = browser.get(browser.url("danger"))

    assert page.status == 503
    assert "Sorry, the service is unavailable" in page.html
    assert "missing_table" not in page.html


def test_pooled_draft_connections_are_left_with_no_transaction_open(app, browser: Browser):
    """Outside tests, drafts use a connection pool that does not roll back on return: every
    statement on those connections commits by itself, so none may be left in a transaction."""
    app.testing = False  # the pooled engine a deployment has
    try:
        browser.walk(asb_answers(), stop_at="category")
        for _ in range(3):
            page = browser.get(browser.url("your-role"))
            assert 'value="yes" checked' in page.html
        with app.app_context():
            engine = drafts.draft_engine()
            assert engine.pool.checkedin() >= 1
            connection = engine.raw_connection()
            try:
                if engine.dialect.name == "postgresql":
                    import psycopg

                    status = connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]
                    assert status == psycopg.pq.TransactionStatus.IDLE
                else:
                    assert not connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
            finally:
                connection.close()
    finally:
        with app.app_context():
            drafts.draft_engine().dispose()
        app.extensions.pop(drafts.ENGINE_KEY, None)
        app.testing = True
