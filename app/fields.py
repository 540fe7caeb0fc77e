"""Form fields shared by several domains."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from app.money import AmountError, format_amount_for_input, parse_amount

AMOUNT_MESSAGES = {
    "empty": _l("Fill in an amount."),
    "invalid": _l("This is not an amount. Type it like %(example)s."),
    "not_positive": _l("The amount must be more than zero."),
    "too_many_decimals": _l("Use at most two digits for the cents."),
    "too_large": _l("The amount cannot be more than €10 million."),
}


def _locale() -> str:
    return str(get_locale() or "nl")


class MoneyField(StringField):
    """Keeps exactly what the user typed (for showing it back); `cents` holds the value."""

    def __init__(self, label=None, validators=None, required=True, allow_zero=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.allow_zero = allow_zero
        self.cents: int | None = None

    def process_data(self, value):
        # Initial data comes in cents; show it the way this locale types amounts.
        self.data = format_amount_for_input(value, _locale()) if isinstance(value, int) else value

    def pre_validate(self, form):
        self.cents = None
        if not (self.data or "").strip() and not self.required:
            return
        try:
            self.cents = parse_amount(self.data, _locale(), allow_zero=self.allow_zero)
        except AmountError as error:
            example = format_amount_for_input(125050, _locale())
            raise ValidationError(AMOUNT_MESSAGES[error.code] % {"example": example}) from None
