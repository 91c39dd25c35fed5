"""Sign-in forms. Fields render their own GOV.UK Frontend macro through govuk-frontend-wtf."""

from __future__ import annotations

from typing import Any

from flask import get_template_attribute
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from markupsafe import Markup
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from .totp import clean_code


def sign_in_refused(minutes: int) -> str:
    """The one message for every refused sign-in, so it never says whether an account exists."""
    return (
        "Enter a correct email address and password. If you have tried several times, "
        f"wait {minutes} minutes before you try again"
    )


WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now"


class _Macro:
    """Render through the govuk-frontend-jinja macro itself, so that the widgets do not depend
    on govuk-frontend-wtf's own template folder being on the loader path."""

    macro: tuple[str, str]

    def render(self, params: dict[str, Any]) -> Markup:
        path, name = self.macro
        # The macro's output is already Markup, escaped by the autoescaping environment.
        rendered: Markup = get_template_attribute(path, name)(params)
        return rendered


class TextInput(_Macro, GovTextInput):
    macro = ("govuk_frontend_jinja/components/input/macro.html", "govukInput")


class EmailInput(TextInput):
    input_type = "email"


class PasswordInput(_Macro, GovPasswordInput):
    macro = ("govuk_frontend_jinja/components/password-input/macro.html", "govukPasswordInput")


class SubmitButton(_Macro, GovSubmitInput):
    macro = ("govuk_frontend_jinja/components/button/macro.html", "govukButton")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _six_digits(_: Any, field: StringField) -> None:
    code = clean_code(field.data or "")
    if not code:
        raise ValidationError("Enter the 6-digit code from your authenticator app")
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError("The code must be 6 digits, like 123456")


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=EmailInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Regexp(
                r"^[^@\s]+@[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.com",
            ),
        ],
    )
    password = PasswordField(
        "Password",
        widget=PasswordInput(),
        validators=[
            InputRequired("Enter your password"),
            Length(max=1024, message="Password must be 1024 characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=SubmitButton())


class CodeForm(FlaskForm):
    code = StringField(
        "Security code",
        description="The 6-digit code shown in your authenticator app",
        widget=TextInput(),
        validators=[_six_digits],
    )
    submit = SubmitField("Continue", widget=SubmitButton())


CODE_FIELD_PARAMS = {
    "classes": "govuk-input--width-5 govuk-input--extra-letter-spacing",
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "spellcheck": False,
}


def error_list(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's entries: the first error of each field, linked to the field."""
    entries = []
    for field in form:
        if field.errors and field.type not in {"CSRFTokenField", "SubmitField"}:
            entries.append({"text": field.errors[0], "href": f"#{field.id}"})
    return entries
