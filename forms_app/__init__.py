"""Safer Forms: the Flask application factory."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from . import crypto as crypto_module
from .config import ConfigError, config_for
from .extensions import check_limits_on_writes_only, csrf, db, limiter, migrate
from .pooling import ping_when_idle
from .sessions import KeptSerializerSessionInterface

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parent / "migrations"

log = logging.getLogger(__name__)

# gunicorn's exit code for "the application cannot be loaded" (Arbiter.APP_LOAD_ERROR): its
# arbiter then shuts down, where any other code would have it start worker after failing worker.
APP_LOAD_ERROR = 4


def create_app(test_config: dict[str, Any] | None = None, *, process: str = "web") -> Flask:
    """Build the application.

    `process` says which keys this process may hold: "web" drops the intake private key when
    jobs run in separate workers (REDIS_URL set); "worker" and "cli" keep it.
    """
    app = Flask(__name__, instance_relative_config=False)
    from .public.limits import SaferFormsRequest

    app.request_class = SaferFormsRequest
    app.session_interface = KeptSerializerSessionInterface()
    config = config_for((test_config or {}).get("SAFERFORMS_ENV"))
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    config.validate()

    instance_dir = Path(app.config["INSTANCE_DIR"])
    instance_dir.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("UPLOADS_DIR", instance_dir / "uploads")
    app.config.setdefault("OUTBOX_DIR", instance_dir / "outbox")

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Rate limits and audit origins key on the client address: trust only our own proxies.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance_dir)
    try:
        _install_crypto(app, process)
    except crypto_module.KeyConfigurationError as error:
        # Its message names the variable or file and never holds key material.
        raise ConfigError(f"Safer Forms cannot start: {error}.") from None

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    check_limits_on_writes_only(app)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PACKAGE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.globals["partnership_name"] = app.config["PARTNERSHIP_NAME"]

    from flask import send_from_directory

    @app.get("/assets/<path:filename>", endpoint="assets")
    def assets(filename: str) -> Any:
        """GOV.UK Frontend's fonts and images, installed from npm and served locally."""
        return send_from_directory(
            PACKAGE_DIR / "static" / "govuk" / "assets", filename, max_age=86400
        )

    from .security import install_security

    install_security(app)

    from . import jobs

    jobs.init_app(app)

    from .health import bp as health_bp

    app.register_blueprint(health_bp)

    from .auth.routes import bp as auth_bp
    from .staff.routes import bp as staff_bp

    app.register_blueprint(auth_bp, url_prefix="/staff")
    app.register_blueprint(staff_bp, url_prefix="/staff")

    from .public.service import init_forms

    init_forms(app)

    from .public.routes import bp as public_bp

    app.register_blueprint(public_bp)

    from .cli import register_commands

    register_commands(app)
    return app


def create_wsgi_app() -> Flask:
    """Build the application for a WSGI server (wsgi.py, served by gunicorn).

    A configuration error ends the process with its message on one line, not a traceback.
    """
    try:
        return create_app()
    except ConfigError as error:
        print(error, file=sys.stderr, flush=True)
        raise SystemExit(APP_LOAD_ERROR) from None


def _instance_secret(instance_dir: Path) -> str:
    """The embedded default's cookie-signing key, generated once into the instance folder."""
    import os
    import secrets

    path = instance_dir / "secret-key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _install_crypto(app: Flask, process: str) -> None:
    provider = crypto_module.provider_for(
        app.config["KEY_PROVIDER"], Path(app.config["INSTANCE_DIR"])
    )
    if isinstance(provider, crypto_module.LocalKeyProvider):
        # The embedded default: keys are generated once into the instance folder.
        provider.ensure()
    service = crypto_module.Crypto.from_material(provider.load())
    if process == "web" and app.config.get("REDIS_URL"):
        # Jobs run in separate workers: this web process must not be able to open submissions.
        service = service.without_private_key()
    app.extensions["saferforms.crypto"] = service
    app.extensions["saferforms.key_provider"] = provider
    crypto_module.install(service)


__all__ = ["ConfigError", "create_app", "create_wsgi_app"]
