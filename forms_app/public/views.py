"""What each public page template is given: plain values, worked out here, not in templates."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from forms_app.definitions import Page, display_answer, evaluate, questions
from forms_app.formkit import ErrorLink, PageForm, blocks_html
from forms_app.formkit.handlers import PhoneHandler

from . import service as svc
from .i18n import LANGUAGE_NAMES, t

KEEP_ALIVE_WARNING_SECONDS = 5 * 60


@dataclass(frozen=True)
class Volatile:
    """What changes from one request to the next on an otherwise identical page."""

    csrf: str
    expires_at: str
    expiry_text: str

    @classmethod
    def now(cls, journey: svc.Journey) -> Volatile:
        draft = journey.draft
        return cls(
            generate_csrf(),
            draft.expires_at.isoformat() if draft is not None else "",
            svc.expiry_text(journey) or "",
        )


# Stand-ins rendered into a kept page and replaced on each request. They are private-use
# characters: a person could type them, so replacement is one pass over the kept page, and
# nothing a person typed is ever read for stand-ins (see _fill).
_TOKEN = re.compile("\ue000([^\ue000\ue001]{1,200})\ue001")


def _token(name: str) -> str:
    return f"\ue000{name}\ue001"


PLACEHOLDERS = Volatile(_token("csrf"), _token("expires"), _token("expiry"))


def _fill(html: str, values: dict[str, str]) -> str:
    return _TOKEN.sub(lambda match: values.get(match.group(1), ""), html)


def _volatile_values(volatile: Volatile) -> dict[str, str]:
    return {
        "csrf": volatile.csrf,
        "expires": volatile.expires_at,
        "expiry": str(escape(volatile.expiry_text)),
    }


def base_context(
    journey: svc.Journey,
    title: str,
    errors: list[ErrorLink] | None = None,
    volatile: Volatile | None = None,
) -> dict[str, Any]:
    lang = journey.lang
    volatile = volatile or Volatile.now(journey)
    return {
        "journey": journey,
        "lang": lang,
        "html_lang": lang,
        "t": lambda key, **params: t(key, lang, **params),
        "service_name": journey.form.title.get(lang),
        "service_url": journey.root,
        "page_heading_title": title,
        "errors": errors or [],
        "error_list": [{"text": error.text, "href": error.href} for error in errors or []],
        "page_has_errors": bool(errors),
        "_error_prefix": t("error_prefix", lang),
        "skip_link_text": t("skip_link", lang),
        "languages": language_links(journey),
        "timeout": timeout_settings(journey, volatile),
        "csrf_token": volatile.csrf,
    }


def language_links(journey: svc.Journey) -> list[dict[str, Any]]:
    if len(journey.form.languages) < 2:
        return []
    links = []
    for code in journey.form.languages:
        query = {key: value for key, value in request.args.items() if key != "lang"}
        query["lang"] = code
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                "url": f"{request.path}?{urlencode(query)}",
                "current": code == journey.lang,
            }
        )
    return links


def timeout_settings(journey: svc.Journey, volatile: Volatile) -> dict[str, Any] | None:
    """The session-timeout warning (with JavaScript) and the same facts in words (without)."""
    draft = journey.draft
    if draft is None or draft.is_new:
        return None
    window_seconds = float(current_app.config["DRAFT_RESUME_HOURS"]) * 3600
    return {
        "expires_at": volatile.expires_at,
        "warn_seconds": int(min(KEEP_ALIVE_WARNING_SECONDS, window_seconds / 2)),
        "keep_alive_url": journey.url("keep-alive"),
        "csrf_token": volatile.csrf,
        "text": volatile.expiry_text,
        "next": request.full_path.rstrip("?"),
        "deleted_url": journey.root,
    }


def _action(journey: svc.Journey) -> str:
    """Post back to the same address, keeping the language until a draft remembers it."""
    query = {}
    if request.args.get("change"):
        query["change"] = "1"
    if journey.draft is None and request.args.get("lang") in journey.form.languages:
        query["lang"] = request.args["lang"]
    return request.path + (f"?{urlencode(query)}" if query else "")


def _back(journey: svc.Journey, page: Page, number: int | None) -> str | None:
    if request.args.get("change"):
        return journey.url(svc.CHECK_PAGE)
    if number is not None:
        if svc.items_of(journey, page):
            return journey.page_url(page)
    previous = journey.previous(page)
    return journey.page_url(previous) if previous is not None else None


def page_context(
    journey: svc.Journey,
    page: Page,
    result: svc.PostResult | None = None,
    *,
    number: int | None = None,
    bound: PageForm | None = None,
    volatile: Volatile | None = None,
    facts: PageFacts | None = None,
) -> dict[str, Any]:
    lang = journey.lang
    form = (
        result.form
        if result is not None
        else bound or svc.build_form(journey, page, request_args=request.args)
    )
    facts = facts or page_facts(journey, page, number)
    title = page.title.get(lang)
    label = svc.item_label(journey, page) if page.repeat is not None else ""
    caption = _section_title(journey, page)
    document_title = title
    if number is not None:
        # Which item this is goes in the caption above the heading, and in the window title.
        caption = t("item_heading", lang, item=label.capitalize(), number=number)
        document_title = f"{title} – {caption}"
    for bound_field in form.top:
        if bound_field.definition.type == "file":
            bound_field.remove_url = journey.url(page.id, "remove-file")
    visible_questions = [f for f in form.top if f.definition.type not in ("content", "hidden")]
    errors = result.errors if result is not None else None
    context = base_context(journey, document_title, errors, volatile)
    context.update(
        page=page,
        form=form,
        heading=None if form.heading_field is not None else title,
        caption=caption,
        back_url=facts.back_url,
        action=_action(journey),
        multipart=form.has_files,
        has_position=any(f.definition.type == "location" and f.definition.map for f in form.top),
        start_button=facts.is_first and not visible_questions,
        resume_url=facts.resume_url,
        start_again_url=journey.url("start-again"),
        timed_out=facts.timed_out,
    )
    return context


@dataclass(frozen=True)
class PageFacts:
    """The parts of a page that depend on where the user is in their journey."""

    back_url: str | None
    resume_url: str | None
    timed_out: bool
    is_first: bool


def page_facts(journey: svc.Journey, page: Page, number: int | None) -> PageFacts:
    is_first = page is journey.form.pages[0]
    return PageFacts(
        back_url=_back(journey, page, number),
        resume_url=journey.resume_url() if is_first and journey.seen() else None,
        timed_out=is_first and journey.timed_out,
        is_first=is_first,
    )


# Rendered pages, kept per worker and keyed by everything that shapes them: the version, page,
# language, address, the user's place in the journey and their choices among the definition's
# own options. What a person typed is never kept: it is rendered as a stand-in and put back,
# escaped, on each request; so is everything request-specific (see PLACEHOLDERS).
_CHOICES = ("radios", "yesno", "checkboxes", "select")
RENDER_CACHE_SIZE = 512
_RENDERED = "saferforms.rendered_pages"
_rendered_lock = threading.Lock()


def rendered_pages() -> OrderedDict[tuple[Any, ...], str]:
    """This application's kept pages (its configuration, e.g. the draft window, shapes them)."""
    kept: OrderedDict[tuple[Any, ...], str] | None = current_app.extensions.get(_RENDERED)
    if kept is None:
        with _rendered_lock:
            kept = current_app.extensions.setdefault(_RENDERED, OrderedDict())
    return kept


