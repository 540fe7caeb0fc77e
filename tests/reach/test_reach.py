"""The reach report through the real stack: residents answer (or skip) on the welcome page,
the facilitator signs some in at the desk, and the report, its CSV and the public summary
show what we counted by hand."""

import csv
import io
import re

from sqlalchemy import select

from app.councils.models import AttendanceProfile, Council, CouncilStatus
from app.councils.reach import profiles_for
from app.reach.models import ReferencePopulation
from app.roles import Role


def welcome(app, code, lang="nl", **answers):
    phone = app.test_client()
    phone.set_cookie("lang", lang)
    assert phone.get(f"/t/{code}").status_code == 303
    response = phone.post("/t/welcome", data={"neighbourhood_id": "0", "age_band": "", **answers})
    return phone, response


def test_the_welcome_step_saves_a_profile_with_the_page_language(app, db, evening, place):
    council, codes = evening
    _area, focus, _other = place
    phone, response = welcome(app, codes[0], "tr", neighbourhood_id=str(focus.id), age_band="21_26", first_time="yes")
    assert response.status_code == 303
    [facts] = profiles_for([council.id])
    assert (facts.neighbourhood_id, facts.age_band, facts.first_time, facts.language) == (
        focus.id,
        "21_26",
        "yes",
        "tr",
    )
    assert "first_time" not in phone.get("/t/welcome").get_data(as_text=True)  # asked once


def test_skipping_takes_one_tap_and_saves_nothing(app, db, evening):
    council, codes = evening
    phone = app.test_client()
    phone.get(f"/t/{codes[0]}")
    page = phone.get("/t/welcome").get_data(as_text=True)
    assert 'name="first_time"' in page and 'name="skip"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = phone.post("/t/welcome", data={"skip": "1", **({"csrf_token": token.group(1)} if token else {})})
    assert response.status_code == 303
    assert profiles_for([council.id]) == []
    assert 'name="first_time"' not in phone.get("/t/welcome").get_data(as_text=True)


def test_an_unknown_answer_is_refused_beside_the_field(app, db, evening):
    council, codes = evening
    _phone, response = welcome(app, codes[0], "en", first_time="maybe", age_band="27_65")
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert profiles_for([council.id]) == []


def run_the_evening(app, client, login_as, db, evening, place):
    """20 sign-ins: 15 by phone, 5 at the desk. 16 of the phone users answer:
    10 focus / 27-65 / first time / Dutch, 5 other / over 65 / not first / Turkish,
    1 says nothing but uses the Arabic page. Hand-counted figures are in the tests."""
    council, codes = evening
    _area, focus, other = place
    for code in codes[:10]:
        welcome(app, code, "nl", neighbourhood_id=str(focus.id), age_band="27_65", first_time="yes")
    for code in codes[10:15]:
        welcome(app, code, "tr", neighbourhood_id=str(other.id), age_band="over_65", first_time="no")
    welcome(app, codes[15], "ar", first_time="unsaid")  # phone 16: answers nothing but the language is known
    facilitator = login_as(user=council.facilitators[0])  # the council's own facilitator
    for code in codes[16:20]:
        client.post(f"/staff/councils/{council.id}/desk", data={"code": code})
    client.post(f"/staff/councils/{council.id}/status/closed")
    return council, facilitator


