from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.domains import domain_choices
from app.fields import MoneyField
from app.i18n import LANGUAGES

MAX_COST_LINES = 12


def origin_choices():
    return [
        ("council", _l("A resident council")),
        ("buurt_meeting", _l("A buurt meeting")),
        ("school", _l("A school")),
        ("organisation", _l("A local organisation")),
        ("alliance", _l("The wijkalliantie itself")),
        ("other", _l("Somewhere else")),
    ]


class CostLineForm(Form):
    description = StringField(_l("What is it for?"), validators=[Length(max=200)])
    amount = MoneyField(_l("Amount"), required=False)

    def validate_description(self, field):
        if self.amount.data and self.amount.data.strip() and not (field.data or "").strip():
            raise ValidationError(_l("Say what this amount is for."))

    def validate_amount(self, field):
        if (self.description.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Fill in an amount."))

    @property
    def is_blank(self) -> bool:
        return not (self.description.data or "").strip() and not (self.amount.data or "").strip()


class TranslationForm(Form):
    title = StringField(_l("Title"), validators=[Length(max=120)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=300)])


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the plan a title.")), Length(max=120)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[
            DataRequired(_l("Write a short summary.")),
            Length(max=300, message=_l("Keep the summary to 300 characters or fewer.")),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    language = SelectField(_l("Language of this text"), choices=[(lang.code, lang.native_name) for lang in LANGUAGES])
    domain = RadioField(_l("Domain"), choices=domain_choices(), validators=[DataRequired(_l("Choose a domain."))])
    neighbourhood_id = SelectField(_l("Buurt"), coerce=int)
    origin = SelectField(_l("Where did the idea come from?"), choices=origin_choices())
    origin_detail = StringField(_l("Which one? (optional)"), validators=[Length(max=200)])
    backers_count = IntegerField(
        _l("How many residents back it?"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_l("Use a number from 0 up."))],
    )
    cost_lines = FieldList(FormField(CostLineForm), min_entries=4, max_entries=MAX_COST_LINES)
    image = FileField(_l("Photo or drawing (optional)"))
    #: The token of a photo uploaded with an earlier try of this form (app.proposals.pending_images).
    kept_image = HiddenField()
    image_alt = StringField(_l("Describe the image in a few words"), validators=[Length(max=200)])
    remove_image = BooleanField(_l("Remove the current image"))
    translations = FieldList(FormField(TranslationForm), min_entries=len(LANGUAGES), max_entries=len(LANGUAGES))
    add_line = SubmitField(_l("More cost lines"))
    save = SubmitField(_l("Save draft"))

    def validate_cost_lines(self, field):
        if all(entry.form.is_blank for entry in field.entries):
            raise ValidationError(_l("Add at least one cost line."))

    def cost_line_values(self) -> list[tuple[str, int]]:
        return [
            (entry.form.description.data.strip(), entry.form.amount.cents)
            for entry in self.cost_lines.entries
            if not entry.form.is_blank
        ]

    def translation_values(self) -> dict[str, tuple[str, str]]:
        values = {}
        for lang, entry in zip(LANGUAGES, self.translations.entries):
            title = (entry.form.title.data or "").strip()
            summary = (entry.form.summary.data or "").strip()
            if lang.code != self.language.data and (title or summary):
                values[lang.code] = (title, summary)
        return values


def review_decision_choices():
    return [
        ("approve", _l("Approve: it can go on a ballot")),
        ("changes", _l("Send back to the aanjager with a comment")),
        ("reject", _l("Reject, with a public reason")),
    ]


class ReviewForm(FlaskForm):
    feasible = RadioField(
        _l("Is the plan feasible?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[DataRequired(_l("Choose yes or no."))],
    )
    adjusted_cost = MoneyField(_l("Adjusted cost estimate (optional)"), required=False)
    decision = RadioField(
        _l("Decision"), choices=review_decision_choices(), validators=[DataRequired(_l("Choose a decision."))]
    )
    public_reason = TextAreaField(_l("Reason (public)"), validators=[Length(max=2000)])
    internal_note = TextAreaField(_l("Internal note (staff only)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save review"))

    def validate_public_reason(self, field):
        if self.decision.data in ("reject", "changes") and not (field.data or "").strip():
            raise ValidationError(_l("Write the reason: the aanjager and the public will read it."))

    def validate_decision(self, field):
        if field.data == "approve" and self.feasible.data == "no":
            raise ValidationError(_l("A plan that is not feasible cannot be approved. Reject it or send it back."))


class ProgressForm(FlaskForm):
    happened_on = DateField(_l("Date"), validators=[DataRequired(_l("Fill in a date."))])
    text = TextAreaField(_l("What happened?"), validators=[DataRequired(_l("Write what happened.")), Length(max=2000)])
    spent = MoneyField(_l("Amount spent"), required=False, allow_zero=True)
    submit = SubmitField(_l("Add update"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why? (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Withdraw the plan"))
