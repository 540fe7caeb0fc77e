"""Irreversible actions ask first: a page that shows what the action acts on (counts),
and a box to tick. Works without JavaScript: the same POST without the box shows the page."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class ConfirmForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, I am sure. This cannot be undone."), validators=[DataRequired(_l("Tick the box to confirm."))]
    )
    confirming = HiddenField(default="1")


class ConfirmWithReasonForm(ConfirmForm):
    reason = TextAreaField(_l("Why?"), validators=[DataRequired(_l("Write down why.")), Length(max=1000)])


def confirmed(form: ConfirmForm) -> bool:
    """True once the box is ticked (and a reason given where asked). A first POST without
    the form's marker only shows the question, without error messages."""
    if not request.form.get("confirming"):
        return False
    return form.validate_on_submit()


def confirmation_page(
    form: ConfirmForm,
    title: str,
    facts: list[tuple[str, object]],
    action: str,
    back: str,
    extra: dict | None = None,
    status: int = 200,
):
    """`facts`: (label, value) pairs such as the number of ballots the action acts on.
    `extra`: hidden fields to send again (the fields of the original form)."""
    if request.form.get("confirming") and status == 200:
        status = 400  # sent without the box ticked: the errors show beside the fields
    return render_template(
        "confirm.html", form=form, title=title, facts=facts, action=action, back=back, extra=extra or {}
    ), status
