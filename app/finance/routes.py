"""The public finance page, its downloads, and the board's list of funding sources."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.database import read_only
from app.domains import DOMAIN_CODES, domain
from app.exports import Euros, csv_bytes
from app.extensions import db
from app.finance import bp, services
from app.finance.forms import FundingSourceForm
from app.finance.models import FundingSource
from app.roles import Role
from app.security import roles_required
from app.signals import Panel
from app.views import download, get_or_404

PANELS = (
    Panel(
        Role.board,
        _l("Money"),
        (("finance.sources", _l("Funding sources")), ("finance.public_page", _l("Public finance page"))),
    ),
)


@bp.route("/finance")
@read_only
def public_page():
    from app.finance.glossary import explain

    return render_template("finance/page.html", overview=services.overview(), explain_source=explain)


def _rows(overview):
    for group, lines in (
        ("source", overview.sources),
        ("domain", overview.domains),
        ("area", overview.areas),
        ("buurt", overview.buurten),
    ):
        for line in lines:
            yield (group, line.key, line.total_cents, line.allocated_cents, line.spent_cents, line.plans)
    for line in (overview.focus, overview.other):
        yield ("focus", line.key, 0, line.allocated_cents, line.spent_cents, line.plans)


@bp.route("/finance.<any(csv, json):kind>")
@read_only
def public_download(kind: str):
    overview = services.overview()
    header = ("group", "name", "total_cents", "allocated_cents", "spent_cents", "plans")
    if kind == "csv":
        # For people: their language, euros as Dutch Excel reads them. The JSON keeps codes and cents.
        readable = (_("Group"), _("Name"), _("Total (€)"), _("Allocated (€)"), _("Spent (€)"), _("Plans"))
        groups = {
            "source": _("Funding source"),
            "domain": _("Domain"),
            "area": _("Area"),
            "buurt": _("Buurt"),
            "focus": _("Focus buurten"),
        }
        names = {"focus": _("Focus buurten"), "other": _("Other buurten")}

        def readable_name(group, name):
            if group == "domain" and name in DOMAIN_CODES:
                return str(domain(name).name)
            return names.get(name, name) if group == "focus" else name

        rows = (
            (groups.get(group, group), readable_name(group, name), Euros(total), Euros(allocated), Euros(spent), plans)
            for group, name, total, allocated, spent, plans in _rows(overview)
        )
        body, mimetype = csv_bytes(readable, rows), "text/csv; charset=utf-8"
    else:
        body = json.dumps([dict(zip(header, row)) for row in _rows(overview)], ensure_ascii=False, indent=2).encode()
        mimetype = "application/json"
    return download(body, mimetype, f"wijkstem-finance.{kind}", private=False)


@bp.route("/staff/finance/sources")
@roles_required(Role.board, Role.admin)
def sources():
    return render_template("finance/sources.html", sources=services.funding_sources())


@bp.route("/staff/finance/sources/new", methods=["GET", "POST"])
@bp.route("/staff/finance/sources/<int:source_id>", methods=["GET", "POST"])
@roles_required(Role.board)
def edit_source(source_id: int | None = None):
    source = get_or_404(FundingSource, source_id) if source_id else None
    form = FundingSourceForm(
        obj=source, data={"amount": source.amount_cents} if source and request.method == "GET" else None
    )
    if form.validate_on_submit():
        source = source or FundingSource()
        try:
            services.save_funding_source(
                source, form.name.data, form.amount.cents, form.period.data, form.note.data, current_user
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("This name is already in use."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("finance.sources"), code=303)
    return render_template("finance/source_form.html", form=form, source=source)
