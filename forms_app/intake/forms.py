"""The form definition a submission was made with, loaded once per version."""

from __future__ import annotations

import threading

from forms_app.definitions import FormDefinition, load_text
from forms_app.extensions import db
from forms_app.models import FormVersion

_cache: dict[str, FormDefinition] = {}
_titles: dict[str, str] = {}
_lock = threading.Lock()


def definition_for(form_version_id: str) -> FormDefinition:
    """Load the exact definition of a stored form version (cached: versions never change)."""
    with _lock:
        cached = _cache.get(form_version_id)
    if cached is not None:
        return cached
    version = db.session.get(FormVersion, form_version_id)
    if version is None:
        raise LookupError("the form version does not exist")
    form = load_text(version.source_yaml, f"<form version {version.id}>", version.slug)
    with _lock:
        _cache[form_version_id] = form
    return form


def title_for(form_version_id: str) -> str:
    """The title a form version was recorded with (cached: versions never change)."""
    with _lock:
        cached = _titles.get(form_version_id)
    if cached is not None:
        return cached
    version = db.session.get(FormVersion, form_version_id)
    if version is None:
        raise LookupError("the form version does not exist")
    with _lock:
        _titles[form_version_id] = version.title
    return version.title
