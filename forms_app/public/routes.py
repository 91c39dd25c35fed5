"""Public pages: the start page and the forms at /f/<slug>, page by page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from werkzeug.wrappers import Response as ResponseBase

from forms_app.extensions import limiter

from . import models  # noqa: F401 - registers the draft and upload tables
from . import service as svc
from .drafts import attach_cookie, extend_draft, forget_cookie
from .i18n import t
from .references import new_reference
from .submissions import AlreadySent, discard_draft, store_submission
from .views import (
    check_context,
    page_context,
    remove_file_context,
    remove_item_context,
    render_confirmation,
    render_page,
    repeat_context,
)

bp = Blueprint("public", __name__)

HONEYPOT = "website"
CONFIRMATION_KEY = "sf_confirmation"

page_posts = limiter.shared_limit(
    lambda: current_app.config["FORM_PAGE_LIMIT"], scope="form-page-posts", methods=["POST"]
)
submissions = limiter.limit(
    lambda: current_app.config["FORM_SUBMIT_LIMIT"], scope="form-submissions", methods=["POST"]
)


@bp.get("/")
def index() -> str:
    """The start page: every public form this partnership offers."""
    forms = [
        {
            "url": f"{request.script_root}/f/{form.slug}",
            "title": form.title.get("en"),
            "description": form.description.get("en") if form.description else None,
        }
        for form in sorted(svc.catalogue().forms.values(), key=lambda item: item.slug)
        if form.channel == "public"
    ]
    return render_template("public/index.html", forms=forms)


def _done(journey: svc.Journey, target: str) -> ResponseBase:
    """Redirect, and give the browser the draft's cookie whenever the draft was saved."""
    response = redirect(target, code=303)
    if journey.saved and journey.draft is not None:
        attach_cookie(response, journey.slug, journey.draft)
    return response


def _render(journey: svc.Journey, template: str, context: dict[str, Any]) -> ResponseBase:
    return _respond(journey, render_template(template, **context))


def _respond(journey: svc.Journey, html: str) -> ResponseBase:
    response = ResponseBase(html, mimetype="text/html")
    if journey.saved and journey.draft is not None:
        # The cookie lasts as long as the draft it opens: renew it when the draft is kept longer.
        attach_cookie(response, journey.slug, journey.draft)
    return response


@bp.get("/f/<slug>", endpoint="page")
@bp.get("/f/<slug>/<page_id>", endpoint="page")
def show_page(slug: str, page_id: str | None = None) -> ResponseBase:
    # Viewing a page is not rate limited (only posts are), which keeps the busiest view light.
    return page(slug, page_id)


@bp.post("/f/<slug>", endpoint="post_page")
@bp.post("/f/<slug>/<page_id>", endpoint="post_page")
@page_posts
def post_page(slug: str, page_id: str | None = None) -> ResponseBase:
    return page(slug, page_id)


def page(slug: str, page_id: str | None = None) -> ResponseBase:
    """A question page, a content page, an exit page, or a repeating page's summary."""
    journey = svc.open_journey(slug, request)
    current = svc.page_for(journey, page_id)
    if not journey.may_open(current):
        return _done(journey, journey.resume_url())
    if current.repeat is not None:
        return repeat_summary(journey, current)
    if request.method == "POST" and not current.exit:
        result = svc.post_page(journey, current, request.form, request.files.to_dict(flat=False))
        if result.ok:
            svc.save_page(journey, current, result.values)
            target = journey.resume_url() if request.args.get("change") else None
            return _done(journey, target or journey.next_after(current))
        return _render(journey, "public/page.html", page_context(journey, current, result))
    return _respond(journey, render_page(journey, current))


def repeat_summary(journey: svc.Journey, current: Any) -> ResponseBase:
    """The "add another" page: what has been added, and whether to add more."""
    items = svc.items_of(journey, current)
    if not items and current.repeat.min > 0:
        return _done(journey, journey.page_url(current, 1))
    error = None
    about_item = None
    if request.method == "POST":
        answer = request.form.get("add_another")
        full = len(items) >= current.repeat.max
        if answer == "yes" and not full:
            return _done(journey, journey.page_url(current, len(items) + 1))
        if answer == "no" or full:
            svc.finish_repeat(journey, current)
            journey.invalidate()
            if not journey.check.ok and journey.check.first_page_id == current.id:
                problem = journey.check.problems[0]
                error, about_item = problem.error.message, problem.item
            else:
                return _done(journey, journey.next_after(current))
        else:
            key = "repeat_choose" if items else "repeat_choose_first"
            error = t(key, journey.lang, item=svc.item_label(journey, current))
    context = repeat_context(journey, current, items, error, about_item)
    return _render(journey, "public/repeat.html", context)


@bp.route("/f/<slug>/<page_id>/<int:number>", methods=["GET", "POST"])
@page_posts
def repeat_item(slug: str, page_id: str, number: int) -> ResponseBase:
    """One item of a repeating page (number counts from 1; one past the end adds a new one)."""
    journey = svc.open_journey(slug, request)
    current = svc.page_for(journey, page_id)
    items = svc.items_of(journey, current)
    if current.repeat is None or not journey.may_open(current):
        return _done(journey, journey.resume_url())
    if not 1 <= number <= min(len(items) + 1, current.repeat.max):
        return _done(journey, journey.page_url(current))
    values = items[number - 1] if number <= len(items) else {}
    if request.method == "POST":
        result = svc.post_page(
            journey, current, request.form, request.files.to_dict(flat=False), values
        )
        if result.ok and not result.values:
            result.errors.append(result.form.page_error(t("repeat_empty_item", journey.lang)))
        if result.ok:
            svc.save_item(journey, current, number, result.values)
            return _done(journey, journey.page_url(current))
        context = page_context(journey, current, result, number=number)
        return _render(journey, "public/page.html", context)
    bound = svc.build_form(journey, current, values=values)
    return _respond(journey, render_page(journey, current, number=number, bound=bound))