def _kept_page(key: tuple[Any, ...], render: Callable[[], str]) -> str:
    """The page kept under `key`, rendered (with stand-ins) and kept the first time."""
    kept = rendered_pages()
    html = kept.get(key)
    if html is None:
        html = render()
        with _rendered_lock:
            kept[key] = html
            while len(kept) > RENDER_CACHE_SIZE:
                kept.popitem(last=False)
    return html


class _Uncacheable(Exception):
    pass


def _shape(raw: Any) -> Any:
    """What a typed value looks like to the templates: which parts are filled, never their text."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        return "text"
    if isinstance(raw, dict):
        return tuple((key, _shape(raw[key])) for key in sorted(raw))
    raise _Uncacheable


def _mask(raw: Any, name: str, values: dict[str, str]) -> Any:
    """Swap each typed text for a stand-in, noting the escaped text to put back."""
    if raw is None or raw == "":
        return raw
    if isinstance(raw, str):
        values[name] = str(escape(raw))
        return _token(name)
    if isinstance(raw, dict):
        return {key: _mask(value, f"{name}.{key}", values) for key, value in raw.items()}
    raise _Uncacheable


def _plan(form: PageForm) -> tuple[tuple[Any, ...], dict[str, Any], dict[str, str]] | None:
    """The cache key's share of the page, stand-ins for typed values, and their escaped text."""
    parts: list[Any] = []
    masked: dict[str, Any] = {}
    values: dict[str, str] = {}
    try:
        for slot in form.slots:
            bound = form[slot.name]
            kind = bound.definition.type
            if kind == "content" or (kind == "hidden" and bound.definition.source == "fixed"):
                continue
            raw = bound.raw
            if kind in _CHOICES:
                parts.append((slot.name, tuple(raw) if isinstance(raw, list) else raw))
            elif kind == "file":
                if raw:
                    return None  # the file list shows names and sizes
                parts.append((slot.name, None))
            else:
                parts.append((slot.name, _shape(raw)))
                masked[slot.name] = _mask(raw, f"v:{slot.name}", values)
    except _Uncacheable:
        return None
    parts.append(tuple(bound.name for bound in form.top))
    return tuple(parts), masked, values


