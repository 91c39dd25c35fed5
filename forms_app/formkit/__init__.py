"""Definition fields as WTForms fields whose widgets render GOV.UK Frontend macros.

A registry maps each field type to a small handler class (forms_app.formkit.handlers); a page
compiles to a PageForm of DefinitionFields (forms_app.formkit.form), so a template renders a
page with one line a field.
"""

from .fields import DefinitionField
from .form import ErrorLink, PageForm, page_form
from .handlers import HANDLERS, FieldHandler, blocks_html, handler_for

__all__ = [
    "HANDLERS",
    "DefinitionField",
    "ErrorLink",
    "FieldHandler",
    "PageForm",
    "blocks_html",
    "handler_for",
    "page_form",
]
