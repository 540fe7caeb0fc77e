from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class AreaForm(FlaskForm):
    name = StringField(
        _l("Name of the place"), validators=[DataRequired(_l("Fill in the name of the place.")), Length(max=80)]
    )
    submit = SubmitField(_l("Save"))


class NeighbourhoodForm(FlaskForm):
    name = StringField(
        _l("Name of the place"), validators=[DataRequired(_l("Fill in the name of the place.")), Length(max=80)]
    )
    area_id = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    is_focus = BooleanField(_l("Focus buurt (has a wijkalliantie)"))
    submit = SubmitField(_l("Save"))


class AllianceForm(FlaskForm):
    name = StringField(
        _l("Name of the wijkalliantie"),
        validators=[DataRequired(_l("Fill in the name of the wijkalliantie.")), Length(max=120)],
    )
    meeting_place = StringField(_l("Meeting place"), validators=[Length(max=200)])
    aanjager_ids = SelectMultipleField(
        _l("Aanjagers"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    submit = SubmitField(_l("Save"))
