"""The form definition a submission was made with, and its title, loaded once per version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from forms_app.definitions import FormDefinition
from forms_app.extensions import db
from forms_app.models import FormVersion
from forms_app.public.catalogue import catalogue

T = TypeVar("T")

_titles: dict[str, str] = {}
_lock = threading.Lock()


def _once(cache: dict[str, T], form_version_id: str, make: Callable[[FormVersion], T]) -> T:
    """`make` of the stored version, computed once (versions never change)."""
    with _lock:
        if form_version_id in cache:
            return cache[form_version_id]
    version = db.session.get(FormVersion, form_version_id)
    if version is None:
        raise LookupError("the form version does not exist")
    value = make(version)
    with _lock:
        cache[form_version_id] = value
    return value


def definition_for(form_version_id: str) -> FormDefinition:
    """The exact definition of a stored form version: the one the process loaded at start-up
    when it is the current version, read once from the database when it is an older one."""
    return catalogue().definition(form_version_id)


def title_for(form_version_id: str) -> str:
    """The title a form version was recorded with."""
    return _once(_titles, form_version_id, lambda version: version.title)
