"""The forms this process serves, and the recorded versions that drafts and submissions point at.

Every definition in FORMS_DIR is loaded and validated when the application starts: a bad one
stops start-up with its file, line and reason. Each distinct content is recorded once as a
FormVersion row, lazily on first use (so a web process starts before `saferforms init` has run
the migrations) or eagerly by `saferforms init`. A draft keeps the version it began with, and
that version's definition is rebuilt from the YAML text stored in its row.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms_app.config import ConfigError
from forms_app.definitions import DefinitionError, FormDefinition, load_all, load_text
from forms_app.extensions import db
from forms_app.models import FormVersion

TITLE_MAX = 300


class UnknownVersion(LookupError):
    """A draft names a form version this database does not hold (or can no longer read)."""


class FormCatalogue:
    """The current definitions by slug, their version ids, and older versions on demand."""

    def __init__(self, forms: dict[str, FormDefinition]) -> None:
        self.forms = forms
        self._version_ids: dict[tuple[str, str], str] = {}
        self._by_version: dict[str, FormDefinition] = {}
        self._lock = threading.Lock()

    def public_form(self, slug: str) -> FormDefinition | None:
        """Return the current definition of a form the public may fill in at /f/<slug>."""
        form = self.forms.get(slug)
        if form is None or form.channel != "public":
            return None
        return form

    def version_id(self, form: FormDefinition) -> str:
        """Return the id of this exact content's FormVersion, recording it on first use."""
        key = (form.slug, form.content_hash)
        found = self._version_ids.get(key)
        if found is None:
            found, _created = _ensure_version(form)
            with self._lock:
                self._version_ids[key] = found
                self._by_version[found] = form
        return found

    def definition(self, version_id: str) -> FormDefinition:
        """Return the definition a version was recorded with (a draft's own version)."""
        found = self._by_version.get(version_id)
        if found is not None:
            return found
        row = db.session.execute(
            select(FormVersion.slug, FormVersion.content_hash).where(FormVersion.id == version_id)
        ).first()
        if row is None:
            raise UnknownVersion(version_id)
        form = self.forms.get(row.slug)
        if form is None or form.content_hash != row.content_hash:
            # An older version: read and checked again, once a process (a worker started
            # today meets mostly today's version, which it loaded at start-up).
            source = db.session.scalar(
                select(FormVersion.source_yaml).where(FormVersion.id == version_id)
            )
            try:
                form = load_text(source or "", f"{row.slug}.yaml", expected_slug=row.slug)
            except DefinitionError:
                # An old version the present checker no longer accepts cannot be resumed safely.
                raise UnknownVersion(version_id) from None
        with self._lock:
            self._by_version[version_id] = form
        return form

    def sync(self) -> list[str]:
        """Record every current definition as a FormVersion; return report lines."""
        lines = []
        for slug in sorted(self.forms):
            form = self.forms[slug]
            version_id, created = _ensure_version(form)
            self._version_ids[(slug, form.content_hash)] = version_id
            self._by_version[version_id] = form
            state = "recorded a new version" if created else "version already recorded"
            lines.append(f"Form {slug}: {state} ({form.content_hash[:12]}).")
        return lines


def _ensure_version(form: FormDefinition) -> tuple[str, bool]:
    def existing() -> str | None:
        return db.session.execute(
            select(FormVersion.id).where(
                FormVersion.slug == form.slug, FormVersion.content_hash == form.content_hash
            )
        ).scalar_one_or_none()

    found = existing()
    if found is not None:
        return found, False
    version = FormVersion(
        slug=form.slug,
        content_hash=form.content_hash,
        title=form.title.get("en")[:TITLE_MAX],
        source_yaml=form.source_text,
    )
    db.session.add(version)
    try:
        db.session.commit()
    except IntegrityError:
        # Another process recorded the same content first: use its row.
        db.session.rollback()
        found = existing()
        if found is None:
            raise
        return found, False
    return version.id, True


def init_forms(app: Flask) -> None:
    """Load and check every definition at start-up, and register the public form routes' state."""
    try:
        forms = load_all(app.config["FORMS_DIR"])
    except DefinitionError as error:
        raise ConfigError(f"Safer Forms cannot start: {error}") from None
    catalogue = FormCatalogue(forms)
    app.extensions["saferforms.forms"] = catalogue

    def sync_forms() -> list[str]:
        return catalogue.sync()

    app.extensions["saferforms.sync_forms"] = sync_forms


def catalogue() -> FormCatalogue:
    found: Any = current_app.extensions["saferforms.forms"]
    return found  # type: ignore[no-any-return]
