from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.fields import MoneyField


def ballot_type_choices():
    return [
        ("approval", _l("Approval: tick the plans you support")),
        ("knapsack", _l("Budget basket: choose plans that fit in the budget")),
        ("cumulative", _l("Points: spread points over the plans")),
        ("ranking", _l("Ranking: put your favourite plans in order")),
    ]


def rule_choices():
    return [
        ("greedy", _l("Most support first, while the money lasts")),
        ("mes", _l("Method of Equal Shares (proportional)")),
    ]


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the vote a name.")), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    budget = MoneyField(_l("Total budget"))
    funding_source_id = SelectField(_l("Funding source"), coerce=int)
    ballot_type = RadioField(_l("Ballot type"), choices=ballot_type_choices(), default="approval")
    rule = RadioField(_l("Counting rule"), choices=rule_choices(), default="greedy")
    max_choices = IntegerField(
        _l("Most plans a voter may choose or rank (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=200, message=_l("Use a number from 1 to 200."))],
    )
    min_share_percent = IntegerField(
        _l("Budget basket: minimum share of the budget to spend, in percent (optional)"),
        validators=[Optional(), NumberRange(min=1, max=100, message=_l("Use a number from 1 to 100."))],
    )
    points_total = IntegerField(
        _l("Points: how many points each voter has"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Use a number from 1 to 1000."))],
    )
    points_max_per_project = IntegerField(
        _l("Points: most points on one plan (optional)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Use a number from 1 to 1000."))],
    )
    eligibility = RadioField(
        _l("Who votes"),
        choices=[
            ("council", _l("Residents with a ticket of the council")),
            ("codes", _l("Residents with a voter code for this vote")),
        ],
        default="council",
    )
    council_id = SelectField(_l("Council (for an evening vote)"), coerce=int)
    opens_at = DateTimeLocalField(_l("Opens (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    paper_four_eyes = BooleanField(_l("Paper ballots need a second facilitator to confirm"))
    publication = RadioField(
        _l("Public list of ballots"),
        default="receipts",
        choices=[
            ("receipts", _l("Receipts beside the choices: each voter can check their own ballot")),
            ("choices", _l("Choices only, in no particular order: no receipt can be shown to someone buying votes")),
        ],
    )
    submit = SubmitField(_l("Save"))

    def validate_points_total(self, field):
        if self.ballot_type.data == "cumulative" and not field.data:
            raise ValidationError(_l("Say how many points each voter has."))

    def validate_council_id(self, field):
        if self.eligibility.data == "council" and not field.data:
            raise ValidationError(_l("Choose the council whose tickets vote."))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The end must be after the start."))


class AddOptionForm(FlaskForm):
    proposal_id = SelectField(_l("Approved plan"), coerce=int, validators=[DataRequired(_l("Choose a plan."))])
    submit = SubmitField(_l("Put on the ballot"))


class SplitForm(FlaskForm):
    mode = RadioField(
        _l("How to split the budget"),
        choices=[
            ("none", _l("One budget for everyone")),
            ("weights", _l("By weight per buurt")),
            ("amounts", _l("A fixed amount per buurt")),
        ],
        default="none",
    )
    submit = SubmitField(_l("Save the split"))


class VoterCodesForm(FlaskForm):
    count = IntegerField(
        _l("How many codes?"),
        default=100,
        validators=[
            DataRequired(_l("Fill in a number.")),
            NumberRange(min=1, max=2000, message=_l("Make 1 to 2000 tickets at a time.")),
        ],
    )
    neighbourhood_id = SelectField(_l("For buurt"), coerce=int)
    output = RadioField(
        _l("Format"),
        choices=[("pdf", _l("Printable sheets (PDF)")), ("csv", _l("List for mail merge (CSV)"))],
        default="pdf",
    )
    submit = SubmitField(_l("Make voter codes"))


class BuurtChoiceForm(FlaskForm):
    neighbourhood_id = RadioField(
        _l("Which buurt do you live in?"), coerce=int, validators=[DataRequired(_l("Choose your buurt."))]
    )
    submit = SubmitField(_l("Continue"))


class ReceiptForm(FlaskForm):
    receipt = StringField(
        _l("Receipt code"), validators=[DataRequired(_l("Type the code from your receipt.")), Length(max=40)]
    )
    submit = SubmitField(_l("Check"))


class PaperCodeForm(Form):
    """Part of the paper-entry page; the ballot form beside it carries the CSRF token."""

    code = StringField(
        _l("Ticket code of this paper ballot"),
        validators=[DataRequired(_l("Type the code from the ticket.")), Length(max=64)],
    )


class EnvelopeForm(FlaskForm):
    """The facilitator picks one of the budgets the board prepared for council evenings."""

    round_id = SelectField(
        _l("Budget approved by the board"), coerce=int, validators=[DataRequired(_l("Choose a budget."))]
    )
    submit = SubmitField(_l("Use this budget tonight"))


class ConfirmForm(FlaskForm):
    """An irreversible step: the button is in its own form with a CSRF token."""

    confirm = SubmitField(_l("Confirm"))


class ReleaseForm(FlaskForm):
    """The desk frees a ticket from the browser it was first signed in on."""

    code = StringField(
        _l("Ticket code"), validators=[DataRequired(_l("Type the code from the ticket.")), Length(max=64)]
    )
    submit = SubmitField(_l("Release for another browser"))
