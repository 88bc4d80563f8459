"""Form fields shared by every feature.

``DecimalField`` from WTForms accepts "nan", "inf" and "1e999999" (Python's Decimal reads them), and
``NumberRange`` then fails with ``InvalidOperation`` — a 500 for a person who typed "nan". Every
number field of the product is a ``FiniteDecimalField``: such input is a form error instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectChoice, SelectField


class FiniteDecimalField(DecimalField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Hãy nhập một số hữu hạn, ví dụ 7,5."))


def optional_int(value):
    """``coerce`` of a select whose empty option means "none" / "all"."""
    if value in ("", None):
        return None
    return int(value)


class CohortSelectField(SelectField):
    """A cohort picked by name (program · cohort · dates) instead of a typed id (issue #14 item 8).

    The value stays the cohort's id, so ``?cohort_id=N`` links keep working. Choices are only
    what the view lists for the user; an id outside them is not a form error here: it keeps the
    refusal the view and services gave it before (an empty board, the services' own checks).
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", optional_int)
        super().__init__(label, validators, validate_choice=False, **kwargs)

    def set_cohorts(self, rows, empty_label) -> None:
        """``rows``: (id, program title, cohort title, start, end); ``empty_label``: the first
        option's text ("all" for a filter, "choose" for a required field)."""
        choices = [SelectChoice("", empty_label)] + [
            SelectChoice(cohort_id, cohort_label(program, title, start, end))
            for cohort_id, program, title, start, end in rows
        ]
        if isinstance(self.data, int) and self.data not in {r[0] for r in rows}:
            choices.append(SelectChoice(self.data, _l("Lớp mã %(id)s", id=self.data)))
        self.choices = choices


def cohort_label(program: str, title: str, start, end) -> str:
    """"Program · cohort · dates"; a cohort title that already names its program ("Lớp 1 —
    <program>") is not preceded by the program a second time."""
    named = title if program in title else f"{program} · {title}"
    return f"{named} · {start:%d/%m/%Y}–{end:%d/%m/%Y}"
