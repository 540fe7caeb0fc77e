"""Public council pages: upcoming and past councils, one council, its outcomes."""

from __future__ import annotations

from flask import abort, render_template

from app.councils import bp, services
from app.councils.models import Council, CouncilStatus
from app.database import read_only
from app.reach.services import public_summary
from app.views import get_or_404


@bp.route("/councils")
@read_only
def public_list():
    return render_template(
        "councils/list.html", upcoming=services.upcoming_councils(limit=50), past=services.past_councils()
    )


@bp.route("/councils/<int:council_id>")
@read_only
def public_show(council_id: int):
    council = get_or_404(Council, council_id)
    return render_template("councils/show.html", council=council, attendance=services.attendance(council))


@bp.route("/councils/<int:council_id>/outcomes")
@read_only
def public_outcomes(council_id: int):
    council = get_or_404(Council, council_id)
    if council.status != CouncilStatus.outcomes_published:
        abort(404)
    return render_template(
        "councils/outcomes.html",
        council=council,
        attendance=services.attendance(council),
        reach_summary=public_summary(council),
    )
