from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role
from app.extensions import db
from app.places import bp, services
from app.places.forms import AllianceForm, AreaForm, NeighbourhoodForm
from app.places.models import Neighbourhood
from app.security import roles_required
from app.views import get_or_404


@bp.route("/staff/places")
@roles_required(Role.admin)
def index():
    return render_template("places/index.html", areas=services.areas(), buurten=services.neighbourhoods())


@bp.route("/staff/places/areas/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def new_area():
    form = AreaForm()
    if form.validate_on_submit():
        try:
            services.save_area(None, form.name.data)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("This name is already in use."))
        else:
            return redirect(url_for("places.index"), code=303)
    return render_template("places/form.html", form=form, title=_("New area"))


@bp.route("/staff/places/buurten/new", methods=["GET", "POST"])
@bp.route("/staff/places/buurten/<int:buurt_id>", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_buurt(buurt_id: int | None = None):
    buurt = get_or_404(Neighbourhood, buurt_id) if buurt_id else None
    form = NeighbourhoodForm(obj=buurt)
    form.area_id.choices = services.area_choices(blank_label=_l("(no area)"))
    if form.validate_on_submit():
        try:
            services.save_neighbourhood(buurt, form.name.data, form.area_id.data, form.is_focus.data)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("This name is already in use."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("places.index"), code=303)
    return render_template("places/form.html", form=form, title=buurt.name if buurt else _("New buurt"))


@bp.route("/staff/places/buurten/<int:buurt_id>/alliance", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_alliance(buurt_id: int):
    buurt = get_or_404(Neighbourhood, buurt_id)
    alliance = buurt.alliance
    form = AllianceForm(
        obj=alliance, data=None if alliance else {"name": _("Wijkalliantie %(buurt)s", buurt=buurt.name)}
    )
    form.aanjager_ids.choices = services.aanjager_choices()
    if alliance and not form.is_submitted():
        form.aanjager_ids.data = [u.id for u in alliance.aanjagers]
    if form.validate_on_submit():
        services.save_alliance(buurt, form.name.data, form.meeting_place.data or "", form.aanjager_ids.data or [])
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("places.index"), code=303)
    return render_template("places/form.html", form=form, title=form.name.data or buurt.name)
