"""Evidence uploads: checked by their content, renamed, and encrypted before they are stored.

The browser's file name and content type are not trusted: the type comes from the file's first
bytes (its "magic number"), the stored name is a generated id, and the content is encrypted with
AES-256-GCM under a key of its own. That key is kept in the (encrypted) draft and, on submit,
inside the sealed submission, so only the processor can ever read a submitted file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, insert, select

from forms_app.extensions import db
from forms_app.models import new_id, utcnow

from .models import Upload

NONCE_BYTES = 12


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str  # image, video, audio or document: the kinds a definition's `accept` names
    extension: str


# ISO base media files (MP4, MOV, HEIC, M4A) name their flavour in the "ftyp" box's brand.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_QUICKTIME_BRANDS = {b"qt  "}
_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP",
    b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"mmp4", b"f4v ",
}  # fmt: skip
# Older QuickTime files start with one of these atoms instead of "ftyp".
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def sniff(head: bytes) -> Sniffed | None:
    """Return what a file really is from its first bytes, or None if it is not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "image", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "image", "png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", "image", "gif")
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "document", "pdf")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media(head)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS:
        return Sniffed("video/quicktime", "video", "mov")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Sniffed("audio/mpeg", "audio", "mp3")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio/wav", "audio", "wav")
    return None


def _iso_media(head: bytes) -> Sniffed | None:
    brands = {head[8:12]}
    box_size = int.from_bytes(head[0:4], "big")
    # Compatible brands follow the major brand and minor version, up to the box's end.
    end = min(box_size, len(head))
    brands.update(head[offset : offset + 4] for offset in range(16, end - 3, 4))
    major = head[8:12]
    if major in _HEIF_BRANDS or (major not in _MP4_BRANDS and brands & _HEIF_BRANDS):
        return Sniffed("image/heic", "image", "heic")
    if major in _QUICKTIME_BRANDS:
        return Sniffed("video/quicktime", "video", "mov")
    if major in _AUDIO_BRANDS:
        return Sniffed("audio/mp4", "audio", "m4a")
    if major in _MP4_BRANDS or brands & _MP4_BRANDS:
        return Sniffed("video/mp4", "video", "mp4")
    return None


def sniff_file(content: bytes) -> Sniffed | None:
    """Return what a whole file is; ZIP containers are opened to tell a Word document apart."""
    if content.startswith(b"PK\x03\x04"):
        return _office_document(content)
    return sniff(content[:512])


def _office_document(content: bytes) -> Sniffed | None:
    # Only the central directory is read: nothing is decompressed, so a zip bomb costs nothing.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # NotImplementedError: a directory asking for a zip version or feature Python lacks.
        return None
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return Sniffed(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
            "docx",
        )
    return None


@dataclass(frozen=True)
class StoredUpload:
    """What the draft keeps about a stored file (the key never leaves the draft or the seal)."""

    id: str
    key: bytes
    content_type: str
    kind: str
    size: int
    sha256: str

    def secret(self) -> dict[str, object]:
        return {
            "key": base64.b64encode(self.key).decode(),
            "content_type": self.content_type,
            "sha256": self.sha256,
        }


def store_upload(content: bytes, sniffed: Sniffed, draft_id: str) -> StoredUpload:
    """Encrypt and store a file (the caller commits with the draft)."""
    upload_id = new_id()
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = nonce + AESGCM(key).encrypt(nonce, content, _associated_data(upload_id))
    db.session.execute(
        insert(Upload).values(
            id=upload_id,
            draft_id=draft_id,
            kind=sniffed.kind,
            size=len(content),
            content=ciphertext,
            created_at=utcnow(),
        )
    )
    return StoredUpload(
        upload_id,
        key,
        sniffed.content_type,
        sniffed.kind,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )


def read_upload(upload_id: str, key: bytes) -> bytes:
    """Decrypt a stored file with its key (held by the draft, or by the processor after submit)."""
    blob = db.session.execute(select(Upload.content).where(Upload.id == upload_id)).scalar_one()
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _associated_data(upload_id))


def discard_upload(upload_id: str, draft_id: str) -> None:
    """Delete an unsubmitted file of this draft (the caller commits)."""
    db.session.execute(
        delete(Upload).where(
            Upload.id == upload_id, Upload.draft_id == draft_id, Upload.submission_id.is_(None)
        )
    )


def _associated_data(upload_id: str) -> bytes:
    return b"saferforms-upload-v1\x1f" + upload_id.encode()