def test_report_figures_equal_the_hand_count(app, client, login_as, db, evening, place):
    council, _facilitator = run_the_evening(app, client, login_as, db, evening, place)
    client.set_cookie("lang", "en")
    response = client.get(f"/staff/councils/{council.id}/reach.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    # 16 by phone and 4 at the desk: the 4 reads "<5", and the 16 is hidden, or 20 - 16 gives it back.
    expected = {
        "attendees": "20",
        "attendees_phone": "hidden",
        "attendees_paper": "<5",
        "voters": "0",
        "voters_phone": "0",
        "voters_paper": "0",
        "buurt_focus": "10",
        "buurt_other": "5",
        "buurt_unsaid": "5",
        "age_under_16": "0",
        "age_16_20": "0",
        "age_21_26": "0",
        "age_27_65": "10",
        "age_over_65": "5",
        "age_unsaid": "5",
        "first_time_yes": "10",
        "first_time_no": "5",
        "first_time_unsaid": "5",
        # 10 Dutch, 5 Turkish, 1 Arabic, 4 unknown (desk): 1 and 4 both read "<5"; 1..4 each stays possible
        "language_nl": "10",
        "language_en": "0",
        "language_tr": "5",
        "language_ar": "<5",
        "language_pl": "0",
        "language_unsaid": "<5",
        # ages of those who answered: 10/15 and 5/15 against 1/2 and 1/2 -> TVD 1/6 -> 0.833, to 5 points: 0.85
        "representativeness": "0.85",
        "under_represented_ages": "over_65",
        "under_represented_buurten": "Anderbuurt",
    }
    assert {k: row[k] for k in expected} == expected
    page = client.get(f"/staff/councils/{council.id}/reach").get_data(as_text=True)
    assert "85%" in page and "fewer than 5" in page and "Anderbuurt" in page


def test_the_board_sees_every_council_and_over_time(app, client, login_as, db, evening, place):
    council, _f = run_the_evening(app, client, login_as, db, evening, place)
    login_as(Role.board)
    client.set_cookie("lang", "en")
    page = client.get("/staff/reach").get_data(as_text=True)
    assert council.title in page and "Testgebied" in page and "67%" in page  # 10 of the 15 who named a buurt
    rows = list(
        csv.reader(io.StringIO(client.get("/staff/reach.csv").get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert str(council.id) in [r[0] for r in rows[1:]]


def test_who_may_read_the_report(app, client, login_as, db, evening, place):
    council, _f = evening
    anonymous = app.test_client()
    assert anonymous.get(f"/staff/councils/{council.id}/reach").status_code in (302, 303)
    login_as(Role.aanjager)
    assert client.get(f"/staff/councils/{council.id}/reach").status_code == 403
    assert client.get("/staff/reach").status_code == 403
    login_as(Role.facilitator)  # a facilitator of another council
    assert client.get(f"/staff/councils/{council.id}/reach").status_code == 403
    login_as(user=council.facilitators[0])
    assert client.get(f"/staff/councils/{council.id}/reach").status_code == 200
    assert client.get("/staff/reach.csv").status_code == 403
    for role in (Role.board, Role.admin):
        login_as(role)
        assert client.get(f"/staff/councils/{council.id}/reach").status_code == 200
        assert client.get("/staff/reach.csv").status_code == 200


def test_public_summary_after_the_outcomes_are_published(app, client, login_as, db, evening, place):
    council, _f = run_the_evening(app, client, login_as, db, evening, place)
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    assert visitor.get(f"/councils/{council.id}/outcomes").status_code == 404
    assert "20 residents" not in visitor.get("/").get_data(as_text=True)
    login_as(user=council.facilitators[0])
    client.post(
        f"/staff/councils/{council.id}/outcomes", data={"summary": "Meer licht.", "decision_youth": "", "publish": "1"}
    )
    assert db.session.get(Council, council.id).status == CouncilStatus.outcomes_published
    summary = "20 residents, 10 for the first time, 67% from focus buurten"
    assert summary in visitor.get(f"/councils/{council.id}/outcomes").get_data(as_text=True)
    assert summary in visitor.get("/").get_data(as_text=True)


def test_reference_upload(app, client, login_as, db, place):
    _area, focus, other = place
    login_as(Role.board)
    client.set_cookie("lang", "en")
    bad = "buurt;age_band;residents\nFocusbuurt;27_65;100\nNergensbuurt;27_65;5\nAnderbuurt;old;5\nAnderbuurt;over_65;-3\n"
    response = client.post(
        "/staff/reach/reference",
        data={"file": (io.BytesIO(bad.encode()), "ref.csv"), "source": "CBS 2024"},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 3" in text and "Nergensbuurt" in text and "Line 4" in text and "Line 5" in text
    assert 'value="CBS 2024"' in text  # what was typed stays
    assert (
        db.session.scalar(
            select(ReferencePopulation.residents).where(
                ReferencePopulation.neighbourhood_id == focus.id, ReferencePopulation.age_band == "27_65"
            )
        )
        == 600
    )
    good = "\ufeffbuurt,age_band,residents\nFocusbuurt,27_65,100\nanderbuurt,over_65,50\n"
    response = client.post(
        "/staff/reach/reference",
        data={"file": (io.BytesIO(good.encode()), "ref.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    rows = db.session.execute(
        select(ReferencePopulation.neighbourhood_id, ReferencePopulation.age_band, ReferencePopulation.residents)
    ).all()
    assert sorted(rows) == sorted([(focus.id, "27_65", 100), (other.id, "over_65", 50)])
    login_as(Role.admin)
    response = client.post(
        "/staff/reach/reference",
        data={"file": (io.BytesIO(good.encode()), "ref.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_profile_rows_carry_no_link_to_tickets_ballots_or_time(app, db):
    columns = {c.name for c in AttendanceProfile.__table__.columns}
    assert columns == {"id", "council_id", "neighbourhood_id", "age_band", "first_time", "language"}
    assert not any(fk.column.table.name in ("ticket", "ballot") for fk in AttendanceProfile.__table__.foreign_keys)


def test_over_time_a_sum_hides_when_one_council_hid_its_count(
    app, client, login_as, db, evening, place, test_context, make_user
):
    """Two councils in one area and half-year: 20 + 6 attendees, 10 + 2 first-timers. The 2 reads
    "fewer than 5" on its own council, so the half-year's 12 would give it back (12 - 10): hidden."""
    from datetime import timedelta

    from app.councils import services

    council, _f = run_the_evening(app, client, login_as, db, evening, place)
    area, focus, _other = place
    second = Council(
        title="Tweede avond",
        area=area,
        venue="Zaal",
        starts_at=council.starts_at - timedelta(hours=3),
        ends_at=council.starts_at - timedelta(hours=1),
        languages=["nl"],
        domains=["youth"],
        status=CouncilStatus.open,
    )
    db.session.add(second)
    db.session.commit()
    facilitator = make_user(Role.facilitator)
    with test_context():
        for code in [c for _t, c in services.generate_tickets(second, 6, facilitator)]:
            assert services.sign_in(code, None)[0].outcome == "ok"  # while it was open
        second.status = CouncilStatus.closed
        for first_time in ("yes", "yes", "no", "no", "no", "no"):
            services.save_profile(
                second.id,
                neighbourhood_id=focus.id,
                age_band="27_65",
                consent=False,
                first_name="",
                email="",
                locale="nl",
                first_time=first_time,
            )
        db.session.commit()
    login_as(Role.board)
    client.set_cookie("lang", "en")
    page = client.get("/staff/reach").get_data(as_text=True)
    period = next(row for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if "Testgebied" in row)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", period, re.DOTALL)]
    # half-year and area, councils, attendees, first time (share), from focus buurten (10 + 6 of 15 + 6 named)
    assert cells[0].endswith("Testgebied") and cells[1:3] == ["2", "26"]
    assert cells[3].startswith("hidden")
    assert cells[4] == "76%"


def test_the_report_waits_for_the_end_of_the_evening(app, client, login_as, db, evening):
    council, _codes = evening
    login_as(Role.board)
    client.set_cookie("lang", "en")
    assert "ready after the evening" in client.get(f"/staff/councils/{council.id}/reach").get_data(as_text=True)
    assert client.get(f"/staff/councils/{council.id}/reach.csv").status_code == 404
