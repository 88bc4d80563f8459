"""The error summary every form page shows at the top of ``main`` (issue #14 item 9).

On a phone a refused form used to look like a success: the page reloaded at the top and the
messages sat next to fields far below. ``base.html`` now asks :func:`summary_items` for the
errors of every form the view handed to the template (whatever its context name), lists them
first in ``main`` with links to the fields, and ``static/js/forms.js`` moves focus there.
"""

from __future__ import annotations

import dataclasses

from flask import Flask
from jinja2 import pass_context
from jinja2.runtime import Context
from wtforms import Form

# Fields a person never sees: their errors (a stale CSRF token) are not theirs to fix here.
HIDDEN_TYPES = {"HiddenField", "CSRFTokenField"}


@dataclasses.dataclass(frozen=True)
class SummaryItem:
    field_id: str
    label: str
    message: str


def form_items(form: Form) -> list[SummaryItem]:
    items = []
    for field in form:
        if field.type in HIDDEN_TYPES or not field.errors:
            continue
        messages = field.errors if isinstance(field.errors, list | tuple) else [field.errors]
        label = str(field.label.text) if field.label else field.name
        items += [SummaryItem(field.id, label, str(m)) for m in messages if not isinstance(m, list | dict)]
    return items


@pass_context
def summary_items(context: Context) -> list[SummaryItem]:
    """Errors of every WTForms form in the template's context, in context order, once each."""
    seen: set[int] = set()
    items: list[SummaryItem] = []
    for value in context.get_all().values():
        if isinstance(value, Form) and id(value) not in seen:
            seen.add(id(value))
            items += form_items(value)
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(error_summary_items=summary_items)
