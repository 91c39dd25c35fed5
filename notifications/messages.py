"""The messages Safer Forms sends, as plain text. None of them carries personal data.

Each message names a template: the file and SMTP transports use the subject and body written
here; GOV.UK Notify uses the template id configured for it and fills it from `personalisation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TEAM_NEW_CASE = "team_new_case"
TEAM_RISK_RAISED = "team_risk_raised"
REPORTER_ACKNOWLEDGEMENT = "reporter_acknowledgement"
TEMPLATES = (TEAM_NEW_CASE, TEAM_RISK_RAISED, REPORTER_ACKNOWLEDGEMENT)

_FOOTER = "This message was sent automatically. It does not contain any personal details."


@dataclass(frozen=True)
class Message:
    template: str
    to: str
    subject: str
    body: str
    # What a Notify template is filled with: the same facts as the body, nothing more.
    personalisation: Mapping[str, str] = field(default_factory=dict)
    # Identifies the message to the provider; never personal data (it is an outbox id).
    reference: str = ""
    urgent: bool = False


def team_new_case(
    *,
    to: str,
    case_reference: str,
    form_title: str,
    risk_level: str,
    sign_in_url: str,
    reference: str,
) -> Message:
    urgent = risk_level == "high"
    prefix = "Urgent: " if urgent else ""
    subject = f"{prefix}New case {case_reference} ({risk_level} risk)"
    lines = [
        "A new case has been created from a report."
        if not urgent
        else "A new high-risk case has been created from a report. Please look at it today.",
        "",
        f"Case reference: {case_reference}",
        f"Form: {form_title}",
        f"Risk level: {risk_level}",
        "",
        "Sign in to Safer Forms to see the case:",
        sign_in_url,
        "",
        _FOOTER,
    ]
    return Message(
        template=TEAM_NEW_CASE,
        to=to,
        subject=subject,
        body="\n".join(lines) + "\n",
        personalisation={
            "case_reference": case_reference,
            "form": form_title,
            "risk_level": risk_level,
            "urgent": "yes" if urgent else "no",
            "sign_in_url": sign_in_url,
        },
        reference=reference,
        urgent=urgent,
    )


def team_risk_raised(
    *,
    to: str,
    case_reference: str,
    form_title: str,
    risk_level: str,
    previous_level: str,
    sign_in_url: str,
    reference: str,
) -> Message:
    urgent = risk_level == "high"
    prefix = "Urgent: " if urgent else ""
    subject = f"{prefix}Risk level raised to {risk_level} on case {case_reference}"
    lines = [
        "A new report about someone in this case has raised its risk level.",
        "",
        f"Case reference: {case_reference}",
        f"Form: {form_title}",
        f"Risk level: {risk_level} (was {previous_level})",
        "",
        "Sign in to Safer Forms to see the case:",
        sign_in_url,
        "",
        _FOOTER,
    ]
    return Message(
        template=TEAM_RISK_RAISED,
        to=to,
        subject=subject,
        body="\n".join(lines) + "\n",
        personalisation={
            "case_reference": case_reference,
            "form": form_title,
            "risk_level": risk_level,
            "previous_risk_level": previous_level,
            "urgent": "yes" if urgent else "no",
            "sign_in_url": sign_in_url,
        },
        reference=reference,
        urgent=urgent,
    )


def reporter_acknowledgement(
    *,
    to: str,
    submission_reference: str,
    form_title: str,
    follow_url: str,
    reference: str,
    partnership_name: str,
) -> Message:
    subject = f"We have received your report: {submission_reference}"
    lines = [
        "Thank you for your report.",
        "",
        f"Your reference number is {submission_reference}",
        "",
        f"We have received your report ({form_title}) and it has been passed to the team"
        " that deals with it.",
        "",
        "Keep this reference number. You will need it to follow your case and if you"
        " contact us about your report.",
        "",
        "To follow your case and read updates, go to:",
        follow_url,
        "and enter your reference number.",
        "",
        "If you or someone else is in immediate danger, call 999.",
        "",
        f"{partnership_name}",
    ]
    return Message(
        template=REPORTER_ACKNOWLEDGEMENT,
        to=to,
        subject=subject,
        body="\n".join(lines) + "\n",
        personalisation={
            "reference_number": submission_reference,
            "form": form_title,
            "follow_url": follow_url,
        },
        reference=reference,
    )