def render_page(
    journey: svc.Journey, page: Page, *, number: int | None = None, bound: PageForm | None = None
) -> str:
    """Render a question page for a GET, reusing the page rendered for the same shape."""
    form = bound or svc.build_form(journey, page, request_args=request.args)
    plan = _plan(form)
    if plan is None:
        return render_template(
            "public/page.html", **page_context(journey, page, number=number, bound=form)
        )
    shape, masked, values = plan
    facts = page_facts(journey, page, number)
    key = (
        journey.form.content_hash,
        journey.lang,
        request.full_path,
        page.id,
        number,
        facts,
        journey.draft is not None and not journey.draft.is_new,
        shape,
    )

    def render() -> str:
        for name, stand_in in masked.items():
            form[name].raw = stand_in
        context = page_context(
            journey, page, number=number, bound=form, volatile=PLACEHOLDERS, facts=facts
        )
        return render_template("public/page.html", **context)

    html = _kept_page(key, render)
    return _fill(html, {**_volatile_values(Volatile.now(journey)), **values})


def _section_title(journey: svc.Journey, page: Page) -> str | None:
    if page.section is None:
        return None
    try:
        return journey.form.section(page.section).title.get(journey.lang)
    except KeyError:
        return None


def repeat_context(
    journey: svc.Journey,
    page: Page,
    items: list[dict[str, Any]],
    error: str | None,
    about_item: int | None = None,
) -> dict[str, Any]:
    """The "add another" page; `about_item` is the index of the item an error is about."""
    lang = journey.lang
    label = svc.item_label(journey, page)
    assert page.repeat is not None
    full = len(items) >= page.repeat.max
    question_key = "repeat_add_another" if items else "repeat_add_first"
    at_card = _repeat_error_card(full, len(items), about_item) if error else None
    errors = []
    if error:
        href = "#add_another" if at_card is None else f"#{_change_id(at_card)}"
        errors.append(ErrorLink(error, href))
    title = page.title.get(lang)
    context = base_context(journey, title, errors)
    cards = [
        {
            "title": t("item_heading", lang, item=label.capitalize(), number=index),
            "rows": _rows(journey, page, item, change_url=None),
            "change_url": journey.page_url(page, index),
            "change_id": _change_id(index),
            "remove_url": journey.url(page.id, index, "remove"),
            "error": (
                {"id": f"item-{index}-error", "text": error, "prefix": _error_word(lang)}
                if index == at_card
                else None
            ),
        }
        for index, item in enumerate(items, start=1)
    ]
    intro = [f for f in page.fields if f.type == "content" and f.text is not None]
    context.update(
        page=page,
        heading=title,
        caption=_section_title(journey, page),
        intro=Markup("").join(blocks_html(f.text.blocks(lang)) for f in intro if f.text),
        cards=cards,
        count_text=_count_text(lang, len(items), label) if items else None,
        full=full,
        full_text=t("repeat_full", lang, max=page.repeat.max),
        question=t(question_key, lang, item=label),
        error=error if at_card is None else None,
        back_url=_back(journey, page, None),
        action=_action(journey),
    )
    return context


