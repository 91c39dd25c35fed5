"""The public form journey: which pages a user may open, what posting a page does, submitting.

Routes stay thin: they open a Journey for the request, call one function here, and render or
redirect. Validation and routing rules come from forms_app.definitions; this module applies them
to the user's encrypted draft and never trusts what the browser says about earlier pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import Request, abort, current_app
from werkzeug.datastructures import FileStorage

from forms_app.definitions import (
    CHECK_PAGE,
    CONFIRMATION_PAGE,
    RESERVED_PAGE_IDS,
    FieldError,
    FormDefinition,
    Page,
    SubmissionCheck,
    check_submission,
    clean_answers,
    evaluate,
    kind_of,
    uk_today,
    validate_answer,
    validate_page,
)
from forms_app.definitions import messages as definition_messages
from forms_app.definitions.answers import clean_text
from forms_app.extensions import db
from forms_app.formkit import ErrorLink, PageForm, page_form

from .catalogue import FormCatalogue, UnknownVersion, catalogue, init_forms
from .drafts import OpenDraft, open_draft, save_draft, start_draft
from .i18n import remember_language, t
from .uploads import discard_upload, sniff_file, store_upload

UK = ZoneInfo("Europe/London")

__all__ = [
    "CHECK_PAGE",
    "CONFIRMATION_PAGE",
    "RESERVED_PAGE_IDS",
    "Journey",
    "catalogue",
    "init_forms",
    "open_journey",
]


@dataclass(frozen=True)
class Progress:
    route: tuple[str, ...]
    blocked: str | None


@dataclass
class Journey:
    """One user's way through one form, for the length of a request."""

    slug: str
    form: FormDefinition
    catalogue: FormCatalogue
    draft: OpenDraft | None
    lang: str
    root: str
    timed_out: bool = False
    saved: bool = False
    _check: SubmissionCheck | None = field(default=None, repr=False)
    _earlier: dict[str, Any] | None = field(default=None, repr=False)
    _progress: Progress | None = field(default=None, repr=False)

    @property
    def answers(self) -> dict[str, Any]:
        return self.draft.answers if self.draft is not None else {}

    def ensure_draft(self) -> OpenDraft:
        if self.draft is None:
            version_id = self.catalogue.version_id(self.form)
            self.draft = start_draft(version_id, self.lang)
        return self.draft

    @property
    def version_id(self) -> str:
        return self.ensure_draft().form_version_id

    # Where the user stands -----------------------------------------------------

    @property
    def check(self) -> SubmissionCheck:
        """Every page on the user's route validated again (once a request)."""
        if self._check is None:
            self._check = check_submission(self.form, self.answers, self.lang)
        return self._check

    def invalidate(self) -> None:
        self._check = None
        self._earlier = None
        self._progress = None

    @property
    def earlier(self) -> dict[str, Any]:
        """The answers that count: only those of questions on the route (once a request)."""
        if self._earlier is None:
            self._earlier = clean_answers(self.form, self.answers)
        return self._earlier

    @property
    def progress(self) -> Progress:
        """The route and its first unfinished page, as worked out when the draft was last saved.

        Saving validates every page anyway, so the result is kept in the (encrypted) draft and a
        page view need not validate again; it is worked out afresh on another day, since dates
        in conditions and answers are judged against today. Submitting always checks afresh.
        """
        if self._progress is None:
            kept = self.draft.state.get("progress") if self.draft is not None else None
            if isinstance(kept, dict) and kept.get("day") == uk_today().isoformat():
                self._progress = Progress(tuple(kept["route"]), kept.get("blocked"))
            else:
                check = self.check
                self._progress = Progress(
                    tuple(page.id for page in check.pages), check.first_page_id
                )
        return self._progress

    @property
    def route_ids(self) -> list[str]:
        return list(self.progress.route)

    def route_pages(self) -> list[Page]:
        return [self.form.page(page_id) for page_id in self.progress.route]

    def may_open(self, page: Page) -> bool:
        """Whether the page is on the user's route with nothing unfinished before it."""
        ids = self.route_ids
        if page.id not in ids:
            return False
        blocked = self.progress.blocked
        return blocked is None or ids.index(blocked) >= ids.index(page.id)

    def seen(self) -> set[str]:
        return set(self.draft.state.get("seen", ())) if self.draft is not None else set()

    def resume_page(self) -> Page | None:
        """The first page still to do (never visited, or unfinished); None means check answers."""
        blocked = self.progress.blocked
        seen = self.seen()
        for page_id in self.progress.route:
            if page_id == blocked or page_id not in seen:
                return self.form.page(page_id)
        return None

    def resume_url(self) -> str:
        page = self.resume_page()
        return self.page_url(page) if page is not None else self.url(CHECK_PAGE)

    def previous(self, page: Page) -> Page | None:
        ids = self.route_ids
        if page.id not in ids:
            return None
        index = ids.index(page.id)
        return self.form.page(ids[index - 1]) if index > 0 else None

    def next_after(self, page: Page) -> str:
        ids = self.route_ids
        if page.id in ids and ids.index(page.id) + 1 < len(ids):
            return self.page_url(self.form.page(ids[ids.index(page.id) + 1]))
        return self.resume_url()

    # URLs --------------------------------------------------------------------

    def url(self, *parts: str | int) -> str:
        return "/".join((self.root, *(str(part) for part in parts)))

    def page_url(self, page: Page, item: int | None = None) -> str:
        if item is not None:
            return self.url(page.id, item)
        if page is self.form.pages[0]:
            # The form's own address shows its first page.
            return self.root
        return self.url(page.id)

    # Saving ------------------------------------------------------------------

    def mark_seen(self, page: Page) -> None:
        draft = self.ensure_draft()
        seen = draft.state.setdefault("seen", [])
        if page.id not in seen:
            seen.append(page.id)

    def save(self) -> None:
        draft = self.ensure_draft()
        self.invalidate()
        check = self.check
        draft.state["progress"] = {
            "day": uk_today().isoformat(),
            "route": [page.id for page in check.pages],
            "blocked": check.first_page_id,
        }
        save_draft(draft)
        self.saved = True


