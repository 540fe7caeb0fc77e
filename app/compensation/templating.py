"""Template helpers of the allowances domain: labels for statuses and warnings, hours."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.compensation import bp
from app.compensation.usage import WARNING_LABELS, month_name

CLAIM_STATUS_LABELS = {
    "submitted": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "paid": _l("Paid"),
}


@bp.app_template_global()
def claim_status_label(status) -> str:
    code = getattr(status, "value", status)
    return str(CLAIM_STATUS_LABELS.get(code, code))


@bp.app_template_global()
def allowance_warning(code: str) -> str:
    return str(WARNING_LABELS.get(code, code))


@bp.app_template_global()
def hours_minutes(minutes: int | None) -> str:
    """90 → "1:30" (hours and minutes, as on a time sheet)."""
    minutes = minutes or 0
    return f"{minutes // 60}:{minutes % 60:02d}"


@bp.app_template_global()
def allowance_month_name(month: int) -> str:
    return month_name(month)
