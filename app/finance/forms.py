from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.fields import MoneyField


class FundingSourceForm(FlaskForm):
    name = StringField(
        _l("Name of the funding source"), validators=[DataRequired(_l("Fill in a name.")), Length(max=160)]
    )
    amount = MoneyField(_l("Amount"))
    period = StringField(_l("Period"), validators=[Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save"))
