"""Form fields shared by every feature.

``DecimalField`` from WTForms accepts "nan", "inf" and "1e999999" (Python's Decimal reads them), and
``NumberRange`` then fails with ``InvalidOperation`` — a 500 for a person who typed "nan". Every
number field of the product is a ``FiniteDecimalField``: such input is a form error instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField


class FiniteDecimalField(DecimalField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Hãy nhập một số hữu hạn, ví dụ 7,5."))