def _repeat_error_card(full: bool, count: int, about_item: int | None) -> int | None:
    """Which item (counting from 1) shows an error, or None for the "add another" question.

    An error about one item shows on its card, linked to its change link; so does an error
    about the whole page when the page is full, since the question is then not shown.
    """
    if about_item is not None and 0 <= about_item < count:
        return about_item + 1
    if full and count:
        return 1
    return None


def _change_id(number: int) -> str:
    return f"item-{number}-change"


def _error_word(lang: str) -> str:
    return t("error_prefix", lang).replace(": ", "")


def _count_text(lang: str, count: int, label: str) -> str:
    if count == 1:
        return t("repeat_added_one", lang, item=label)
    return t("repeat_added_many", lang, count=count, items=_plural(label, lang))


def _plural(label: str, lang: str) -> str:
    if lang != "en":
        return label
    if label == "person":
        return "people"
    return label if label.endswith("s") else f"{label}s"


def remove_item_context(
    journey: svc.Journey, page: Page, number: int, error: str | None
) -> dict[str, Any]:
    label = svc.item_label(journey, page)
    title = t("remove_title", journey.lang, item=label, number=number)
    return _remove_context(journey, page, title, error)


def remove_file_context(
    journey: svc.Journey, page: Page, record: dict[str, Any], error: str | None
) -> dict[str, Any]:
    title = t("remove_file_title", journey.lang, name=record.get("name", ""))
    return _remove_context(journey, page, title, error)


def _remove_context(
    journey: svc.Journey, page: Page, title: str, error: str | None
) -> dict[str, Any]:
    errors = [ErrorLink(error, "#remove")] if error else []
    context = base_context(journey, title, errors)
    context.update(
        heading=title,
        error=error,
        back_url=journey.page_url(page),
        action=_action(journey),
    )
    return context


def _rows(
    journey: svc.Journey, page: Page, values: dict[str, Any], change_url: str | None
) -> list[dict[str, Any]]:
    """Summary list rows for a page's questions (or one repeating item's)."""
    lang = journey.lang
    earlier = svc.earlier_answers(journey)
    rows = []
    parents_shown: set[str] = set()
    for item in page.fields:
        if not item.is_question or item.type == "hidden" or item.name is None:
            continue
        if not evaluate(item.condition, earlier):
            continue
        value = values.get(item.name)
        rows.append(_row(journey, item, value, change_url))
        parents_shown.add(item.name)
        for _option, follow_up in item.revealed_fields():
            if follow_up.name and values.get(follow_up.name) is not None:
                rows.append(_row(journey, follow_up, values[follow_up.name], change_url))
    del lang
    return rows


def _row(journey: svc.Journey, item: Any, value: Any, change_url: str | None) -> dict[str, Any]:
    lang = journey.lang
    lines = display_answer(item, value, lang)
    if item.type == "phone" and isinstance(value, str):
        # Stored in E.164; shown the way the person would write it.
        lines = [PhoneHandler(item, lang).from_answer(value) or value]
    label = item.label.get(lang) if item.label is not None else item.name
    row: dict[str, Any] = {
        "key": {"text": label},
        "value": {"html": _lines(lines)} if lines else {"text": t("not_answered", lang)},
    }
    if change_url:
        row["actions"] = {
            "items": [
                {
                    "href": change_url,
                    "text": t("change", lang),
                    "visuallyHiddenText": label,
                }
            ]
        }
    return row


