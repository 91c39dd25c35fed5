"""The Flask extensions, created here and wired in create_app()."""

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

# Every limit is on POSTs: answers, submissions and sign-in attempts. Reading a page is never
# counted, yet Flask-Limiter's check ran on every request to find that out: about a tenth of
# a page view's time. A limit on reading pages would need this set changed.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_limits_on_writes_only(app: Flask) -> None:
    """Run the limiter's per-request check (registered by `limiter.init_app`) only for requests
    that may be limited."""
    hooks = app.before_request_funcs[None]
    for index, hook in enumerate(hooks):
        if getattr(hook, "__func__", None) is Limiter._check_request_limit:
            hooks[index] = _writes_only(hook)
            return
    raise RuntimeError("Flask-Limiter's request check was not found among the request hooks")


def _writes_only(check: Callable[[], Any]) -> Callable[[], Any]:
    def check_limits() -> Any:
        if request.method in READING_METHODS:
            return None
        return check()

    return check_limits
