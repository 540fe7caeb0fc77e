from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from schwifty import IBAN
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from app.auth.forms import AtLeastOne, MultiCheckboxField
from app.compensation.sepa import is_latin_name
from app.compensation.services import today
from app.compensation.usage import month_name
from app.fields import MoneyField

MAX_MINUTES = 24 * 60


def month_choices():
    return [(0, _l("Choose a month"))] + [(m, month_name(m)) for m in range(1, 13)]


def local_today() -> date:
    return today()


def next_working_day(after: date) -> date:
    """The next day the banks execute SEPA transfers."""
    from app.compensation.sepa import next_business_day

    return next_business_day(after)


class VolunteerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Fill in a name.")), Length(max=120)])
    account_holder_name = StringField(
        _l("Name on the bank account, in Latin letters"),
        validators=[DataRequired(_l("Fill in the name on the bank account.")), Length(max=70)],
    )
    birth_year = IntegerField(_l("Birth year"), validators=[DataRequired(_l("Fill in the birth year."))])
    birth_month = SelectField(_l("Birth month"), coerce=int)
    iban = StringField(_l("IBAN"), validators=[DataRequired(_l("Fill in the IBAN.")), Length(max=42)])
    email = EmailField(
        _l("E-mail address (optional)"),
        validators=[Optional(), Email(_l("This is not a valid e-mail address.")), Length(max=254)],
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40), Regexp(r"^[0-9+() -]+$", message=_l("Use only digits, spaces and +."))],
    )
    teams = MultiCheckboxField(_l("Teams"), coerce=int)
    started_on = DateField(_l("Started on"), validators=[DataRequired(_l("Fill in a date."))])
    ended_on = DateField(_l("Stops on (optional)"), validators=[Optional()])
    consent = BooleanField(_l("The volunteer has read and accepted this text"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_month.choices = month_choices()
        self.new = new
        if not new:
            del self.consent

    def validate_account_holder_name(self, field):
        if field.data and not is_latin_name(field.data):
            raise ValidationError(_l("Use Latin letters only: banks cannot process other scripts in a transfer."))

    def validate_birth_year(self, field):
        this_year = local_today().year
        if field.data is not None and not 1900 <= field.data <= this_year - 10:
            raise ValidationError(_l("Use a year from 1900 to %(year)s.", year=this_year - 10))

    def validate_birth_month(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the birth month."))

    def validate_iban(self, field):
        try:
            field.data = IBAN(field.data or "").compact
        except ValueError:
            raise ValidationError(_l("This IBAN is not valid. Check the letters and digits.")) from None

    def validate_ended_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("A volunteer can only be registered after accepting the text."))


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(_l("Give the team a name.")), Length(max=120)])
    description = TextAreaField(_l("What the team does (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save team"))


class ActivityForm(FlaskForm):
    title = StringField(_l("What was it?"), validators=[DataRequired(_l("Fill in a title.")), Length(max=160)])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Fill in a date."))])
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[
            DataRequired(_l("Fill in the duration.")),
            NumberRange(min=1, max=MAX_MINUTES, message=_l("Use a number from 1 to 1440.")),
        ],
    )
    submit = SubmitField(_l("Add activity"))

    def validate_held_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("This date is in the future. Add the activity once it has taken place."))


class AttendanceForm(FlaskForm):
    volunteer_ids = MultiCheckboxField(
        _l("Who took part?"), coerce=int, validators=[AtLeastOne(_l("Tick at least one volunteer."))]
    )
    minutes = IntegerField(
        _l("Minutes each"),
        validators=[
            DataRequired(_l("Fill in the minutes.")),
            NumberRange(min=1, max=MAX_MINUTES, message=_l("Use a number from 1 to 1440.")),
        ],
    )
    rate = MoneyField(_l("Rate per hour (optional)"), required=False)
    confirm_reduce = BooleanField(_l("Record the lower amount that stays within the limits"))
    submit = SubmitField(_l("Record participation"))