@bp.route("/f/<slug>/<page_id>/<int:number>/remove", methods=["GET", "POST"])
@page_posts
def remove_item(slug: str, page_id: str, number: int) -> ResponseBase:
    journey = svc.open_journey(slug, request)
    current = svc.page_for(journey, page_id)
    items = svc.items_of(journey, current)
    if current.repeat is None or not 1 <= number <= len(items):
        return _done(journey, journey.resume_url())
    error = None
    if request.method == "POST":
        answer = request.form.get("remove")
        if answer in ("yes", "no"):
            if answer == "yes":
                svc.remove_item(journey, current, number)
            return _done(journey, journey.page_url(current))
        error = t(
            "remove_choose", journey.lang, item=svc.item_label(journey, current), number=number
        )
    context = remove_item_context(journey, current, number, error)
    return _render(journey, "public/remove.html", context)


@bp.route("/f/<slug>/<page_id>/remove-file/<upload_id>", methods=["GET", "POST"])
@page_posts
def remove_file(slug: str, page_id: str, upload_id: str) -> ResponseBase:
    journey = svc.open_journey(slug, request)
    current = svc.page_for(journey, page_id)
    record = svc.remove_file(journey, current, upload_id)
    if record is None:
        return _done(journey, journey.page_url(current))
    error = None
    if request.method == "POST":
        answer = request.form.get("remove")
        if answer in ("yes", "no"):
            if answer == "yes":
                svc.confirm_remove_file(journey, current, upload_id)
            return _done(journey, journey.page_url(current))
        error = t("remove_file_choose", journey.lang, name=record.get("name", ""))
    context = remove_file_context(journey, current, record, error)
    return _render(journey, "public/remove.html", context)


@bp.route(f"/f/<slug>/{svc.CHECK_PAGE}", methods=["GET", "POST"])
@submissions
def check_answers(slug: str) -> ResponseBase:
    """Check your answers, the declaration, and sending the report."""
    journey = svc.open_journey(slug, request)
    if journey.resume_page() is not None or not journey.check.ok:
        return _done(journey, journey.resume_url())
    error = None
    if request.method == "POST":
        if request.form.get(HONEYPOT):
            # A bot filled the field people never see: store nothing, look the same.
            reference = new_reference(journey.form.reference_prefix)
            if journey.draft is not None:
                discard_draft(journey.draft)
            return _confirmed(journey, reference)
        if journey.form.declaration is not None and request.form.get("declaration") != "yes":
            error = t("declaration_required", journey.lang)
        else:
            try:
                stored = store_submission(
                    journey.form, journey.version_id, journey.ensure_draft(), journey.check.answers
                )
            except AlreadySent:
                # A second click while the first was being stored: that one holds the report.
                return _already_sent(journey)
            return _confirmed(journey, stored.reference)
    return _render(journey, "public/check.html", check_context(journey, error))


def _confirmed(journey: svc.Journey, reference: str) -> ResponseBase:
    session[CONFIRMATION_KEY] = {"slug": journey.slug, "reference": reference, "lang": journey.lang}
    response = redirect(journey.url(svc.CONFIRMATION_PAGE), code=303)
    forget_cookie(response, journey.slug)
    return response


def _already_sent(journey: svc.Journey) -> ResponseBase:
    """Show the confirmation of the request that stored the report, leaving its session alone."""
    response = redirect(journey.url(svc.CONFIRMATION_PAGE), code=303)
    forget_cookie(response, journey.slug)
    return response


@bp.get(f"/f/<slug>/{svc.CONFIRMATION_PAGE}")
def confirmation(slug: str) -> ResponseBase | str:
    journey = svc.open_journey(slug, request)
    done = session.get(CONFIRMATION_KEY)
    if not isinstance(done, dict) or done.get("slug") != slug:
        return redirect(journey.root, code=303)
    if "lang" not in request.args and done.get("lang") in journey.form.languages:
        journey.lang = done["lang"]
    return render_confirmation(journey, str(done["reference"]))


@bp.post("/f/<slug>/keep-alive")
@page_posts
def keep_alive(slug: str) -> ResponseBase:
    """Keep the answers for another full window (the timeout warning's button)."""
    journey = svc.open_journey(slug, request)
    if journey.draft is None or journey.draft.is_new:
        if request.accept_mimetypes.best == "application/json":
            return ResponseBase('{"kept": false}', status=410, mimetype="application/json")
        return redirect(journey.root, code=303)
    expires = extend_draft(journey.draft)
    response: ResponseBase
    if request.accept_mimetypes.best == "application/json":
        response = jsonify(
            kept=True,
            expires_at=expires.isoformat(),
            message=t("kept", journey.lang),
            text=svc.expiry_text(journey),
        )
    else:
        response = redirect(_same_form(journey, request.form.get("next")), code=303)
    attach_cookie(response, slug, journey.draft)
    return response


@bp.post("/f/<slug>/start-again")
@page_posts
def start_again(slug: str) -> ResponseBase:
    journey = svc.open_journey(slug, request)
    if journey.draft is not None and not journey.draft.is_new:
        discard_draft(journey.draft)
    response = redirect(journey.root, code=303)
    forget_cookie(response, slug)
    return response


def _same_form(journey: svc.Journey, target: str | None) -> str:
    """Only ever send the user back into the same form (no open redirects)."""
    if target and target.startswith(journey.root + "/") or target == journey.root:
        if "//" not in target and "\\" not in target:
            return target
    return journey.resume_url()
