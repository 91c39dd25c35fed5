"""Transports against real servers: aiosmtpd for SMTP, a local HTTP server for GOV.UK Notify."""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import os
import re
import ssl
import stat

import pytest

from notifications import (
    DeliveryError,
    FileTransport,
    NotifyTransport,
    SmtpTransport,
    TransportConfigError,
    build_transport,
    messages,
)
from notifications.transports import build_email
from tests.jobs.pipeline_support import NOTIFY_TEST_KEY, NotifyStub, notify_server, smtp_server

TEMPLATE_IDS = {
    messages.TEAM_NEW_CASE: "f33517ff-2a88-4f6e-b855-c550268ce08a",
    messages.TEAM_RISK_RAISED: "8a1c6b45-2b4b-4a8e-a35b-3b1e1b6e2f10",
    messages.REPORTER_ACKNOWLEDGEMENT: "0c3e5b0e-7f8e-4d43-9b3c-6d51b1d4a2c7",
}


def _new_case(urgent: bool = False) -> messages.Message:
    return messages.team_new_case(
        to="asb-team@council.example",
        case_reference="ASB-7KQ3-MX2P",
        form_title="Report anti-social behaviour",
        risk_level="high" if urgent else "medium",
        sign_in_url="https://safer.example/staff/sign-in",
        reference="0190f0a0-0000-7000-8000-000000000001",
    )


def test_the_file_transport_writes_one_private_file_a_message(tmp_path) -> None:
    transport = FileTransport(tmp_path / "outbox", "Safer Forms <no-reply@safer.example>")

    name = transport.send(_new_case(urgent=True))

    [written] = list((tmp_path / "outbox").iterdir())
    assert written.name == name and written.suffix == ".eml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    text = written.read_text()
    assert "Subject: Urgent: New case ASB-7KQ3-MX2P (high risk)" in text
    assert "To: asb-team@council.example" in text
    assert "Importance: high" in text
    assert "https://safer.example/staff/sign-in" in text