def open_journey(slug: str, request: Request) -> Journey:
    """Find the form (404 unless it is a public form) and the user's draft, in their language."""
    forms = catalogue()
    current = forms.public_form(slug)
    if current is None:
        abort(404)
    draft = open_draft(request, slug)
    form = current
    if draft is not None:
        try:
            form = forms.definition(draft.form_version_id)
        except UnknownVersion:
            draft = None
    requested = request.args.get("lang")
    if requested in form.languages:
        lang = str(requested)
    elif draft is not None and draft.lang in form.languages:
        lang = draft.lang
    else:
        lang = form.languages[0]
    remember_language(lang)
    journey = Journey(
        slug=slug,
        form=form,
        catalogue=forms,
        draft=draft,
        lang=lang,
        root=f"{request.script_root}/f/{slug}",
        timed_out=draft is None
        and bool(request.cookies.get(f"sf_draft_{slug}") or request.args.get("timed-out")),
    )
    if draft is not None and draft.lang != lang:
        draft.lang = lang
        journey.save()
    return journey


def page_for(journey: Journey, page_id: str | None) -> Page:
    """Return the page named in the URL (the route's first page for the form's own URL)."""
    if page_id is None:
        ids = journey.route_ids
        return journey.form.page(ids[0]) if ids else journey.form.pages[0]
    try:
        return journey.form.page(page_id)
    except KeyError:
        abort(404)


# Questions on a page --------------------------------------------------------------


def earlier_answers(journey: Journey) -> dict[str, Any]:
    return journey.earlier


def build_form(
    journey: Journey,
    page: Page,
    *,
    formdata: Any = None,
    values: Mapping[str, Any] | None = None,
    request_args: Mapping[str, str] | None = None,
) -> PageForm:
    shown_values = dict(values if values is not None else journey.answers)
    if formdata is None and request_args is not None:
        for item in page.fields:
            if item.type == "hidden" and item.source == "query" and item.query_param:
                shown_values.setdefault(item.name or "", request_args.get(item.query_param))
    return page_form(
        page,
        journey.lang,
        formdata=formdata,
        answers=shown_values,
        # The answers that count are worked out only for a page that has conditions.
        shown=lambda item: item.condition is None or evaluate(item.condition, journey.earlier),
        form_key=journey.form.content_hash,
    )


