from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.models import Role
from app.i18n import LANGUAGES


def role_labels() -> dict[Role, object]:
    return {
        Role.admin: _l("Administrator"),
        Role.board: _l("Alliance board"),
        Role.reviewer: _l("Reviewer"),
        Role.facilitator: _l("Facilitator"),
        Role.aanjager: _l("Aanjager"),
        Role.treasurer: _l("Treasurer"),
    }


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """Like DataRequired for a group of checkboxes, without marking each box `required`."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(self.message)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(_l("Fill in your e-mail address.")), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Fill in your password."))])
    submit = SubmitField(_l("Log in"))


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Fill in a name.")), Length(max=120)])
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Fill in an e-mail address.")),
            Email(_l("This is not a valid e-mail address.")),
            Length(max=254),
        ],
    )
    roles = MultiCheckboxField(_l("Roles"), validators=[AtLeastOne(_l("Choose at least one role."))])
    submit = SubmitField(_l("Create invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, label) for role, label in role_labels().items()]


class StrongPassword:
    """ASVS 2.1: length, the common-password lists and a guessability estimate (app.auth.passwords).
    ``known_words`` (a callable on the form) gives the person's name and e-mail address."""

    MESSAGES = {
        "too_short": _l("Use at least 12 characters."),
        "too_long": _l("Use at most 128 characters."),
        "common": _l("This password is on a list of common passwords. Choose another one."),
        "guessable": _l("This password is too easy to guess. Try three or four words that do not belong together."),
    }

    def __call__(self, form, field):
        from app.auth.passwords import problem

        known = form.known_words() if hasattr(form, "known_words") else ()
        code = problem(field.data or "", known_words=tuple(known))
        if code is not None:
            raise ValidationError(self.MESSAGES[code])


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Save password"))

    def __init__(self, *args, known_words=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._known_words = tuple(known_words)

    def known_words(self) -> tuple[str, ...]:
        return self._known_words


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))
    submit = SubmitField(_l("Save roles"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, label) for role, label in role_labels().items()]


class PreferencesForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[(lang.code, lang.native_name) for lang in LANGUAGES])
    submit = SubmitField(_l("Save"))


class AuditFilterForm(FlaskForm):
    """The audit log's filters: a GET form (nothing changes), so no CSRF token."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), coerce=int, default=0)
    action = SelectField(_l("Action"), default="")
    object_type = SelectField(_l("Object"), default="")
    object_id = StringField(
        _l("Number (optional)"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9A-Za-z_-]+$", message=_l("Use only letters and digits.")),
        ],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Up to and including"), validators=[Optional()])

    def __init__(self, *args, actors=(), actions=(), objects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actor.choices = [(0, _l("Everyone"))] + list(actors)
        self.action.choices = [("", _l("Every action"))] + list(actions)
        self.object_type.choices = [("", _l("Everything"))] + list(objects)

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end must be after the start."))


class TwoStepCodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Fill in the code.")), Length(max=20)])
    submit = SubmitField(_l("Continue"))
