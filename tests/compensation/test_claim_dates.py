"""Claim and expense dates that cannot be right: a message beside the date field, the typed
values kept, nothing saved, never a 500."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.compensation.models import Claim, Expense
from app.roles import Role

NEW_CLAIM = "/staff/allowances/claims/new"
IN_THREE_DAYS = date.today() + timedelta(days=3)


def claims_of(db, volunteer):
    return list(db.session.scalars(select(Claim).where(Claim.volunteer_id == volunteer.id)))


@pytest.mark.parametrize(
    "worked_on, message",
    [
        # Born May 2000 (the fixture's volunteer started 2024): a mistyped year, then the birth month itself.
        ("2000-03-11", "before Amira was born. Check the year."),
        ("2000-05-31", "before Amira was born. Check the year."),
        ("2023-12-31", "before Amira started on Jan 1, 2024."),
        (IN_THREE_DAYS.isoformat(), "is in the future. Record it once it has happened."),
    ],
)
def test_a_claim_date_that_cannot_be_right_is_refused_beside_the_field(
    english, login_as, make_volunteer, db, worked_on, message
):
    volunteer = make_volunteer(name="Amira", birth=(2000, 5))
    login_as(Role.treasurer)
    response = english.post(
        NEW_CLAIM,
        data={
            "volunteer_id": str(volunteer.id),
            "activity_id": "0",
            "worked_on": worked_on,
            "minutes": "95",
            "rate": "",
            "note": "Schouw",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = html.split('id="worked_on-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert f'value="{worked_on}"' in html and 'value="95"' in html and 'value="Schouw"' in html
    assert claims_of(db, volunteer) == []


def test_the_first_month_after_the_birth_month_and_the_first_day_are_accepted(english, login_as, make_volunteer, db):
    volunteer = make_volunteer(birth=(2000, 5))
    volunteer.started_on = date(2000, 6, 1)
    db.session.commit()
    login_as(Role.treasurer)
    response = english.post(
        NEW_CLAIM,
        data={
            "volunteer_id": str(volunteer.id),
            "activity_id": "0",
            "worked_on": "2024-01-01",
            "minutes": "60",
            "rate": "",
            "note": "",
        },
    )
    assert response.status_code == 303
    assert len(claims_of(db, volunteer)) == 1


def test_an_activity_before_a_volunteer_started_is_refused_on_the_attendance_list(
    english, login_as, make_volunteer, make_activity, db
):
    activity = make_activity(held_on=date(2023, 11, 7))
    newcomer = make_volunteer(name="Bram", teams=[activity.team])
    login_as(Role.treasurer)
    response = english.post(
        f"/staff/allowances/activities/{activity.id}/attendance",
        data={"volunteer_ids": [str(newcomer.id)], "minutes": "120"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="volunteer_ids-error"' in html and "before Bram started on Jan 1, 2024." in html
    assert claims_of(db, newcomer) == []


def test_an_activity_cannot_be_added_in_the_future(english, login_as, db):
    from app.compensation.models import Team

    team = Team(name="Werkgroep Groen")
    db.session.add(team)
    db.session.commit()
    login_as(Role.treasurer)
    response = english.post(
        f"/staff/allowances/teams/{team.id}/activities",
        data={"title": "Buurtschouw", "held_on": IN_THREE_DAYS.isoformat(), "duration_minutes": "90"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="held_on-error"' in html and "in the future" in html and 'value="Buurtschouw"' in html


@pytest.mark.parametrize(
    "spent_on, message",
    [
        ("1999-08-02", "Check the year."),
        (IN_THREE_DAYS.isoformat(), "in the future"),
    ],
)
def test_an_expense_date_that_cannot_be_right_is_refused_beside_the_field(
    english, login_as, make_volunteer, db, spent_on, message
):
    volunteer = make_volunteer(birth=(2000, 5))
    login_as(Role.treasurer)
    response = english.post(
        f"/staff/allowances/volunteers/{volunteer.id}/expenses/new",
        data={"spent_on": spent_on, "description": "Tram", "amount": "3.40", "receipt_reference": "GVB-1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="spent_on-error"' in html and message in html and 'value="GVB-1"' in html
    assert db.session.scalars(select(Expense)).all() == []
