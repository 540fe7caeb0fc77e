"""Public pages: the list, one proposal, its image, JSON. Only public statuses exist here."""

from __future__ import annotations

from flask import abort, jsonify, make_response, render_template, request, url_for
from flask_babel import get_locale

from app.database import read_only
from app.domains import DOMAIN_CODES
from app.proposals import bp, services
from app.proposals.lifecycle import PUBLIC_STATUSES, Status
from app.proposals.models import Proposal
from app.views import paginate


def read_filters(allowed_statuses) -> services.Filters:
    """Filters from the query string. Values outside the allow-lists are a 400, not a query."""
    args = request.args
    domain = args.get("domain") or None
    status = args.get("status") or None
    buurt_text = args.get("buurt", "").strip()
    if buurt_text and not buurt_text.isdigit():
        abort(400)
    buurt = int(buurt_text) if buurt_text else 0
    if domain and domain not in DOMAIN_CODES:
        abort(400)
    if status and status not in {s.value for s in allowed_statuses}:
        abort(400)
    text = (args.get("q") or "").strip()[:100] or None
    return services.Filters(domain, buurt or None, Status(status) if status else None, text)


def load_public(proposal_id: int) -> Proposal:
    proposal = services.get_public(proposal_id)
    if proposal is None:
        abort(404)  # drafts and proposals in review do not exist for the public
    return proposal


@bp.route("/proposals")
@read_only
def public_list():
    filters = read_filters(PUBLIC_STATUSES)
    page = paginate(services.public_query(filters))
    return render_template(
        "proposals/list.html",
        page=page,
        filters=filters,
        buurten=services.neighbourhood_choices_for_form(""),
        statuses=sorted(PUBLIC_STATUSES, key=lambda s: list(Status).index(s)),
    )


@bp.route("/proposals/<int:proposal_id>")
@read_only
def public_show(proposal_id: int):
    proposal = load_public(proposal_id)
    return render_template("proposals/show.html", proposal=proposal, staff_view=False)


@bp.route("/proposals/<int:proposal_id>/image/<any(full, thumb):kind>")
@read_only
def public_image(proposal_id: int, kind: str):
    proposal = load_public(proposal_id)
    return image_response(proposal, kind)


def image_response(proposal: Proposal, kind: str):
    if proposal.image is None:
        abort(404)
    data = proposal.image.data if kind == "full" else proposal.image.thumbnail
    response = make_response(data)
    response.headers["Content-Type"] = proposal.image.content_type
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/proposals.json")
@read_only
def public_list_json():
    filters = read_filters(PUBLIC_STATUSES)
    page = paginate(services.public_query(filters))
    return jsonify(
        page=page.number,
        size=page.size,
        total=page.total,
        proposals=[proposal_json(p) for p in page.items],
    )


@bp.route("/proposals/<int:proposal_id>.json")
@read_only
def public_show_json(proposal_id: int):
    return jsonify(proposal_json(load_public(proposal_id), detail=True))


def proposal_json(proposal: Proposal, detail: bool = False) -> dict:
    locale = str(get_locale() or "nl")
    title, summary, fallback = proposal.text_in(locale)
    data = {
        "id": proposal.id,
        "url": url_for("proposals.public_show", proposal_id=proposal.id, _external=True),
        "title": title,
        "summary": summary,
        "language": proposal.language if fallback else locale,
        "domain": proposal.domain,
        "buurt": services.buurt_name(proposal),
        "status": proposal.status.value,
        "total_cents": proposal.total_cents,
        "ballot_cost_cents": proposal.ballot_cost_cents,
        "spent_cents": proposal.spent_cents,
    }
    if detail:
        data["description"] = proposal.description
        data["cost_lines"] = [{"what": c.description, "amount_cents": c.amount_cents} for c in proposal.cost_lines]
        data["timeline"] = [
            {"at": e.created_at.isoformat(), "from": e.from_status.value, "to": e.to_status.value, "reason": e.reason}
            for e in proposal.events
        ]
        data["progress"] = [
            {"on": u.happened_on.isoformat(), "text": u.text, "spent_cents": u.spent_cents}
            for u in proposal.progress_updates
        ]
    return data
