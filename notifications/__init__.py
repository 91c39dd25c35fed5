"""Notifications: message templates and the transports that send them.

The transport is chosen by configuration (MAIL_TRANSPORT): "file" (the embedded default, one
file a message in instance/outbox/), "smtp" or "notify" (GOV.UK Notify). An unknown name is an
error, never a silent default. The jobs that decide who is told what are in notifications.jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import messages
from .messages import Message
from .transports import (
    DeliveryError,
    FileTransport,
    NotifyTransport,
    SmtpTransport,
    Transport,
)

TRANSPORTS = ("file", "smtp", "notify")
DEFAULT_SENDER = "Safer Forms <no-reply@saferforms.invalid>"
# The defaults of MAIL_SMTP_PORT (submission, with STARTTLS), MAIL_SMTP_TIMEOUT and NOTIFY_TIMEOUT;
# forms_app.config checks the settings against the same values.
DEFAULT_SMTP_PORT = 587
DEFAULT_TIMEOUT_SECONDS = 15.0


class TransportConfigError(ValueError):
    """The mail settings cannot build a transport; the message names the setting."""


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def _required(settings: Mapping[str, Any], name: str, transport: str) -> str:
    value = settings.get(name)
    if value in (None, ""):
        raise TransportConfigError(f"MAIL_TRANSPORT={transport} needs {name}")
    return str(value)


def build_transport(settings: Mapping[str, Any]) -> Transport:
    """Build the transport that settings["MAIL_TRANSPORT"] names."""
    name = str(settings.get("MAIL_TRANSPORT") or "").strip().lower()
    sender = str(settings.get("MAIL_FROM") or DEFAULT_SENDER)
    if name == "file":
        return FileTransport(Path(_required(settings, "OUTBOX_DIR", name)), sender)
    if name == "smtp":
        return SmtpTransport(
            _required(settings, "MAIL_SMTP_HOST", name),
            int(settings.get("MAIL_SMTP_PORT") or DEFAULT_SMTP_PORT),
            sender,
            starttls=_flag(settings.get("MAIL_SMTP_STARTTLS")),
            use_ssl=_flag(settings.get("MAIL_SMTP_SSL")),
            username=settings.get("MAIL_SMTP_USERNAME") or None,
            password=settings.get("MAIL_SMTP_PASSWORD") or None,
            timeout=float(settings.get("MAIL_SMTP_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS),
        )
    if name == "notify":
        template_ids = {
            template: _required(settings, f"NOTIFY_TEMPLATE_{template.upper()}", name)
            for template in messages.TEMPLATES
        }
        return NotifyTransport(
            _required(settings, "NOTIFY_API_KEY", name),
            template_ids,
            base_url=settings.get("NOTIFY_BASE_URL") or None,
            timeout=float(settings.get("NOTIFY_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS),
            email_reply_to_id=settings.get("NOTIFY_EMAIL_REPLY_TO_ID") or None,
        )
    raise TransportConfigError(
        f"MAIL_TRANSPORT={name or '(empty)'!s} is not one of {', '.join(TRANSPORTS)}"
    )


__all__ = [
    "DEFAULT_SMTP_PORT",
    "DEFAULT_TIMEOUT_SECONDS",
    "TRANSPORTS",
    "DeliveryError",
    "FileTransport",
    "Message",
    "NotifyTransport",
    "SmtpTransport",
    "Transport",
    "TransportConfigError",
    "build_transport",
    "messages",
]
