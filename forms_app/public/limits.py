"""How large a request may be: small everywhere, and as large as a page's uploads need.

The application's MAX_CONTENT_LENGTH (SAFERFORMS_MAX_REQUEST_BYTES) applies to every request. A
public page that asks for files accepts instead what its file questions allow at most (each
question's file count times its size limit) plus room for the page's other answers, so a person
sending the files the page promises is never refused, and no other address accepts that much.
"""

from __future__ import annotations

from flask import Request

from forms_app.definitions.answers import DEFAULT_FILE_MAX_MB

MB = 1024 * 1024
# Room for the page's other answers and the multipart framing around the files.
HEADROOM = 1 * MB
UPLOAD_ENDPOINTS = frozenset({"public.post_page", "public.repeat_item"})


def upload_allowance(slug: str, page_id: str) -> int | None:
    """The bytes a post of this page may need for its files, or None if it asks for none."""
    from .catalogue import catalogue

    form = catalogue().public_form(slug)
    if form is None:
        return None
    try:
        page = form.page(page_id)
    except KeyError:
        return None
    files = [field for field in page.all_fields() if field.type == "file"]
    if not files:
        return None
    need = sum(field.max_files * (field.max_size_mb or DEFAULT_FILE_MAX_MB) for field in files)
    return int(need * MB) + HEADROOM


class SaferFormsRequest(Request):
    """Flask's request, with the size limit of a page that takes uploads raised to its need."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:  # set for this request by a view
            return self._max_content_length
        limit = super().max_content_length
        args = self.view_args or {}
        if (
            self.method == "POST"
            and self.endpoint in UPLOAD_ENDPOINTS
            and "slug" in args
            and "page_id" in args
        ):
            allowance = upload_allowance(str(args["slug"]), str(args["page_id"]))
            if allowance is not None and (limit is None or allowance > limit):
                return allowance
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