def _lines(lines: list[str]) -> Markup:
    return Markup("<br>").join(lines)


def check_context(journey: svc.Journey, error: str | None) -> dict[str, Any]:
    lang = journey.lang
    check = journey.check
    groups: list[dict[str, Any]] = []
    for page in check.pages:
        if page.exit or not questions(page) and page.repeat is None:
            continue
        section = _section_title(journey, page)
        if not groups or groups[-1]["section"] != section:
            groups.append({"section": section, "blocks": []})
        blocks = groups[-1]["blocks"]
        if page.repeat is None:
            rows = _rows(journey, page, check.answers, journey.page_url(page) + "?change=1")
            _add_rows(blocks, rows)
            continue
        label = svc.item_label(journey, page)
        items = check.answers.get(page.id) or []
        if not items:
            change = {
                "href": journey.page_url(page) + "?change=1",
                "text": t("change", lang),
                "visuallyHiddenText": page.title.get(lang),
            }
            _add_rows(
                blocks,
                [
                    {
                        "key": {"text": page.title.get(lang)},
                        "value": {"text": t("none_added", lang)},
                        "actions": {"items": [change]},
                    }
                ],
            )
        for index, item in enumerate(items, start=1):
            change_url = journey.page_url(page, index) + "?change=1"
            blocks.append(
                {
                    "card": t("item_heading", lang, item=label.capitalize(), number=index),
                    "rows": _rows(journey, page, item, change_url),
                }
            )
    declaration = journey.form.declaration
    errors = [ErrorLink(error, "#declaration")] if error else []
    context = base_context(journey, t("check_title", lang), errors)
    context.update(
        heading=t("check_title", lang),
        groups=[group for group in groups if group["blocks"]],
        declaration_html=blocks_html(declaration.text.blocks(lang)) if declaration else None,
        declaration_label=declaration.label.get(lang) if declaration else None,
        error=error,
        back_url=_last_page_url(journey),
        action=_action(journey),
    )
    return context


def _add_rows(blocks: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Append rows to the section's current list, keeping cards where they fall in the form."""
    if not rows:
        return
    if blocks and blocks[-1].get("card") is None:
        blocks[-1]["rows"].extend(rows)
    else:
        blocks.append({"card": None, "rows": list(rows)})


def _last_page_url(journey: svc.Journey) -> str | None:
    pages = journey.check.pages
    return journey.page_url(pages[-1]) if pages else None


def render_confirmation(journey: svc.Journey, reference: str) -> str:
    """Render the confirmation page, reusing the page rendered for the same form, language and
    address: only the reference differs from one report to the next."""
    key = (
        svc.CONFIRMATION_PAGE,
        journey.form.content_hash,
        journey.lang,
        journey.root,
        request.full_path,
    )
    html = _kept_page(
        key,
        lambda: render_template(
            "public/confirmation.html",
            **confirmation_context(journey, _token("reference"), volatile=PLACEHOLDERS),
        ),
    )
    values = {**_volatile_values(Volatile.now(journey)), "reference": str(escape(reference))}
    return _fill(html, values)


def confirmation_context(
    journey: svc.Journey, reference: str, volatile: Volatile | None = None
) -> dict[str, Any]:
    lang = journey.lang
    confirmation = journey.form.confirmation
    title = (
        confirmation.title.get(lang)
        if confirmation is not None and confirmation.title is not None
        else t("confirmation_title", lang)
    )
    context = base_context(journey, title, volatile=volatile)
    context.update(
        heading=title,
        reference=reference,
        text_html=(
            blocks_html(confirmation.text.blocks(lang))
            if confirmation is not None
            else blocks_html([("p", t("confirmation_text", lang))])
        ),
        timeout=None,
    )
    return context