class ClaimForm(FlaskForm):
    volunteer_id = SelectField(_l("Volunteer"), coerce=int, validators=[DataRequired(_l("Choose a volunteer."))])
    activity_id = SelectField(_l("Activity"), coerce=int)
    worked_on = DateField(_l("Date (without an activity)"), validators=[Optional()])
    minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(min=1, max=MAX_MINUTES, message=_l("Use a number from 1 to 1440."))],
    )
    rate = MoneyField(_l("Rate per hour (optional)"), required=False)
    note = StringField(_l("Note (optional)"), validators=[Length(max=200)])
    confirm_reduce = BooleanField(_l("Record the lower amount that stays within the limits"))
    submit = SubmitField(_l("Record claim"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Not field validators: Optional() would skip them when the field is empty.
        if not self.activity_id.data:
            if not self.worked_on.data and not self.worked_on.errors:
                self.worked_on.errors = [*self.worked_on.errors, _l("Choose an activity or fill in a date.")]
                valid = False
            if not self.minutes.data and not self.minutes.errors:
                self.minutes.errors = [*self.minutes.errors, _l("Fill in the minutes.")]
                valid = False
        return valid


class BulkApproveForm(FlaskForm):
    claim_ids = MultiCheckboxField(_l("Claims"), coerce=int, validators=[AtLeastOne(_l("Tick at least one claim."))])
    confirmed = BooleanField()


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=300)])
    submit = SubmitField(_l("Reject"))


class ExpenseForm(FlaskForm):
    spent_on = DateField(_l("Date on the receipt"), validators=[DataRequired(_l("Fill in a date."))])
    description = StringField(
        _l("What was it for?"), validators=[DataRequired(_l("Fill in what it was for.")), Length(max=200)]
    )
    amount = MoneyField(_l("Amount"))
    receipt_reference = StringField(
        _l("Receipt reference"), validators=[DataRequired(_l("Fill in the receipt reference.")), Length(max=80)]
    )
    submit = SubmitField(_l("Record expense"))


class LeaveForm(FlaskForm):
    ended_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Mark as stopped"))


class LimitForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            DataRequired(_l("Fill in the year.")),
            NumberRange(min=2000, max=2100, message=_l("Use a year from 2000 to 2100.")),
        ],
    )
    hourly_max_21_plus = MoneyField(_l("Hourly maximum, 21 and over"))
    hourly_max_under_21 = MoneyField(_l("Hourly maximum, under 21"))
    monthly_max = MoneyField(_l("Monthly maximum"))
    yearly_max = MoneyField(_l("Yearly maximum"))
    confirmed = BooleanField(_l("Confirmed by the Belastingdienst"))
    source = StringField(_l("Source or remark"), validators=[Length(max=180)])
    submit = SubmitField(_l("Save limits"))

    def validate_hourly_max_under_21(self, field):
        if (
            field.cents is not None
            and self.hourly_max_21_plus.cents is not None
            and field.cents > self.hourly_max_21_plus.cents
        ):
            raise ValidationError(_l("The maximum under 21 cannot be higher than the one for 21 and over."))

    def validate_monthly_max(self, field):
        if field.cents is not None and self.yearly_max.cents is not None and field.cents > self.yearly_max.cents:
            raise ValidationError(_l("The monthly maximum cannot be higher than the yearly maximum."))

    def status_text(self) -> str:
        source = (self.source.data or "").strip()
        word = "confirmed" if self.confirmed.data else "unconfirmed"
        return f"{word} ({source})" if source else word


def split_status(status: str) -> tuple[bool, str]:
    """The other way round: a stored status as (confirmed, source)."""
    text = (status or "").strip()
    for word in ("confirmed", "unconfirmed"):
        if text.lower().startswith(word):
            rest = text[len(word) :].strip()
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1].strip()
            return word == "confirmed", rest
    return False, text


class ExportForm(FlaskForm):
    execution_on = DateField(_l("Pay on"), validators=[DataRequired(_l("Fill in a date."))])
    submit = SubmitField(_l("Export for the bank"))

    def validate_execution_on(self, field):
        from app.compensation.sepa import is_business_day

        if field.data and field.data < local_today():
            raise ValidationError(_l("Choose today or a later day."))
        if field.data and not is_business_day(field.data):
            raise ValidationError(
                _l(
                    "Banks do not pay on this day (weekend or bank holiday). Choose a working day, such as %(day)s.",
                    day=format_date(next_working_day(field.data - timedelta(days=1))),
                )
            )


class PaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(_l("Fill in a date."))])
    submit = SubmitField(_l("Mark as paid"))
