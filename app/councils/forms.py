from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import AtLeastOne
from app.domains import domain_choices
from app.i18n import LANGUAGES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def age_band_choices():
    return [
        ("", _l("I'd rather not say")),
        ("under_16", _l("Under 16")),
        ("16_20", _l("16 to 20")),
        ("21_26", _l("21 to 26")),
        ("27_65", _l("27 to 65")),
        ("over_65", _l("Over 65")),
    ]


class CouncilForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the council a title.")), Length(max=160)])
    area_id = SelectField(_l("Area"), coerce=int)
    venue = StringField(_l("Venue"), validators=[DataRequired(_l("Fill in the venue.")), Length(max=160)])
    address = StringField(_l("Address"), validators=[Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Fill in when it starts."))]
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Fill in when it ends."))]
    )
    languages = MultiCheckboxField(
        _l("Languages spoken"),
        choices=[(lang.code, lang.native_name) for lang in LANGUAGES],
        validators=[AtLeastOne(_l("Choose at least one language."))],
    )
    capacity = IntegerField(
        _l("Number of places"),
        default=60,
        validators=[NumberRange(min=1, max=2000, message=_l("Use a number from 1 to 2000."))],
    )
    domains = MultiCheckboxField(
        _l("On the agenda"), choices=domain_choices(), validators=[AtLeastOne(_l("Choose at least one domain."))]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    facilitators_label = _l("Facilitators (only they run the evening: tickets, desk, paper ballots, the vote)")
    facilitator_ids = MultiCheckboxField(facilitators_label, coerce=int)
    submit = SubmitField(_l("Save"))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))


def ticket_format_choices():
    return [("pdf", _l("Printable sheets (PDF)")), ("csv", _l("List for mail merge (CSV)")), ("zip", _l("Both (ZIP)"))]


class TicketForm(FlaskForm):
    count = IntegerField(
        _l("How many tickets?"),
        default=50,
        validators=[
            DataRequired(_l("Fill in a number.")),
            NumberRange(min=1, max=2000, message=_l("Make 1 to 2000 tickets at a time.")),
        ],
    )
    neighbourhood_id = SelectField(_l("Bind to a buurt (optional)"), coerce=int)
    output = RadioField(_l("Format"), choices=ticket_format_choices(), default="pdf")
    submit = SubmitField(_l("Make tickets"))


class CodeForm(FlaskForm):
    code = StringField(
        _l("Your code"), validators=[DataRequired(_l("Type the code from your ticket.")), Length(max=64)]
    )
    submit = SubmitField(_l("Continue"))


class DeskCodeForm(CodeForm):
    code = StringField(
        _l("Code on the ticket"), validators=[DataRequired(_l("Type the code from the ticket.")), Length(max=64)]
    )
    submit = SubmitField(_l("Sign in at the desk"))


class VoidForm(CodeForm):
    code = StringField(
        _l("Code of the ticket to void"),
        validators=[DataRequired(_l("Type the code from the ticket.")), Length(max=64)],
    )
    reissue = BooleanField(_l("Print a new ticket in its place"))
    submit = SubmitField(_l("Void ticket"))


def first_time_choices():
    return [("yes", _l("Yes")), ("no", _l("No")), ("unsaid", _l("I'd rather not say"))]


class ProfileForm(FlaskForm):
    first_name = StringField(_l("First name (optional)"), validators=[Length(max=80)])
    neighbourhood_id = SelectField(_l("Your buurt (optional)"), coerce=int)
    age_band = SelectField(_l("Your age (optional)"), choices=age_band_choices())
    first_time = RadioField(
        _l("Is this your first bewonersberaad? (optional)"),
        choices=first_time_choices(),
        validators=[Optional()],
        validate_choice=True,
    )
    consent = BooleanField(_l("Yes, send me the outcomes by e-mail"))
    email = EmailField(
        _l("E-mail address"), validators=[Optional(), Email(_l("This is not a valid e-mail address.")), Length(max=254)]
    )
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Not a field validator: Optional() on the e-mail field would skip it when empty.
        if self.consent.data and not (self.email.data or "").strip():
            self.email.errors = [*self.email.errors, _l("Fill in your e-mail address, or untick the box.")]
            return False
        return valid


class OutcomesForm(FlaskForm):
    summary = TextAreaField(
        _l("Summary of the evening"), validators=[DataRequired(_l("Write a short summary.")), Length(max=5000)]
    )
    submit = SubmitField(_l("Save outcomes"))
    publish = SubmitField(_l("Save and publish"))


class PlanNextForm(FlaskForm):
    council_ids = MultiCheckboxField(
        _l("Councils to plan again"), coerce=int, validators=[AtLeastOne(_l("Choose at least one council."))]
    )
    submit = SubmitField(_l("Plan half a year ahead"))
