"""Staff pages: aanjagers write and submit, reviewers review, the board follows up."""

from __future__ import annotations

import base64

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.exports import Euros, csv_bytes, euros, xlsx_bytes
from app.extensions import db
from app.i18n import LANGUAGES
from app.labels import status_label
from app.proposals import bp, pending_images, services
from app.proposals.forms import ProgressForm, ProposalForm, ReviewForm, WithdrawForm
from app.proposals.images import MAX_UPLOAD_BYTES, ImageRejected, process_upload
from app.proposals.lifecycle import REVIEW_QUEUE_STATUSES, Status
from app.proposals.models import Proposal
from app.proposals.permissions import load_proposal
from app.proposals.routes import image_response, read_filters
from app.roles import Role
from app.security import roles_required
from app.signals import Panel
from app.views import download, paginate

STAFF_ROLES = (Role.aanjager, Role.reviewer, Role.board, Role.admin)
IMAGE_MESSAGES = {
    "too_large": _l("The image is larger than 5 MB. Choose a smaller one."),
    "too_many_pixels": _l("The image has more than 40 megapixels. Make it smaller and try again."),
    "not_an_image": _l("This file is not an image we can read."),
    "wrong_type": _l("Use a JPEG, PNG or WebP image."),
}

PANELS = (
    Panel(
        Role.aanjager,
        _l("Plans"),
        (
            ("proposals.mine", _l("My plans")),
            ("proposals.create", _l("Write a new plan")),
        ),
    ),
    Panel(
        Role.reviewer,
        _l("Review"),
        (
            ("proposals.queue", _l("Plans waiting for review")),
            ("proposals.export_csv", _l("Export plans (CSV)")),
        ),
    ),
    Panel(
        Role.board,
        _l("Plans"),
        (
            ("proposals.public_list", _l("All public plans")),
            ("proposals.export_xlsx", _l("Export plans (Excel)")),
        ),
    ),
)


def load_for_edit(proposal_id: int) -> Proposal:
    return load_proposal(proposal_id, "edit")


def _fill_choices(form: ProposalForm) -> None:
    form.neighbourhood_id.choices = services.neighbourhood_choices_for_form(_("District-wide (all of Nieuw-West)"))


def _take_upload(form: ProposalForm) -> tuple[bool, object]:
    """Process a newly chosen photo (and keep it for the next try of the form), or find the one
    kept from an earlier try. Returns (ok, image or None); a refused file gets its message."""
    upload = form.image.data
    if upload and getattr(upload, "filename", ""):
        try:
            image = process_upload(upload.read(MAX_UPLOAD_BYTES + 1))
        except ImageRejected as error:
            form.image.errors = [*form.image.errors, IMAGE_MESSAGES[error.code]]
            return False, None
        pending_images.forget(current_user.id, form.kept_image.data)
        form.kept_image.data = pending_images.keep(current_user.id, image)
        return True, image
    image = pending_images.load(current_user.id, form.kept_image.data)
    if image is None:
        form.kept_image.data = ""
    return True, image


def _input_from(form: ProposalForm, image) -> services.ProposalInput:
    return services.ProposalInput(
        title=form.title.data,
        summary=form.summary.data,
        description=form.description.data or "",
        language=form.language.data,
        domain=form.domain.data,
        neighbourhood_id=form.neighbourhood_id.data or None,
        origin=form.origin.data,
        origin_detail=form.origin_detail.data or "",
        backers_count=form.backers_count.data or 0,
        cost_lines=form.cost_line_values(),
        translations=form.translation_values(),
        image=image,
        image_alt=form.image_alt.data or "",
        remove_image=bool(form.remove_image.data),
    )


