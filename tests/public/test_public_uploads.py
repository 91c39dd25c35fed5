"""Evidence uploads: checked by content, renamed, encrypted at rest, sealed with the submission."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from sqlalchemy import select

from forms_app.models import Submission
from forms_app.public.models import Upload
from forms_app.public.uploads import sniff_file
from tests.public.public_helpers import (
    PNG,
    Browser,
    Visit,
    asb_answers,
    kitchen_answers,
    reference_on,
    upload,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)


def iso_media(brand: bytes, compatible: bytes = b"") -> bytes:
    box = b"ftyp" + brand + b"\x00\x00\x02\x00" + compatible
    return (len(box) + 4).to_bytes(4, "big") + box + bytes(64)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def zip_needing(version: int) -> bytes:
    """A document-like zip whose directory asks for a zip version Python cannot read."""
    content = bytearray(docx())
    at = content.find(b"PK\x01\x02")
    while at != -1:
        content[at + 6] = version  # "version needed to extract"
        at = content.find(b"PK\x01\x02", at + 4)
    return bytes(content)


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "content_type", "kind"),
    [
        (JPEG, "image/jpeg", "image"),
        (PNG, "image/png", "image"),
        (b"GIF89a" + bytes(20), "image/gif", "image"),
        (iso_media(b"heic", b"mif1heic"), "image/heic", "image"),
        (iso_media(b"mif1", b"heic"), "image/heic", "image"),
        (iso_media(b"isom", b"iso2avc1mp41"), "video/mp4", "video"),
        (iso_media(b"qt  "), "video/quicktime", "video"),
        (b"\x00\x00\x00\x08wide" + bytes(20), "video/quicktime", "video"),
        (b"%PDF-1.7\n" + bytes(20), "application/pdf", "document"),
        (
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
        ),
    ],
)
def test_files_are_recognised_by_their_content(content, content_type, kind):
    found = sniff_file(content)

    assert found is not None
    assert (found.content_type, found.kind) == (content_type, kind)


@pytest.mark.parametrize(
    "content",
    [
        b"hello world",
        b"<script>alert(1)</script>",
        b"MZ\x90\x00" + bytes(60),
        plain_zip(),
        zip_needing(64),
        b"PK\x03\x04 not really a zip",
        b"",
        iso_media(b"abcd"),
    ],
)
def test_other_content_is_not_recognised_whatever_its_name(content):
    assert sniff_file(content) is None


def test_an_uploaded_photo_is_stored_encrypted_under_a_generated_name(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    sent = upload(kitchen, (PNG, "my street.png"))

    rows = store.all(select(Upload))
    assert sent.status == 303
    assert len(rows) == 1
    assert rows[0].kind == "image"
    assert rows[0].size == len(PNG)
    assert PNG[:8] not in rows[0].content
    assert b"my street" not in rows[0].content
    assert "my street.png" in kitchen.get(kitchen.url("check-your-answers")).html


def test_a_file_whose_content_is_not_accepted_is_refused_with_a_clear_message(
    kitchen: Browser, store
):
    kitchen.walk(kitchen_answers(), stop_at="files")

    refused = upload(kitchen, (b"this is not a photo", "photo.jpg"))

    assert refused.status == 200
    assert refused.errors() == [
        "The file ‘photo.jpg’ must be a photo, video or document of a type we accept"
    ]
    assert refused.error_links() == ["#some_files"]
    assert store.all(select(Upload)) == []


def test_a_zip_python_cannot_read_is_refused_with_a_clear_message(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    refused = upload(kitchen, (zip_needing(64), "statement.docx"))

    assert refused.status == 200
    assert refused.errors() == [
        "The file ‘statement.docx’ must be a photo, video or document of a type we accept"
    ]
    assert store.all(select(Upload)) == []


def test_a_file_too_large_for_the_question_is_refused(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    # Just over the question's 0.25MB (and under the test client's 500KB spooling threshold).
    refused = upload(kitchen, (PNG + bytes(270 * 1024), "huge.png"))

    assert refused.status == 200
    assert refused.errors() == ["The file ‘huge.png’ must be smaller than 0.25MB"]
    assert store.all(select(Upload)) == []


def test_a_kind_the_question_does_not_accept_is_refused(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    refused = upload(kitchen, (iso_media(b"isom"), "clip.mp4"))

    assert refused.status == 200
    assert refused.errors() == ["The file ‘clip.mp4’ must be a photo or document"]
    assert store.all(select(Upload)) == []


def test_the_refused_file_among_several_is_named_and_the_good_one_is_kept(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    refused = upload(kitchen, (PNG, "street.png"), (b"", "empty.jpg"))

    assert refused.status == 200
    assert refused.errors() == ["The file ‘empty.jpg’ is empty"]
    assert refused.inline_errors() == {"some_files-error": "Error: The file ‘empty.jpg’ is empty"}
    assert [row.kind for row in store.all(select(Upload))] == ["image"]
    assert "street.png" in refused.html


def test_a_hostile_file_name_in_a_refusal_is_shown_as_text(kitchen: Browser):
    kitchen.walk(kitchen_answers(), stop_at="files")
    hostile = "<img src=x onerror=alert('x')>.png"

    refused = upload(kitchen, (b"not a picture", hostile))

    shown = "&lt;img src=x onerror=alert(&#39;x&#39;)&gt;.png"
    assert refused.errors() == [
        f"The file ‘{shown}’ must be a photo, video or document of a type we accept"
    ]
    assert "<img src=x" not in refused.html
    assert refused.html.count("onerror") == refused.html.count(shown)


def test_a_refused_file_is_named_in_welsh(browser: Browser):
    browser.walk(asb_answers(), stop_at="evidence")
    data = {"evidence_files": [(io.BytesIO(b"just words"), "nodiadau.txt")]}

    refused = browser.answer("evidence?lang=cy", data, content_type="multipart/form-data")

    assert refused.errors() == [
        "Rhaid i’r ffeil ‘nodiadau.txt’ fod yn llun, fideo neu ddogfen o fath rydym yn ei dderbyn"
    ]


def test_no_more_files_than_the_question_allows(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")

    refused = upload(kitchen, (PNG, "a.png"), (JPEG, "b.jpg"), (docx(), "c.docx"))

    assert refused.status == 200
    assert len(refused.errors()) == 1
    assert store.all(select(Upload)) == []


def test_an_uploaded_file_can_be_removed(kitchen: Browser, store):
    kitchen.walk(kitchen_answers(), stop_at="files")
    upload(kitchen, (PNG, "street.png"))
    upload_id = store.all(select(Upload))[0].id
    page = kitchen.get(kitchen.url("files"))
    assert f'href="/f/kitchen-sink/files/remove-file/{upload_id}"' in page.html

    confirm = kitchen.get(kitchen.url(f"files/remove-file/{upload_id}"))
    removed = kitchen.answer(f"files/remove-file/{upload_id}", {"remove": "yes"})

    assert "Are you sure you want to remove street.png?" in confirm.html
    assert removed.location == kitchen.url("files")
    assert store.all(select(Upload)) == []
    assert "street.png" not in kitchen.get(kitchen.url("files")).html


def test_submitted_files_are_sealed_with_the_report_and_only_the_processor_can_read_them(
    kitchen: Browser, store, app
):
    from forms_app.public.submissions import read_sealed
    from forms_app.public.uploads import read_upload

    kitchen.walk(kitchen_answers(), stop_at="files")
    document = docx()  # once: a ZIP records the time it was written
    upload(kitchen, (PNG, "street.png"), (document, "notes.docx"))
    reference = reference_on(
        kitchen.answer("check-your-answers", {"declaration": "yes"}).follow(kitchen)
    )

    submission = store.scalar(select(Submission).where(Submission.reference == reference))
    rows = store.all(select(Upload))
    with app.app_context():
        payload = read_sealed(submission.id, submission.sealed_answers)
        files = payload["answers"]["some_files"]
        contents = {
            item["name"]: read_upload(
                item["id"], base64.b64decode(payload["uploads"][item["id"]]["key"])
            )
            for item in files
        }
    assert {row.submission_id for row in rows} == {submission.id}
    assert {row.draft_id for row in rows} == {None}
    assert contents == {"street.png": PNG, "notes.docx": document}
    assert payload["uploads"][files[0]["id"]]["content_type"] == "image/png"


@pytest.fixture
def small_requests(app):
    """A service whose requests may be 64KB, smaller than the files page allows."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    return app


