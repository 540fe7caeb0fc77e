"""Volunteers, claims and approvals through the pages: roles, IBAN privacy, the caps, four eyes."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEvent
from app.compensation.limits import load_limits
from app.compensation.models import Claim, ClaimStatus, Expense, FiscalLimitRow, Team, Volunteer
from app.roles import Role

NEW_CLAIM = "/staff/allowances/claims/new"


def audit_events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def claims_of(db, volunteer):
    return list(db.session.scalars(select(Claim).where(Claim.volunteer_id == volunteer.id).order_by(Claim.id)))


def by_hand(volunteer, worked_on="2025-03-11", minutes="120", rate="", **extra):
    return {
        "volunteer_id": str(volunteer.id),
        "activity_id": "0",
        "worked_on": worked_on,
        "minutes": minutes,
        "rate": rate,
        "note": "Schouw",
        **extra,
    }


# --- roles and privacy --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        (Role.board, 200),
        (Role.treasurer, 200),
        (Role.admin, 200),
        (Role.facilitator, 403),
        (Role.aanjager, 403),
        (Role.reviewer, 403),
    ],
)
def test_who_sees_the_volunteers(client, login_as, make_volunteer, role, status):
    volunteer = make_volunteer()
    login_as(role)
    assert client.get("/staff/allowances").status_code == status
    assert client.get(f"/staff/allowances/volunteers/{volunteer.id}").status_code == status


@pytest.mark.parametrize(
    "url", [NEW_CLAIM, "/staff/allowances/claims", "/staff/allowances/batches", "/staff/allowances/volunteers/new"]
)
def test_the_board_may_look_but_not_record_or_pay(client, login_as, url):
    login_as(Role.board)
    assert client.get(url).status_code == 403


def test_the_board_sees_a_masked_iban_and_no_payments(english, login_as, make_volunteer, make_claim, db):
    volunteer = make_volunteer(iban="NL91ABNA0417164300", email="fatima@example.org")
    make_claim(volunteer, minutes=90, rate=560)
    login_as(Role.board)
    html = english.get(f"/staff/allowances/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "NL•• •••• •••• 4300" in html
    assert "NL91" not in html and "0417" not in html and "ABNA" not in html
    assert "fatima@example.org" not in html
    assert "€8.40" not in html and "1:30" in html  # hours yes, money no
    assert audit_events(db, "allowance.volunteer.view_iban") == []
    listing = english.get("/staff/allowances").get_data(as_text=True)
    assert "NL91ABNA" not in listing and "NL•• •••• •••• 4300" in listing


def test_the_treasurer_sees_the_iban_and_every_view_is_audited(english, login_as, make_volunteer, db):
    volunteer = make_volunteer(iban="NL91ABNA0417164300")
    treasurer = login_as(Role.treasurer)
    html = english.get(f"/staff/allowances/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "NL91 ABNA 0417 1643 00" in html
    english.get(f"/staff/allowances/volunteers/{volunteer.id}/edit")
    events = audit_events(db, "allowance.volunteer.view_iban")
    assert [(e.actor_id, e.object_type, e.object_id, e.detail["page"]) for e in events] == [
        (treasurer.id, "volunteer", str(volunteer.id), "detail"),
        (treasurer.id, "volunteer", str(volunteer.id), "edit"),
    ]
    english.get("/staff/allowances/claims?status=all")
    assert [e.actor_id for e in audit_events(db, "allowance.claims.view")] == [treasurer.id]


def test_registering_a_volunteer_shows_errors_beside_the_fields_and_keeps_the_input(english, login_as, db):
    login_as(Role.treasurer)
    data = {
        "name": "خديجة بنعلي",
        "account_holder_name": "خديجة بنعلي",
        "birth_year": "1965",
        "birth_month": "7",
        "iban": "NL91 ABNA 0417 1643 01",
        "email": "",
        "phone": "",
        "started_on": "2025-01-06",
        "ended_on": "",
    }
    response = english.post("/staff/allowances/volunteers/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="account_holder_name-error"' in html and "Latin letters" in html
    assert 'id="iban-error"' in html and "This IBAN is not valid" in html
    assert 'id="consent-error"' in html
    assert 'value="NL91 ABNA 0417 1643 01"' in html and 'value="خديجة بنعلي"' in html
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0

    data |= {"account_holder_name": "Khadija Benali", "iban": "nl91 abna 0417 1643 00", "consent": "y"}
    assert english.post("/staff/allowances/volunteers/new", data=data).status_code == 303
    volunteer = db.session.scalar(select(Volunteer))
    assert volunteer.iban == "NL91ABNA0417164300" and volunteer.account_holder_name == "Khadija Benali"
    assert (volunteer.birth_year, volunteer.birth_month) == (1965, 7)
    assert volunteer.email is None and "bank account" in volunteer.consent_text and volunteer.consent_accepted_at
    assert audit_events(db, "allowance.volunteer.create")[0].object_id == str(volunteer.id)


# --- the caps -----------------------------------------------------------------------------------
def test_a_claim_crossing_the_monthly_cap_is_refused_and_reduced_only_after_confirmation(
    english, login_as, make_volunteer, db
):
    volunteer = make_volunteer()
    login_as(Role.treasurer)
    # 2025: €5.60 per hour, €210 per month. Two days of 15 hours = €168.
    for day in ("2025-03-11", "2025-03-12"):
        assert english.post(NEW_CLAIM, data=by_hand(volunteer, worked_on=day, minutes="900")).status_code == 303
    refused = english.post(NEW_CLAIM, data=by_hand(volunteer, worked_on="2025-03-25", minutes="1200"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "would cross the monthly maximum of €210.00" in html and "€42.00 is left" in html
    assert "At most €42.00 can be paid" in html
    assert 'name="confirm_reduce"' in html and 'value="1200"' in html  # the typed hours stay
    assert len(claims_of(db, volunteer)) == 2

    confirmed = english.post(
        NEW_CLAIM, data=by_hand(volunteer, worked_on="2025-03-25", minutes="1200", confirm_reduce="y")
    )
    assert confirmed.status_code == 303
    *first, reduced = claims_of(db, volunteer)
    assert (reduced.amount_cents, reduced.requested_cents, reduced.rate_cents_per_hour) == (4200, 11200, 560)
    assert sum(c.amount_cents for c in first) + reduced.amount_cents == 21000
    event = audit_events(db, "allowance.claim.record")[-1]
    assert event.detail["reduced_from_cents"] == 11200 and event.detail["caps"] == ["monthly"]
    page = english.get(f"/staff/allowances/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "reduced from €112.00" in page


def test_a_rate_above_the_hourly_maximum_is_refused(english, login_as, make_volunteer, db):
    volunteer = make_volunteer()
    login_as(Role.treasurer)
    response = english.post(NEW_CLAIM, data=by_hand(volunteer, minutes="60", rate="6.00"))
    assert response.status_code == 409
    assert "above the maximum of €5.60 per hour for volunteers aged 21 or over" in response.get_data(as_text=True)
    assert (
        english.post(NEW_CLAIM, data=by_hand(volunteer, minutes="60", rate="6.00", confirm_reduce="y")).status_code
        == 303
    )
    [claim] = claims_of(db, volunteer)
    assert (claim.rate_cents_per_hour, claim.amount_cents, claim.requested_cents) == (560, 560, 600)


def test_without_limits_for_the_year_nothing_can_be_recorded(english, login_as, make_volunteer, db):
    volunteer = make_volunteer()
    volunteer.started_on = date(2020, 1, 1)
    db.session.commit()
    login_as(Role.treasurer)
    for extra in ({}, {"confirm_reduce": "y"}):
        response = english.post(NEW_CLAIM, data=by_hand(volunteer, worked_on="2021-03-11", **extra))
        html = response.get_data(as_text=True)
        assert response.status_code == 409 and "no fiscal limits for 2021" in html
        assert 'name="confirm_reduce"' not in html
    assert claims_of(db, volunteer) == []


def test_the_default_rate_follows_the_age_on_the_day(english, login_as, make_volunteer, db):
    """Born June 2004: under 21 until the end of June 2025 (birth month and year only)."""
    volunteer = make_volunteer(birth=(2004, 6))
    login_as(Role.treasurer)
    for day in ("2025-06-30", "2025-07-01"):
        assert english.post(NEW_CLAIM, data=by_hand(volunteer, worked_on=day, minutes="60")).status_code == 303
    assert [(c.rate_cents_per_hour, c.amount_cents) for c in claims_of(db, volunteer)] == [(330, 330), (560, 560)]


def test_bad_input_is_shown_beside_the_field(english, login_as, make_volunteer, db):
    volunteer = make_volunteer()
    login_as(Role.treasurer)
    response = english.post(NEW_CLAIM, data=by_hand(volunteer, worked_on="", minutes="", rate="12,5,0"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="worked_on-error"' in html and 'id="minutes-error"' in html and 'id="rate-error"' in html
    assert 'value="12,5,0"' in html
    assert claims_of(db, volunteer) == []


def test_expenses_count_towards_the_caps_by_default(app, english, login_as, make_volunteer, db):
    volunteer = make_volunteer()
    login_as(Role.treasurer)
    expense = {
        "spent_on": "2025-03-02",
        "description": "Verf voor de buurtmuur",
        "amount": "200.00",
        "receipt_reference": "Bon 17",
    }
    assert english.post(f"/staff/allowances/volunteers/{volunteer.id}/expenses/new", data=expense).status_code == 303
    assert db.session.scalar(select(Expense)).counts_towards_caps is True
    # €10 of the €210 is left in March 2025: two hours (€11.20) no longer fit.
    assert english.post(NEW_CLAIM, data=by_hand(volunteer)).status_code == 409
    refused = english.post(
        f"/staff/allowances/volunteers/{volunteer.id}/expenses/new", data=expense | {"amount": "20.00"}
    )
    assert refused.status_code == 409 and "Expenses count towards the caps" in refused.get_data(as_text=True)

    app.config["EXPENSES_COUNT_TOWARDS_CAPS"] = False
    try:
        other = make_volunteer()
        assert english.post(f"/staff/allowances/volunteers/{other.id}/expenses/new", data=expense).status_code == 303
        assert english.post(NEW_CLAIM, data=by_hand(other)).status_code == 303
    finally:
        app.config["EXPENSES_COUNT_TOWARDS_CAPS"] = True
    assert db.session.scalar(select(Expense).where(Expense.volunteer_id == other.id)).counts_towards_caps is False


# --- attendance lists ---------------------------------------------------------------------------
def test_an_attendance_list_records_everyone_or_nobody(
    english, login_as, make_volunteer, make_activity, make_claim, db
):
    team = Team(name="Opgaveteam Jeugd")
    db.session.add(team)
    people = [make_volunteer(name=n, teams=[team]) for n in ("Anna", "Bilal", "Cem")]
    make_claim(people[1], worked_on=date(2025, 3, 3), minutes=2100, rate=560, status=ClaimStatus.submitted)  # €196 used
    activity = make_activity(team=team, held_on=date(2025, 3, 20), minutes=180)  # 3 hours = €16.80
    login_as(Role.treasurer)
    page = english.get(f"/staff/allowances/activities/{activity.id}").get_data(as_text=True)
    assert all(p.name in page for p in people) and 'value="180"' in page

    data = {"volunteer_ids": [str(p.id) for p in people], "minutes": "180", "rate": ""}
    url = f"/staff/allowances/activities/{activity.id}/attendance"
    refused = english.post(url, data=data)
    assert refused.status_code == 409 and "Bilal" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Claim).where(Claim.activity_id == activity.id)) == 0

    assert english.post(url, data=data | {"confirm_reduce": "y"}).status_code == 303
    claims = {c.volunteer.name: c for c in db.session.scalars(select(Claim).where(Claim.activity_id == activity.id))}
    assert {n: c.amount_cents for n, c in claims.items()} == {"Anna": 1680, "Bilal": 1400, "Cem": 1680}
    assert claims["Bilal"].requested_cents == 1680
    # Recorded volunteers are no longer offered, and a second claim for the same activity is refused.
    assert english.post(url, data=data).status_code == 400
    again = english.post(
        NEW_CLAIM, data={"volunteer_id": str(people[0].id), "activity_id": str(activity.id), "minutes": "", "rate": ""}
    )
    assert again.status_code == 409 and "already has a claim for this activity" in again.get_data(as_text=True)


# --- approvals ----------------------------------------------------------------------------------
def test_four_eyes_whoever_recorded_a_claim_cannot_approve_it(english, login_as, treasurers, make_volunteer, db):
    recorder, approver = treasurers
    volunteer = make_volunteer()
    login_as(user=recorder)
    assert english.post(NEW_CLAIM, data=by_hand(volunteer)).status_code == 303
    [claim] = claims_of(db, volunteer)
    assert claim.recorded_by_id == recorder.id and claim.status == ClaimStatus.submitted
    assert "another treasurer approves it" in english.get("/staff/allowances/claims").get_data(as_text=True)

    refused = english.post(f"/staff/allowances/claims/{claim.id}/approve")
    assert refused.status_code == 409 and "You recorded this claim yourself" in refused.get_data(as_text=True)
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.submitted and claim.approved_by_id is None

    login_as(user=approver)
    assert english.post(f"/staff/allowances/claims/{claim.id}/approve").status_code == 303
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.approved and claim.approved_by_id == approver.id
    assert english.post(f"/staff/allowances/claims/{claim.id}/approve").status_code == 409  # only once
    assert [e.actor_id for e in audit_events(db, "allowance.claim.approve")] == [approver.id]


def test_rejecting_a_claim_frees_its_room_under_the_caps(english, login_as, treasurers, make_volunteer, make_claim, db):
    volunteer = make_volunteer()
    claim = make_claim(volunteer, minutes=2250, status=ClaimStatus.submitted, recorded_by=treasurers[0])  # €210
    login_as(user=treasurers[1])
    assert english.post(NEW_CLAIM, data=by_hand(volunteer, minutes="60")).status_code == 409
    response = english.post(
        f"/staff/allowances/claims/{claim.id}/reject", data={f"claim{claim.id}-reason": "Dubbel ingevoerd"}
    )
    assert response.status_code == 303
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.rejected and claim.rejection_reason == "Dubbel ingevoerd"
    assert english.post(NEW_CLAIM, data=by_hand(volunteer, minutes="60")).status_code == 303


def test_approval_checks_the_caps_again_after_the_limits_were_lowered(
    english, login_as, treasurers, make_volunteer, make_claim, db
):
    volunteer = make_volunteer()
    claim = make_claim(volunteer, minutes=1800, status=ClaimStatus.submitted, recorded_by=treasurers[0])  # €168
    row = db.session.scalar(select(FiscalLimitRow).where(FiscalLimitRow.year == 2025))
    row.monthly_max_cents = 15_000
    db.session.commit()
    login_as(user=treasurers[1])
    response = english.post(f"/staff/allowances/claims/{claim.id}/approve")
    assert response.status_code == 409 and "no longer fits the fiscal limits" in response.get_data(as_text=True)
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.submitted


# --- fiscal limits ------------------------------------------------------------------------------
def test_the_limits_come_from_the_reference_file_and_2026_says_it_is_unconfirmed(english, login_as, db):
    from app.compensation.services import current_limits

    assert current_limits() == load_limits()
    login_as(Role.board)
    html = english.get("/staff/allowances/limits").get_data(as_text=True)
    assert "Not confirmed" in html and "unconfirmed (one secondary source)" in html
    assert "/limits/2026/edit" not in html  # only admin corrects


def test_admin_corrects_a_year_and_the_form_checks_the_caps(english, login_as, db):
    login_as(Role.treasurer)
    assert english.get("/staff/allowances/limits/2026/edit").status_code == 403
    admin = login_as(Role.admin)
    form = english.get("/staff/allowances/limits/2026/edit").get_data(as_text=True)
    assert 'value="5.75"' in form and "not confirmed yet" in form
    data = {
        "year": "2026",
        "hourly_max_21_plus": "5.75",
        "hourly_max_under_21": "6.00",
        "monthly_max": "220",
        "yearly_max": "2200",
        "confirmed": "y",
        "source": "Belastingdienst",
    }
    bad = english.post("/staff/allowances/limits/2026/edit", data=data)
    assert bad.status_code == 400 and 'id="hourly_max_under_21-error"' in bad.get_data(as_text=True)
    assert (
        english.post("/staff/allowances/limits/2026/edit", data=data | {"hourly_max_under_21": "3.45"}).status_code
        == 303
    )
    row = db.session.scalar(select(FiscalLimitRow).where(FiscalLimitRow.year == 2026))
    assert (row.hourly_max_under_21_cents, row.status, row.confirmed, row.updated_by_id) == (
        345,
        "confirmed (Belastingdienst)",
        True,
        admin.id,
    )
    event = audit_events(db, "allowance.limits.save")[0]
    assert (
        event.detail["before"]["hourly_max_under_21_cents"] == 340
        and event.detail["after"]["hourly_max_under_21_cents"] == 345
    )
    new_year = data | {"year": "2027", "hourly_max_under_21": "3.50", "confirmed": ""}
    assert english.post("/staff/allowances/limits/new", data=new_year).status_code == 303
    assert english.post("/staff/allowances/limits/new", data=new_year).status_code == 400  # the year exists


def test_the_volunteer_page_warns_near_a_cap(english, login_as, make_volunteer, make_claim, db):
    from app.compensation.models import FiscalLimitRow
    from app.compensation.services import current_limits, today

    on = today()
    if on.year not in current_limits():  # the reference data ends in 2026: the admin adds later years
        db.session.add(
            FiscalLimitRow(
                year=on.year,
                hourly_max_21_plus_cents=575,
                hourly_max_under_21_cents=340,
                monthly_max_cents=22000,
                yearly_max_cents=220000,
                status="test",
            )
        )
        db.session.commit()
    limit = current_limits()[on.year]
    volunteer = make_volunteer()
    minutes = limit.monthly_max_cents * 85 // 100 * 60 // limit.hourly_max_21_plus_cents  # 85% of the month
    make_claim(
        volunteer, worked_on=on, minutes=minutes, rate=limit.hourly_max_21_plus_cents, status=ClaimStatus.submitted
    )
    login_as(Role.treasurer)
    html = english.get(f"/staff/allowances/volunteers/{volunteer.id}").get_data(as_text=True)
    assert "Close to the monthly maximum." in html and "Close to the yearly maximum." not in html
    assert "The limits of 2025, 2026 are not confirmed yet." in english.get(NEW_CLAIM).get_data(as_text=True)