def _edit_page(form: ProposalForm, proposal: Proposal | None):
    adding = form.add_line.data and len(form.cost_lines.entries) < form.cost_lines.max_entries
    valid = not adding and form.validate_on_submit()  # first: validating resets every field's errors
    kept, image_ok = None, True
    if request.method == "POST":
        image_ok, kept = _take_upload(form)  # also after "More cost lines": the photo stays
    if adding:
        form.cost_lines.append_entry()  # no JavaScript needed for one more line
    elif valid and image_ok:
        proposal = services.save_draft(proposal, current_user, _input_from(form, kept))
        db.session.commit()
        pending_images.forget(current_user.id, form.kept_image.data)
        flash(_("Your plan is saved as a draft."), "success")
        return redirect(url_for("proposals.staff_show", proposal_id=proposal.id), code=303)
    preview = base64.b64encode(kept.thumbnail).decode() if kept is not None else None
    return render_template(
        "proposals/edit.html", form=form, proposal=proposal, kept_preview=preview, max_upload_bytes=MAX_UPLOAD_BYTES
    )


PLAN_FORM_MAX_BYTES = 32 * 1024 * 1024


def allow_large_uploads():
    """A photo over the limit must not end in a bare 413 that loses the typed text: the plan form
    accepts a request up to 32 MB, and the photo itself is refused beside its field (over 5 MB).
    Runs before every other before-request function (the CSRF check reads the form)."""
    if request.endpoint in ("proposals.create", "proposals.edit") and request.method == "POST":
        request.max_content_length = PLAN_FORM_MAX_BYTES


@bp.record_once
def _first_in_line(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_large_uploads)


@bp.route("/staff/proposals/new", methods=["GET", "POST"])
@roles_required(Role.aanjager)
def create():
    form = ProposalForm()
    _fill_choices(form)
    if request.method == "GET":
        alliance = services.alliance_for(current_user, None)
        form.neighbourhood_id.data = alliance.neighbourhood_id if alliance else 0
        form.domain.data = "youth"
    return _edit_page(form, None)


@bp.route("/staff/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@roles_required(Role.aanjager)
def edit(proposal_id: int):
    proposal = load_for_edit(proposal_id)
    form = ProposalForm(data=_form_data(proposal)) if request.method == "GET" else ProposalForm()
    _fill_choices(form)
    return _edit_page(form, proposal)


def _form_data(proposal: Proposal) -> dict:
    translations = []
    for lang in LANGUAGES:
        found = proposal.translation(lang.code)
        translations.append({"title": found.title if found else "", "summary": found.summary if found else ""})
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "description": proposal.description,
        "language": proposal.language,
        "domain": proposal.domain,
        "neighbourhood_id": proposal.neighbourhood_id or 0,
        "origin": proposal.origin,
        "origin_detail": proposal.origin_detail,
        "backers_count": proposal.backers_count,
        "cost_lines": [{"description": c.description, "amount": c.amount_cents} for c in proposal.cost_lines],
        "translations": translations,
        "image_alt": proposal.image.alt_text if proposal.image else "",
    }


@bp.route("/staff/proposals/<int:proposal_id>/submit", methods=["POST"])
@roles_required(Role.aanjager)
def submit(proposal_id: int):
    proposal = load_for_edit(proposal_id)
    services.submit(proposal, current_user)
    db.session.commit()
    flash(_("Your plan is sent to the reviewers."), "success")
    return redirect(url_for("proposals.staff_show", proposal_id=proposal.id), code=303)


@bp.route("/staff/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@roles_required(Role.aanjager)
def withdraw(proposal_id: int):
    proposal = load_proposal(proposal_id, "withdraw")
    form = WithdrawForm()
    services.withdraw(proposal, current_user, form.reason.data or "")
    db.session.commit()
    flash(_("The plan is withdrawn."), "success")
    return redirect(url_for("proposals.staff_show", proposal_id=proposal.id), code=303)


@bp.route("/staff/proposals/mine")
@roles_required(Role.aanjager)
def mine():
    return render_template("proposals/mine.html", proposals=services.proposals_of(current_user))


@bp.route("/staff/proposals/<int:proposal_id>")
@roles_required(*STAFF_ROLES)
def staff_show(proposal_id: int):
    proposal = load_proposal(proposal_id, "view")
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        staff_view=True,
        withdraw_form=WithdrawForm(),
        progress_form=ProgressForm(),
    )