def test_the_files_a_page_promises_are_accepted_however_small_other_requests_must_be(
    kitchen: Browser, store, small_requests
):
    kitchen.walk(kitchen_answers(), stop_at="files")

    # Two files of 200KB each: each within the question's 0.25MB, together far over 64KB.
    sent = upload(kitchen, (PNG + bytes(200 * 1024), "a.png"), (PNG + bytes(200 * 1024), "b.png"))

    assert sent.status == 303, sent.errors()
    assert len(store.all(select(Upload))) == 2


def test_a_page_without_files_keeps_the_small_limit(kitchen: Browser, small_requests):
    kitchen.walk(kitchen_answers(), stop_at="text")
    body = {"anything": "x" * (100 * 1024)}

    assert kitchen.answer("text", body).status == 413
    assert kitchen.answer("files", body).status != 413


def photos_form(client, has_photos: str) -> Browser:
    """The conditional-files form, answered up to its evidence page."""
    photos = Browser(client, "conditional-files")
    photos.answer("", {"has_photos": has_photos})
    return photos


def send_photos(photos: Browser, data: dict[str, object] | None = None) -> Visit:
    files = [(io.BytesIO(PNG), "street.png"), (io.BytesIO(JPEG), "door.jpg")]
    body = {**(data or {}), "photos": files}
    return photos.answer("evidence", body, content_type="multipart/form-data")


def test_files_sent_for_a_question_its_condition_hides_are_not_stored(client, store):
    photos = photos_form(client, "no")

    sent = send_photos(photos)
    check = photos.get(photos.url("check-your-answers"))

    assert sent.status == 303, sent.errors()
    assert store.all(select(Upload)) == []
    assert check.status == 200
    assert "street.png" not in check.html
    assert "Upload photos" not in check.html


def test_files_for_a_hidden_question_are_not_kept_when_another_answer_is_wrong(client, store):
    photos = photos_form(client, "no")

    refused = send_photos(photos, {"notes": "x" * 600})

    assert refused.status == 200
    assert refused.errors() == ["Your answer must be 500 characters or less"]
    assert "street.png" not in refused.html
    assert store.all(select(Upload)) == []


def test_the_same_question_takes_files_when_its_condition_shows_it(client, store):
    photos = photos_form(client, "yes")

    sent = send_photos(photos)

    assert sent.status == 303, sent.errors()
    assert len(store.all(select(Upload))) == 2
    assert "street.png" in photos.get(photos.url("check-your-answers")).html
