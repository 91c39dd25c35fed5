"""Settings from the environment: a value that cannot be used stops start-up with a plain message."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from forms_app import create_app
from forms_app.config import ConfigError, config_for
from forms_app.crypto.providers import generate_env_keys
from forms_app.jobs.settings import job_settings
from tests.conftest import ROOT, _test_config


def _production_env(**extra: str) -> dict[str, str]:
    return {"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32, **generate_env_keys(), **extra}


def test_a_non_numeric_job_setting_stops_start_up_naming_the_variable(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS", "abc")
    with pytest.raises(ConfigError) as raised:
        create_app(_test_config("sqlite://", tmp_path / "instance"))
    message = str(raised.value)
    assert "SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS='abc'" in message
    assert "a number of seconds, above 0" in message


def test_a_job_setting_given_in_the_app_config_is_named_as_given() -> None:
    with pytest.raises(ConfigError, match=r"JOBS_RELAY_BATCH='lots'.*whole number of rows"):
        job_settings({"TESTING": True, "JOBS_RELAY_BATCH": "lots"})


def test_job_settings_accept_numbers_as_text_or_as_numbers(monkeypatch) -> None:
    monkeypatch.setenv("SAFERFORMS_JOBS_BACKOFF_SECONDS", " 0.5 ")
    settings = job_settings({"TESTING": True, "JOBS_MAX_ATTEMPTS": 3, "JOBS_POLL_SECONDS": "1"})
    assert settings.backoff_seconds == 0.5
    assert settings.max_attempts == 3
    assert settings.poll_seconds == 1.0


def test_an_unknown_job_mode_is_a_configuration_error_naming_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("SAFERFORMS_JOBS_MODE", "cron")
    with pytest.raises(ConfigError, match="SAFERFORMS_JOBS_MODE='cron' is not one of"):
        job_settings({"TESTING": True})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SAFERFORMS_PROXY_HOPS", "one", "a whole number of proxies, 0 or more"),
        ("SAFERFORMS_PROXY_HOPS", "-1", "a whole number of proxies, 0 or more"),
        ("SAFERFORMS_PROXY_HOPS", "1.5", "a whole number of proxies, 0 or more"),
        ("STAFF_IDLE_MINUTES", "half an hour", "a whole number of minutes, 1 or more"),
        ("SAFERFORMS_LOGIN_LOCKOUT_ATTEMPTS", "0", "a whole number of failed sign-ins, 1 or more"),
        ("SAFERFORMS_MAX_REQUEST_BYTES", "25MB", "a whole number of bytes, 1 or more"),
        ("SAFERFORMS_DRAFT_RESUME_HOURS", "nan", "a number of hours, above 0"),
        ("SAFERFORMS_DRAFT_RESUME_HOURS", "0", "a number of hours, above 0"),
        ("SESSION_COOKIE_SECURE", "ture", "use true or false"),
        ("MAIL_SMTP_PORT", "smtp", "a whole number from 1 to 65535"),
        ("MAIL_SMTP_PORT", "0", "a whole number from 1 to 65535"),
        ("MAIL_SMTP_PORT", "65536", "a whole number from 1 to 65535"),
        ("MAIL_SMTP_PORT", "587.5", "a whole number from 1 to 65535"),
        ("MAIL_SMTP_TIMEOUT", "fifteen", "a number of seconds, above 0"),
        ("MAIL_SMTP_TIMEOUT", "0", "a number of seconds, above 0"),
        ("NOTIFY_TIMEOUT", "-5", "a number of seconds, above 0"),
        ("NOTIFY_TIMEOUT", "inf", "a number of seconds, above 0"),
    ],
)
def test_a_setting_that_cannot_be_used_is_refused_with_what_it_expects(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        config_for("development", {name: value})
    message = str(raised.value)
    assert message.startswith("Safer Forms cannot start:")
    assert f"{name}={value!r}" in message
    assert expected in message


def test_a_mail_setting_that_cannot_be_used_stops_start_up_not_each_send(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("MAIL_SMTP_PORT", "25 or 587")
    with pytest.raises(ConfigError, match=r"MAIL_SMTP_PORT='25 or 587' is not valid"):
        create_app(_test_config("sqlite://", tmp_path / "instance"))


def test_mail_port_and_timeouts_accept_their_whole_range_and_default_when_unset() -> None:
    config = config_for(
        "development", {"MAIL_SMTP_PORT": "65535", "MAIL_SMTP_TIMEOUT": "0.5", "NOTIFY_TIMEOUT": ""}
    )
    assert (config.MAIL_SMTP_PORT, config.MAIL_SMTP_TIMEOUT, config.NOTIFY_TIMEOUT) == (
        65535,
        0.5,
        15.0,
    )
    assert config_for("development", {"MAIL_SMTP_PORT": "1"}).MAIL_SMTP_PORT == 1
    assert config_for("development", {}).MAIL_SMTP_PORT == 587


def test_an_empty_setting_means_its_default() -> None:
    config = config_for("development", {"SAFERFORMS_PROXY_HOPS": "", "STAFF_IDLE_MINUTES": " "})
    assert config.PROXY_HOPS == 0
    assert config.STAFF_IDLE_TIMEOUT.total_seconds() == 30 * 60


def test_the_command_line_prints_a_configuration_error_without_a_traceback(tmp_path) -> None:
    from forms_app.cli import cli

    env = {
        "SAFERFORMS_ENV": "development",
        "SAFERFORMS_INSTANCE": str(tmp_path / "instance"),
        "SAFERFORMS_FORMS_DIR": str(ROOT / "form_definitions"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sf.db'}",
        "REDIS_URL": "",
        "SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS": "abc",
    }
    result = CliRunner().invoke(cli, ["jobs", "failed"], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: Safer Forms cannot start: SAFERFORMS_JOBS_QUEUE_LEASE_SECONDS='abc'" in (
        result.output
    )


def test_an_unknown_environment_name_stops_the_command_line_with_the_names_it_knows(
    tmp_path,
) -> None:
    from forms_app.cli import cli

    env = {
        "SAFERFORMS_ENV": "staging",
        "SAFERFORMS_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sf.db'}",
    }
    result = CliRunner().invoke(cli, ["jobs", "failed"], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        "Error: Safer Forms cannot start: SAFERFORMS_ENV='staging' is not one of"
        " development, production, test." in result.output
    )


def test_production_refuses_keys_from_the_instance_folder() -> None:
    with pytest.raises(ConfigError) as raised:
        config_for("production", _production_env(SAFERFORMS_KEY_PROVIDER="local")).validate()
    message = str(raised.value)
    assert "SAFERFORMS_KEY_PROVIDER='local' is not allowed" in message
    assert "production keys come from the environment" in message


def test_production_refuses_cookies_that_may_travel_without_https() -> None:
    with pytest.raises(ConfigError) as raised:
        config_for("production", _production_env(SESSION_COOKIE_SECURE="false")).validate()
    assert "SESSION_COOKIE_SECURE is off" in str(raised.value)


def test_production_refuses_to_turn_off_the_staff_second_factor() -> None:
    with pytest.raises(ConfigError) as raised:
        config_for("production", _production_env(SAFERFORMS_REQUIRE_TOTP="false")).validate()
    message = str(raised.value)
    assert "SAFERFORMS_REQUIRE_TOTP is off" in message
    assert "second factor" in message


def test_production_names_every_problem_at_once() -> None:
    env = {"SAFERFORMS_KEY_PROVIDER": "local", "SAFERFORMS_REQUIRE_TOTP": "no"}
    with pytest.raises(ConfigError) as raised:
        config_for("production", env).validate()
    message = str(raised.value)
    for name in ["DATABASE_URL", "SAFERFORMS_DATA_KEYS", "SAFERFORMS_KEY_PROVIDER"]:
        assert name in message
    assert "SAFERFORMS_REQUIRE_TOTP" in message


def test_production_starts_with_the_second_factor_and_env_keys_set_explicitly() -> None:
    env = _production_env(SAFERFORMS_KEY_PROVIDER="env", SAFERFORMS_REQUIRE_TOTP="true")
    config = config_for("production", env)
    config.validate()
    assert config.REQUIRE_TOTP is True
