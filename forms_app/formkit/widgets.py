"""Widgets that render a field through a GOV.UK Frontend macro.

govuk-frontend-wtf's widgets are used where they fit (text inputs, text areas, character counts,
selects, file inputs); the rest share a small mixin. Either way a widget asks the field's handler
for the macro's parameters, so templates stay one line a field: ``{{ field() }}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup

if TYPE_CHECKING:
    from .fields import DefinitionField


def render_widget_template(template: str, params: dict[str, Any]) -> Markup:
    """Render a one-macro template; a plain Jinja render skips Flask's per-call context work."""
    html = current_app.jinja_env.get_template(template).render(params=params)
    return Markup(html)  # noqa: S704 - the template autoescapes every value it is given


class FastRender:
    """Render govuk-frontend-wtf's parameters with this app's copy of the macro template."""

    template: str

    def render(self, params: dict[str, Any]) -> Markup:
        return render_widget_template(self.template, params)


class HandlerParams:
    """Merge the handler's GOV.UK parameters into govuk-frontend-wtf's own mapping."""

    def __call__(self, field: DefinitionField, **kwargs: Any) -> Markup:
        extra = field.handler.params(field)
        if "params" in kwargs:
            extra = {**extra, **kwargs.pop("params")}
        kwargs["params"] = extra
        return super().__call__(field, **kwargs)  # type: ignore[misc, no-any-return]

    def map_gov_params(self, field: DefinitionField, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        # govuk-frontend-wtf copies every leftover keyword into attributes; the label's
        # "for" and the hint come from the handler, and HTML5 `required` is not used by GOV.UK.
        params["attributes"].pop("required", None)
        if not params.get("hint"):
            params.pop("hint", None)
        return params


class TextInputWidget(HandlerParams, FastRender, GovTextInput):
    template = "public/widgets/input.html"


class TextAreaWidget(HandlerParams, FastRender, GovTextArea):
    template = "public/widgets/textarea.html"


class CharacterCountWidget(HandlerParams, FastRender, GovCharacterCount):
    template = "public/widgets/character_count.html"


class SelectWidget(HandlerParams, FastRender, GovSelect):
    template = "public/widgets/select.html"


class FileWidget(HandlerParams, FastRender, GovFileInput):
    template = "public/widgets/file.html"

    def __call__(self, field: DefinitionField, **kwargs: Any) -> Markup:
        if field.definition.max_files > 1:
            kwargs["multiple"] = True
        return super().__call__(field, **kwargs)


class MacroWidget:
    """The widget mixin for everything govuk-frontend-wtf has no widget for (or no good one)."""

    def __init__(self, template: str) -> None:
        self.template = template

    def __call__(self, field: DefinitionField, **kwargs: Any) -> Markup:
        params = field.handler.params(field)
        if "params" in kwargs:
            params = {**params, **kwargs["params"]}
        return render_widget_template(self.template, params)
