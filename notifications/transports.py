"""Ways to send a message: a file per message (the embedded default), SMTP, GOV.UK Notify.

Each transport's `send` returns a provider reference, or raises DeliveryError whose message is
safe to store: it never quotes an address or the provider's reply, which may contain one.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from .messages import Message


class DeliveryError(Exception):
    """Sending failed. `retryable` says whether trying again later may work."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Transport(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


# Every character str.splitlines() breaks a line at: in a header value, one could start a header
# (or the body) of the recipient's choosing. The email package refuses these too.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def email_headers(message: Message, sender: str) -> list[tuple[str, str]]:
    """The message's headers, in order; a value with a line break in it is refused."""
    headers = [
        ("From", sender),
        ("To", message.to),
        ("Subject", message.subject),
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or None)),
        ("X-SaferForms-Template", message.template),
    ]
    if message.reference:
        headers.append(("X-SaferForms-Reference", message.reference))
    if message.urgent:
        headers += [("Importance", "high"), ("X-Priority", "1")]
    for name, value in headers:
        if not _LINE_BREAKS.isdisjoint(value):
            raise ValueError(f"the {name} header may not contain a line break")
    return headers


def build_email(message: Message, sender: str) -> EmailMessage:
    """The message as the email package builds it (SMTP, and headers that need encoding)."""
    return _email_message(email_headers(message, sender), message.body)


def _email_message(headers: list[tuple[str, str]], body: str) -> EmailMessage:
    email = EmailMessage()
    for name, value in headers:
        email[name] = value
    email.set_content(body)
    return email


def render_email(message: Message, sender: str) -> bytes:
    """The message as bytes, with bare newline line endings, for the file outbox.

    Our headers are almost always short ASCII: for those the email package's compat32 API
    writes the message, at about a quarter of the cost of EmailMessage's header parsing. Any
    other header (one that needs encoding) goes through EmailMessage.
    """
    headers = email_headers(message, sender)
    if not all(value.isascii() for _, value in headers):
        return _email_message(headers, message.body).as_bytes()
    charset = Charset("utf-8")
    # 7bit for an ASCII body (a link in it stays whole), quoted-printable for any other.
    charset.body_encoding = None if message.body.isascii() else QP
    mime = MIMEText(message.body, "plain", charset)  # type: ignore[arg-type]
    for name, value in headers:
        mime[name] = value
    return mime.as_bytes()


class FileTransport:
    """Write each message as an .eml file into a folder (the embedded default's outbox)."""

    name = "file"

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = Path(directory)
        self.sender = sender

    def send(self, message: Message) -> str:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = render_email(message, self.sender)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{message.template}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.tmp"
        # Messages can hold a recipient's address: readable by the service's user only.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # A reader of the folder never sees half a message.
        os.replace(temporary, self.directory / name)
        # The rename is only durable once the folder is synced too; until then a power cut could
        # lose a message that the database has already recorded as sent.
        folder = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return name


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 15,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if starttls and use_ssl:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: Message) -> str:
        email = build_email(message, self.sender)
        try:
            client: smtplib.SMTP
            if self.use_ssl:
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.ssl_context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.starttls:
                    client.starttls(context=self.ssl_context)
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPResponseException as error:
            # 5xx means the server will not take this message as it is; 4xx means later.
            raise DeliveryError(
                f"the mail server refused the message ({error.smtp_code})",
                retryable=error.smtp_code < 500,
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError("the mail server refused the recipient", retryable=False) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(
                f"could not reach the mail server ({type(error).__name__})", retryable=True
            ) from None
        return str(email["Message-ID"])


class NotifyTransport:
    """GOV.UK Notify, with a template id configured for each message template."""

    name = "notify"

    def __init__(
        self,
        api_key: str,
        template_ids: Mapping[str, str],
        *,
        base_url: str | None = None,
        timeout: float = 15,
        email_reply_to_id: str | None = None,
    ) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        options: dict[str, object] = {"timeout": timeout}
        if base_url:
            options["base_url"] = base_url
        self.client = NotificationsAPIClient(api_key, **options)
        self.template_ids = dict(template_ids)
        self.email_reply_to_id = email_reply_to_id

    def send(self, message: Message) -> str:
        from notifications_python_client.errors import APIError

        template_id = self.template_ids.get(message.template)
        if not template_id:
            raise DeliveryError(
                f"no GOV.UK Notify template id is configured for {message.template}",
                retryable=False,
            )
        try:
            response = self.client.send_email_notification(
                email_address=message.to,
                template_id=template_id,
                personalisation=dict(message.personalisation),
                reference=message.reference or None,
                email_reply_to_id=self.email_reply_to_id,
            )
        except APIError as error:
            status = getattr(error, "status_code", None)
            # Notify's error text can echo the address; keep only the status.
            retryable = not isinstance(status, int) or status == 429 or status >= 500
            raise DeliveryError(
                f"GOV.UK Notify refused the request ({status})", retryable=retryable
            ) from None
        except OSError as error:
            raise DeliveryError(
                f"could not reach GOV.UK Notify ({type(error).__name__})", retryable=True
            ) from None
        return str(response.get("id", ""))
