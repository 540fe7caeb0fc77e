"""Translated names for codes that the pure modules use (statuses, origins, errors)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.proposals.lifecycle import IllegalTransition

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "in_review": _l("Being reviewed"),
    "changes_requested": _l("Sent back for changes"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "on_ballot": _l("On the ballot"),
    "funded": _l("Funded"),
    "not_funded": _l("Not funded"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
}

ORIGIN_LABELS = {
    "council": _l("A resident council"),
    "buurt_meeting": _l("A buurt meeting"),
    "school": _l("A school"),
    "organisation": _l("A local organisation"),
    "alliance": _l("The wijkalliantie itself"),
    "other": _l("Somewhere else"),
}


COUNCIL_STATUS_LABELS = {
    "planned": _l("Planned"),
    "open": _l("Open now"),
    "closed": _l("Closed"),
    "outcomes_published": _l("Outcomes published"),
}


def council_status_label(status) -> str:
    code = getattr(status, "value", status)
    return str(COUNCIL_STATUS_LABELS.get(code, code))


def status_label(status) -> str:
    code = getattr(status, "value", status)
    return str(STATUS_LABELS.get(code, code))


def describe_domain_error(error: DomainError) -> str:
    """A sentence for the 409 page. Each domain's error knows its own codes."""
    if isinstance(error, IllegalTransition):
        if error.missing_reason:
            return _("This step needs a reason. Please write one.")
        return _(
            "A plan with status “%(current)s” cannot become “%(target)s”.",
            current=status_label(error.current),
            target=status_label(error.target),
        )
    describe = getattr(error, "describe", None)
    return (
        describe() if callable(describe) else _("Someone may have changed it just now. Reload the page and look again.")
    )
