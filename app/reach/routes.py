"""The reach report (facilitator of the council, board, admin), the board's overview across
councils with its CSV, and the reference distribution upload."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.councils.models import AGE_BANDS, Council
from app.database import read_only
from app.exports import csv_bytes
from app.extensions import db
from app.i18n import LANGUAGE_CODES
from app.places.models import Neighbourhood
from app.reach import bp, services
from app.reach.forms import ReferenceForm
from app.reach.measures import REFERENCE_HEADER, parse_reference
from app.reach.templating import count_code
from app.roles import Role
from app.security import roles_required
from app.signals import Link, Panel
from app.views import download, get_or_404

PANELS = (
    Panel(
        Role.board,
        _l("Who did we reach?"),
        (
            ("reach.overview", _l("Reach of the councils")),
            ("reach.reference", _l("Residents per buurt (reference)")),
        ),
    ),
    Panel(Role.admin, _l("Who did we reach?"), (("reach.overview", _l("Reach of the councils")),)),
)


def home_section(_sender) -> dict:
    """On the public home page: the summaries of the latest councils (signals.home_page)."""
    return {"reach_recent": services.recent_summaries()}


def may_read_report(council: Council) -> bool:
    return current_user.is_authenticated and (
        current_user.has_role(Role.board, Role.admin) or council.can_manage(current_user)
    )


def council_page_links(council: Council) -> list[Link]:
    """On a council's staff page: its reach report (signals.council_page)."""
    if may_read_report(council):
        return [Link(url_for("reach.council_report", council_id=council.id), _("Who did we reach?"))]
    return []


def _load_council(council_id: int) -> Council:
    council = get_or_404(Council, council_id)
    if not may_read_report(council):
        abort(403)
    return council


@bp.route("/staff/councils/<int:council_id>/reach")
@roles_required(Role.facilitator, Role.board, Role.admin)
@read_only
def council_report(council_id: int):
    council = _load_council(council_id)
    report = services.report_for(council) if services.reportable(council) else None
    return render_template("reach/council.html", council=council, report=report, age_bands=AGE_BANDS)


@bp.route("/staff/councils/<int:council_id>/reach.csv")
@roles_required(Role.facilitator, Role.board, Role.admin)
@read_only
def council_report_csv(council_id: int):
    council = _load_council(council_id)
    if not services.reportable(council):
        abort(404)
    return download(
        csv_bytes(CSV_HEADER, [csv_row(services.report_for(council))]),
        "text/csv; charset=utf-8",
        f"council-{council.id}-reach.csv",
        private=True,
    )


@bp.route("/staff/reach")
@roles_required(Role.board, Role.admin)
@read_only
def overview():
    reports = services.past_reports()
    return render_template("reach/overview.html", reports=reports, periods=services.over_time(reports))


@bp.route("/staff/reach.csv")
@roles_required(Role.board, Role.admin)
@read_only
def overview_csv():
    rows = [csv_row(r) for r in services.past_reports()]
    return download(
        csv_bytes(CSV_HEADER, rows), "text/csv; charset=utf-8", f"reach-{date.today().isoformat()}.csv", private=True
    )


REFERENCE_ERRORS = {
    "header": _l("Line %(line)d: the first line must be: buurt;age_band;residents"),
    "columns": _l("Line %(line)d: give exactly three values."),
    "buurt": _l("Line %(line)d: we do not know the buurt “%(value)s”."),
    "age_band": _l("Line %(line)d: “%(value)s” is not one of the age bands."),
    "residents": _l("Line %(line)d: “%(value)s” is not a whole number of residents."),
    "duplicate": _l("Line %(line)d: “%(value)s” appears twice."),
    "empty": _l("The file holds no lines with residents."),
}


@bp.route("/staff/reach/reference", methods=["GET", "POST"])
@roles_required(Role.board, Role.admin)
def reference():
    if request.method == "POST" and not current_user.has_role(Role.board):
        abort(403)  # admins may read the table; only the board replaces it
    form = ReferenceForm()
    status = 200
    if form.validate_on_submit():
        raw = form.file.data.read(1_000_001)
        try:
            text = raw.decode("utf-8") if len(raw) <= 1_000_000 else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            form.file.errors.append(_("Upload a CSV file in UTF-8 of at most 1 MB."))
        else:
            buurten = dict(db.session.execute(db.select(Neighbourhood.name, Neighbourhood.id)).all())
            rows, errors = parse_reference(text, buurten, AGE_BANDS)
            if errors:
                form.file.errors.extend(
                    str(REFERENCE_ERRORS[e.code]) % {"line": e.line, "value": e.value} for e in errors[:10]
                )
            else:
                services.replace_reference(rows, current_user, form.source.data or "")
                db.session.commit()
                flash(_("The residents per buurt are replaced."), "success")
                return redirect(url_for("reach.reference"), code=303)
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "reach/reference.html",
        form=form,
        table=services.reference_table(),
        age_bands=AGE_BANDS,
        header=";".join(REFERENCE_HEADER),
    ), status


# --- CSV ---------------------------------------------------------------------------------
CSV_HEADER = (
    "council_id",
    "title",
    "date",
    "area",
    "half_year",
    "attendees",
    "attendees_phone",
    "attendees_paper",
    "voters",
    "voters_phone",
    "voters_paper",
    "buurt_focus",
    "buurt_other",
    "buurt_unsaid",
    *[f"age_{band}" for band in AGE_BANDS],
    "age_unsaid",
    "first_time_yes",
    "first_time_no",
    "first_time_unsaid",
    *[f"language_{code}" for code in LANGUAGE_CODES],
    "language_unsaid",
    "representativeness",
    "under_represented_ages",
    "under_represented_buurten",
)


def csv_row(report: services.CouncilReach) -> list:
    c = report.council
    year, half = report.half_year
    return [
        c.id,
        c.title,
        c.starts_at.date().isoformat(),
        c.area.name if c.area else "",
        f"{year}-H{half}",
        count_code(report.attendees),
        *[count_code(report.attendees_by_channel[k]) for k in services.CHANNELS],
        count_code(report.voters),
        *[count_code(report.voters_by_channel[k]) for k in services.CHANNELS],
        *[count_code(report.buurt_groups[k]) for k in services.BUURT_GROUPS],
        *[count_code(report.age_bands[k]) for k in (*AGE_BANDS, services.UNSAID)],
        *[count_code(report.first_time[k]) for k in services.FIRST_TIME_GROUPS],
        *[count_code(report.languages[k]) for k in (*LANGUAGE_CODES, services.UNSAID)],
        "" if report.representativeness is None else f"{report.representativeness:.2f}",
        ",".join(report.under_represented_ages),
        ",".join(report.under_represented_buurten),
    ]