@bp.route("/staff/proposals/<int:proposal_id>/image/<any(full, thumb):kind>")
@roles_required(*STAFF_ROLES)
def staff_image(proposal_id: int, kind: str):
    return image_response(load_proposal(proposal_id, "view"), kind)


@bp.route("/staff/review")
@roles_required(Role.reviewer)
def queue():
    filters = read_filters(REVIEW_QUEUE_STATUSES)
    page = paginate(services.review_queue(filters))
    return render_template(
        "proposals/queue.html",
        page=page,
        filters=filters,
        buurten=services.neighbourhood_choices_for_form(""),
        statuses=[Status.submitted, Status.in_review],
    )


@bp.route("/staff/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
@roles_required(Role.reviewer)
def review(proposal_id: int):
    proposal = load_proposal(proposal_id, "review")
    form = ReviewForm()
    if form.validate_on_submit():
        services.review(
            proposal,
            current_user,
            decision=form.decision.data,
            feasible=form.feasible.data == "yes",
            adjusted_cost_cents=form.adjusted_cost.cents,
            public_reason=form.public_reason.data or "",
            internal_note=form.internal_note.data or "",
        )
        db.session.commit()
        flash(_("The review is saved."), "success")
        return redirect(url_for("proposals.queue"), code=303)
    return render_template("proposals/review.html", form=form, proposal=proposal)


@bp.route("/staff/proposals/<int:proposal_id>/progress", methods=["POST"])
@roles_required(Role.aanjager, Role.board)
def add_progress(proposal_id: int):
    proposal = load_proposal(proposal_id, "follow_up")
    form = ProgressForm()
    if not form.validate_on_submit():
        return render_template(
            "proposals/show.html", proposal=proposal, staff_view=True, withdraw_form=WithdrawForm(), progress_form=form
        ), 400
    services.add_progress(proposal, current_user, form.happened_on.data, form.text.data, form.spent.cents or 0)
    db.session.commit()
    flash(_("The update is published."), "success")
    return redirect(url_for("proposals.staff_show", proposal_id=proposal.id), code=303)


@bp.route("/staff/proposals/<int:proposal_id>/complete", methods=["POST"])
@roles_required(Role.aanjager, Role.board)
def complete(proposal_id: int):
    proposal = load_proposal(proposal_id, "follow_up")
    services.complete(proposal, current_user)
    db.session.commit()
    return redirect(url_for("proposals.staff_show", proposal_id=proposal.id), code=303)


def export_header() -> tuple[str, ...]:
    """Column names in the reader's language; money in euros (app.exports.Euros)."""
    return (
        _("Number"),
        _("Title"),
        _("Summary"),
        _("Domain"),
        _("Buurt"),
        _("Status"),
        _("Total cost (€)"),
        _("Cost on the ballot (€)"),
        _("Spent (€)"),
        _("Supporters"),
    )


def _export_rows():
    from sqlalchemy import select

    from app.domains import domain

    for p in db.session.scalars(select(Proposal).order_by(Proposal.id)):
        yield (
            p.id,
            p.title,
            p.summary,
            str(domain(p.domain).name),
            services.buurt_name(p) or "",
            status_label(p.status),
            Euros(p.total_cents),
            euros(p.ballot_cost_cents),
            Euros(p.spent_cents),
            p.backers_count,
        )


@bp.route("/staff/proposals/export.csv")
@roles_required(Role.reviewer, Role.board, Role.admin)
def export_csv():
    return download(csv_bytes(export_header(), _export_rows()), "text/csv; charset=utf-8", "proposals.csv")


@bp.route("/staff/proposals/export.xlsx")
@roles_required(Role.reviewer, Role.board, Role.admin)
def export_xlsx():
    data = xlsx_bytes([(_("Plans"), export_header(), _export_rows())])
    return download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "proposals.xlsx")