@dataclass
class PostResult:
    form: PageForm
    errors: list[ErrorLink]
    values: dict[str, Any]

    @property
    def ok(self) -> bool:
        return not self.errors


def post_page(
    journey: Journey,
    page: Page,
    formdata: Any,
    files: Mapping[str, list[FileStorage]],
    item_values: Mapping[str, Any] | None = None,
) -> PostResult:
    """Validate a posted page (or one item of a repeating page), storing any files it brings."""
    bound = build_form(journey, page, formdata=formdata, values=item_values)
    raw = bound.raw_answers()
    errors: list[FieldError] = []
    stored_any = False
    earlier = earlier_answers(journey)
    for item in page.fields:
        if item.type != "file" or item.name is None:
            continue
        if not evaluate(item.condition, earlier):
            # A question its condition hides takes no files, as it takes no other answer.
            continue
        existing = (item_values if item_values is not None else journey.answers).get(item.name)
        records, file_errors, stored = receive_files(journey, item, existing, files.get(item.name))
        raw[item.name] = records
        bound[item.name].raw = records
        errors.extend(file_errors)
        stored_any = stored_any or stored
        if stored and item_values is None:
            # Keep stored files even if another question on the page is wrong.
            journey.answers[item.name] = records
    result = validate_page(journey.form, page, raw, journey.answers, journey.lang)
    errors.extend(result.errors)
    if stored_any and (errors or item_values is not None):
        journey.save()
    links = bound.apply_errors(errors)
    return PostResult(bound, links, result.values)


def save_page(journey: Journey, page: Page, values: Mapping[str, Any]) -> None:
    """Replace the page's answers with the newly validated ones."""
    draft = journey.ensure_draft()
    for item in page.all_fields():
        if item.name:
            draft.answers.pop(item.name, None)
    draft.answers.update(values)
    journey.mark_seen(page)
    journey.save()


def receive_files(
    journey: Journey, item: Any, existing: Any, posted: list[FileStorage] | None
) -> tuple[list[dict[str, Any]] | None, list[FieldError], bool]:
    """Check posted files by their content, then encrypt and store the good ones."""
    records: list[dict[str, Any]] = list(existing) if isinstance(existing, list) else []
    errors: list[FieldError] = []
    incoming = [file for file in posted or [] if file is not None and file.filename]
    if not incoming:
        return records or None, errors, False
    limit_bytes = int((item.max_size_mb or 10) * 1024 * 1024)
    accepted: list[tuple[bytes, Any, str]] = []
    for upload in incoming:
        content = upload.stream.read(limit_bytes + 1)
        upload.close()
        name = _chosen_name(upload.filename)
        if not content:
            errors.append(_file_error(journey, item, "file_empty", "file_empty", name))
            continue
        if len(content) > limit_bytes:
            # The definitions' own check, on a record of the size we stopped reading at.
            errors.extend(_record_errors(journey, item, name, _any_kind(item), len(content)))
            continue
        sniffed = sniff_file(content)
        if sniffed is None or kind_of(sniffed.content_type) is None:
            errors.append(_file_error(journey, item, "file_unknown_type", "file_type", name))
            continue
        refused = _record_errors(journey, item, name, sniffed.kind, len(content))
        if refused:
            errors.extend(refused)
            continue
        accepted.append((content, sniffed, name))
    if accepted:
        pending = records + [
            {"id": "pending", "name": name, "kind": sniffed.kind, "size": len(content)}
            for content, sniffed, name in accepted
        ]
        check = validate_answer(item, pending, journey.lang)
        if check.errors:
            return records or None, errors + list(check.errors), False
    draft = journey.ensure_draft()
    stored = False
    for content, sniffed, name in accepted:
        saved = store_upload(content, sniffed, draft.id)
        draft.uploads[saved.id] = saved.secret()
        records.append({"id": saved.id, "name": name, "kind": sniffed.kind, "size": saved.size})
        stored = True
    if stored:
        # The files first, then the draft that holds their keys (drafts have their own pool).
        db.session.commit()
    return records or None, errors, stored