def test_the_file_transport_has_a_message_on_disk_before_it_says_sent(
    tmp_path, monkeypatch
) -> None:
    """A power cut after the send is recorded must not lose the file: its contents are synced
    before it is renamed into the folder, and the folder after."""
    folder = tmp_path / "outbox"
    synced: list[tuple[str, list[str]]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        synced.append((kind, sorted(p.name for p in folder.iterdir())))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    name = FileTransport(folder, "Safer Forms <no-reply@safer.example>").send(_new_case())

    assert synced == [("file", [f".{name}.tmp"]), ("folder", [name])]


def _acknowledgement(*, to: str, form_title: str) -> messages.Message:
    return messages.reporter_acknowledgement(
        to=to,
        submission_reference="ASB-7KQ3-MX2P",
        form_title=form_title,
        follow_url="https://safer.example/portal",
        reference="0190f0a0-0000-7000-8000-000000000002",
        partnership_name="Northdale Community Safety Partnership",
    )


@pytest.mark.parametrize(
    "message",
    [
        _new_case(urgent=True),
        _acknowledgement(to="reporter@home.example", form_title="Report anti-social behaviour"),
        # A body that is not ASCII, and a header the email package must encode.
        _acknowledgement(to="reporter@home.example", form_title="Adrodd ymddygiad — ŵ"),
        _acknowledgement(to="gohebydd@cartref.example", form_title="Adrodd"),
        _acknowledgement(to="dŵr@cartref.example", form_title="Adrodd"),
    ],
)
def test_the_file_transport_writes_what_the_email_package_would_read_back(
    tmp_path, message
) -> None:
    sender = "Safer Forms <no-reply@safer.example>"
    FileTransport(tmp_path, sender).send(message)

    [written] = list(tmp_path.iterdir())
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    expected = email.message_from_bytes(
        build_email(message, sender).as_bytes(), policy=email.policy.default
    )
    for name in expected.keys():
        if name not in ("Date", "Message-ID", "Content-Transfer-Encoding"):
            assert parsed[name] == expected[name], name
    assert sorted(parsed.keys()) == sorted(expected.keys())
    assert parsed["To"] == message.to and parsed["Subject"] == message.subject
    assert parsed["X-SaferForms-Reference"] == message.reference
    assert parsed.get_content() == message.body
    assert re.fullmatch(r"<[^<>@]+@safer\.example>", parsed["Message-ID"])


@pytest.mark.parametrize(
    "to",
    [
        "reporter@home.example\nBcc: someone@else.example",
        "reporter@home.example\r\nBcc: someone@else.example",
        # A break at the end would end the headers there: the rest would become the body.
        "reporter@home.example\n",
        "reporter@home.example\u2028Bcc: someone@else.example",
    ],
)
def test_a_header_with_a_line_break_is_refused_and_nothing_is_written(tmp_path, to) -> None:
    message = _acknowledgement(to=to, form_title="Report anti-social behaviour")

    with pytest.raises(ValueError, match="the To header may not contain a line break"):
        FileTransport(tmp_path, "no-reply@safer.example").send(message)
    with pytest.raises(ValueError, match="the To header may not contain a line break"):
        build_email(message, "no-reply@safer.example")
    assert list(tmp_path.iterdir()) == []


def test_smtp_delivers_the_message_with_the_reference_and_nothing_else_about_the_case() -> None:
    with smtp_server() as (recorder, port):
        transport = SmtpTransport("127.0.0.1", port, "no-reply@safer.example")
        reference = transport.send(_new_case())

    [received] = recorder.messages
    assert recorder.envelopes[0]["to"] == ["asb-team@council.example"]
    assert received["Message-ID"] == reference
    assert received["Subject"] == "New case ASB-7KQ3-MX2P (medium risk)"
    body = received.get_payload(decode=True).decode()
    assert "Case reference: ASB-7KQ3-MX2P" in body
    assert "Form: Report anti-social behaviour" in body
    assert "Risk level: medium" in body
    assert "Importance" not in received


def _self_signed(tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


def test_smtp_with_starttls_sends_over_tls_to_a_server_that_demands_it(tmp_path) -> None:
    server_context, client_context = _self_signed(tmp_path)
    with smtp_server(tls_context=server_context, require_starttls=True) as (recorder, port):
        plain = SmtpTransport("127.0.0.1", port, "no-reply@safer.example")
        with pytest.raises(DeliveryError, match=r"refused the message \(530\)") as refused:
            plain.send(_new_case())
        assert refused.value.retryable is False

        secure = SmtpTransport(
            "127.0.0.1", port, "no-reply@safer.example", starttls=True, ssl_context=client_context
        )
        secure.send(_new_case())

    assert [envelope["tls"] for envelope in recorder.envelopes] == [True]


def test_smtp_that_cannot_be_reached_is_a_retryable_error_without_the_address() -> None:
    from tests.jobs.pipeline_support import free_port

    transport = SmtpTransport("127.0.0.1", free_port(), "no-reply@safer.example", timeout=2)
    with pytest.raises(DeliveryError) as error:
        transport.send(_new_case())
    assert error.value.retryable is True
    assert "council.example" not in str(error.value)


def test_notify_posts_the_configured_template_and_facts_but_no_personal_details() -> None:
    with notify_server() as (stub, url):
        transport = NotifyTransport(NOTIFY_TEST_KEY, TEMPLATE_IDS, base_url=url)
        provider_reference = transport.send(_new_case(urgent=True))

    [request] = stub.requests
    assert request["path"] == "/v2/notifications/email"
    assert request["authorization"].startswith("Bearer ")
    assert request["json"] == {
        "email_address": "asb-team@council.example",
        "template_id": TEMPLATE_IDS[messages.TEAM_NEW_CASE],
        "personalisation": {
            "case_reference": "ASB-7KQ3-MX2P",
            "form": "Report anti-social behaviour",
            "risk_level": "high",
            "urgent": "yes",
            "sign_in_url": "https://safer.example/staff/sign-in",
        },
        "reference": "0190f0a0-0000-7000-8000-000000000001",
    }
    assert provider_reference == "740e5834-3a29-46b4-9a6f-16142fde533a"


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (403, False), (429, True), (500, True)]
)
def test_notify_refusals_say_whether_to_try_again(status, retryable) -> None:
    with notify_server(NotifyStub(status=status)) as (_stub, url):
        transport = NotifyTransport(NOTIFY_TEST_KEY, TEMPLATE_IDS, base_url=url)
        with pytest.raises(DeliveryError) as error:
            transport.send(_new_case())
    assert error.value.retryable is retryable
    assert str(error.value) == f"GOV.UK Notify refused the request ({status})"


def test_the_transport_is_the_one_configured_and_an_unknown_name_is_an_error(tmp_path) -> None:
    assert isinstance(
        build_transport({"MAIL_TRANSPORT": "file", "OUTBOX_DIR": tmp_path}), FileTransport
    )
    smtp = build_transport(
        {"MAIL_TRANSPORT": "smtp", "MAIL_SMTP_HOST": "mail.example", "MAIL_SMTP_STARTTLS": "true"}
    )
    assert isinstance(smtp, SmtpTransport) and smtp.starttls and smtp.port == 587
    notify = build_transport(
        {
            "MAIL_TRANSPORT": "notify",
            "NOTIFY_API_KEY": NOTIFY_TEST_KEY,
            **{f"NOTIFY_TEMPLATE_{name.upper()}": value for name, value in TEMPLATE_IDS.items()},
        }
    )
    assert isinstance(notify, NotifyTransport)

    with pytest.raises(
        TransportConfigError, match="MAIL_TRANSPORT=pigeon is not one of file, smtp, notify"
    ):
        build_transport({"MAIL_TRANSPORT": "pigeon"})
    with pytest.raises(TransportConfigError, match="is not one of"):
        build_transport({})
    with pytest.raises(TransportConfigError, match="MAIL_TRANSPORT=smtp needs MAIL_SMTP_HOST"):
        build_transport({"MAIL_TRANSPORT": "smtp"})
    with pytest.raises(TransportConfigError, match="needs NOTIFY_TEMPLATE_TEAM_NEW_CASE"):
        build_transport({"MAIL_TRANSPORT": "notify", "NOTIFY_API_KEY": NOTIFY_TEST_KEY})