def _any_kind(item: Any) -> str:
    return item.accept[0] if item.accept else "image"


def _chosen_name(filename: str | None) -> str:
    """The file's name as the person chose it, without its folders or control characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    try:
        return clean_text(base) or "file"
    except ValueError:
        return "file"


def _names_files(item: Any) -> bool:
    """Whether refusals name the file: a question that takes several must say which."""
    return int(item.max_files) > 1


def _file_error(journey: Journey, item: Any, key: str, code: str, name: str) -> FieldError:
    """A refusal the upload step finds itself (an empty file, or content we do not accept)."""
    if _names_files(item):
        key = "file_named_" + key.removeprefix("file_")
    return FieldError(item.name, t(key, journey.lang, name=name), code)


def _record_errors(
    journey: Journey, item: Any, name: str, kind: str, size: int
) -> list[FieldError]:
    """The definitions' file checks (kind, size) on one chosen file, before it is stored."""
    record = {"id": "pending", "name": name, "kind": kind, "size": size}
    return list(validate_answer(item, [record], journey.lang).errors)


def remove_file(journey: Journey, page: Page, upload_id: str) -> dict[str, Any] | None:
    """Find a stored file on a page: the record to confirm removal of, or None."""
    for item in page.fields:
        if item.type == "file" and item.name:
            for record in journey.answers.get(item.name) or []:
                if isinstance(record, dict) and record.get("id") == upload_id:
                    return record
    return None


def confirm_remove_file(journey: Journey, page: Page, upload_id: str) -> None:
    draft = journey.ensure_draft()
    for item in page.fields:
        if item.type == "file" and item.name and isinstance(draft.answers.get(item.name), list):
            kept = [r for r in draft.answers[item.name] if r.get("id") != upload_id]
            if kept:
                draft.answers[item.name] = kept
            else:
                draft.answers.pop(item.name, None)
    draft.uploads.pop(upload_id, None)
    discard_upload(upload_id, draft.id)
    db.session.commit()
    journey.save()


# Repeating pages ------------------------------------------------------------------


def items_of(journey: Journey, page: Page) -> list[dict[str, Any]]:
    items = journey.answers.get(page.id)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def save_item(journey: Journey, page: Page, number: int, values: Mapping[str, Any]) -> None:
    draft = journey.ensure_draft()
    items = items_of(journey, page)
    if number <= len(items):
        items[number - 1] = dict(values)
    else:
        items.append(dict(values))
    draft.answers[page.id] = items
    journey.save()


def remove_item(journey: Journey, page: Page, number: int) -> None:
    draft = journey.ensure_draft()
    items = items_of(journey, page)
    if 1 <= number <= len(items):
        del items[number - 1]
    if items:
        draft.answers[page.id] = items
    else:
        draft.answers.pop(page.id, None)
    seen = draft.state.get("seen", [])
    if page.id in seen and len(items) < (page.repeat.min if page.repeat else 0):
        seen.remove(page.id)
    journey.save()


def finish_repeat(journey: Journey, page: Page) -> None:
    journey.mark_seen(page)
    journey.save()


def item_label(journey: Journey, page: Page) -> str:
    if page.repeat is not None and page.repeat.item_label is not None:
        return page.repeat.item_label.get(journey.lang)
    return definition_messages.DEFAULT_ITEM.get(journey.lang, "item")


# Keeping the draft ---------------------------------------------------------------


def expiry_text(journey: Journey) -> str | None:
    """Say, in words, until when the answers are kept (WCAG 2.2.1 without JavaScript)."""
    if journey.draft is None or journey.draft.is_new:
        return None
    local = journey.draft.expires_at.astimezone(UK)
    return t(
        "time_left",
        journey.lang,
        time=clock(local),
        date=definition_messages.format_date(local.date(), journey.lang),
        hours=window_words(journey.lang),
    )


def clock(moment: dt.datetime) -> str:
    """Return a time in GOV.UK style: 9:05am, 12pm (midday), 10:30pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def window_words(lang: str) -> str:
    from .i18n import duration

    return duration(float(current_app.config["DRAFT_RESUME_HOURS"]), lang)
