"""Approving many claims at once: a summary to confirm first, then each claim approved as on its
own — never by the treasurer who recorded it, and with the caps checked again."""

from datetime import date

from sqlalchemy import select

from app.auth.models import AuditEvent
from app.compensation.models import Claim, ClaimStatus, FiscalLimitRow
from app.roles import Role

APPROVE = "/staff/allowances/claims/approve"


def status_of(db, claim):
    db.session.expire_all()
    return db.session.get(Claim, claim.id).status


def test_tick_all_summary_then_approve(client, login_as, make_volunteer, make_claim, treasurers, db):
    recorder, approver = treasurers
    volunteers = [make_volunteer() for _ in range(3)]
    theirs = [
        make_claim(v, minutes=60, rate=560, status=ClaimStatus.submitted, recorded_by=recorder) for v in volunteers
    ]
    mine = make_claim(
        volunteers[0],
        worked_on=date(2025, 4, 8),
        minutes=30,
        rate=560,
        status=ClaimStatus.submitted,
        recorded_by=approver,
    )
    login_as(user=approver)
    client.set_cookie("lang", "en")

    page = client.get("/staff/allowances/claims?tick=all").get_data(as_text=True)
    for claim in theirs:
        assert f'name="claim_ids" value="{claim.id}" form="bulk-approve" checked' in page
    assert f'name="claim_ids" value="{mine.id}"' not in page  # four eyes: no box for my own claim

    ids = [str(c.id) for c in [*theirs, mine]]
    summary = client.post(APPROVE, data={"claim_ids": ids})
    html = summary.get_data(as_text=True)
    assert summary.status_code == 200
    assert "You are about to approve 3 claims, together €16.80. Approving cannot be undone." in html  # 3 × €5.60
    assert "You recorded 1 of the ticked claims yourself" in html
    assert {status_of(db, c) for c in [*theirs, mine]} == {ClaimStatus.submitted}  # nothing yet

    done = client.post(APPROVE, data={"claim_ids": ids, "confirmed": "y"})
    assert done.status_code == 303
    assert [status_of(db, c) for c in theirs] == [ClaimStatus.approved] * 3
    assert status_of(db, mine) == ClaimStatus.submitted
    assert {db.session.get(Claim, c.id).approved_by_id for c in theirs} == {approver.id}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "allowance.claim.approve")).all()
    assert sorted(int(e.object_id) for e in events) == sorted(c.id for c in theirs)
    flashes = client.get("/staff/allowances/claims").get_data(as_text=True)
    assert "3 claims are approved (€16.80)." in flashes


def test_the_recorder_cannot_bulk_approve_their_own_claims(
    client, login_as, make_volunteer, make_claim, treasurers, db
):
    recorder, _approver = treasurers
    claims = [make_claim(make_volunteer(), status=ClaimStatus.submitted, recorded_by=recorder) for _ in range(2)]
    login_as(user=recorder)
    client.set_cookie("lang", "en")
    response = client.post(APPROVE, data={"claim_ids": [str(c.id) for c in claims], "confirmed": "y"})
    assert response.status_code == 303
    assert {status_of(db, c) for c in claims} == {ClaimStatus.submitted}
    assert "another treasurer must approve them" in client.get("/staff/allowances/claims").get_data(as_text=True)


def test_a_claim_that_no_longer_fits_the_limits_is_left_and_the_others_go_ahead(
    client, login_as, make_volunteer, make_claim, treasurers, db
):
    recorder, approver = treasurers
    cheap = make_claim(make_volunteer(), minutes=60, rate=300, status=ClaimStatus.submitted, recorded_by=recorder)
    dear = make_claim(make_volunteer(), minutes=60, rate=560, status=ClaimStatus.submitted, recorded_by=recorder)
    row = db.session.scalar(select(FiscalLimitRow).where(FiscalLimitRow.year == 2025))
    row.hourly_max_21_plus_cents = 400  # corrected downwards after both were recorded
    db.session.commit()
    login_as(user=approver)
    client.set_cookie("lang", "en")
    response = client.post(APPROVE, data={"claim_ids": [str(cheap.id), str(dear.id)], "confirmed": "y"})
    assert response.status_code == 303
    assert (status_of(db, cheap), status_of(db, dear)) == (ClaimStatus.approved, ClaimStatus.submitted)
    page = client.get("/staff/allowances/claims").get_data(as_text=True)
    assert "1 claim is approved (€3.00)." in page and "Not approved:" in page and "no longer fits" in page


def test_nothing_ticked_or_a_handled_claim(client, login_as, make_volunteer, make_claim, treasurers, db):
    recorder, approver = treasurers
    handled = make_claim(make_volunteer(), status=ClaimStatus.approved, recorded_by=recorder, approved_by=approver)
    login_as(user=approver)
    client.set_cookie("lang", "en")
    assert client.post(APPROVE, data={}).status_code == 303
    assert "Tick at least one claim." in client.get("/staff/allowances/claims").get_data(as_text=True)
    # An approved claim is not among the choices: the form refuses it, nothing changes.
    assert client.post(APPROVE, data={"claim_ids": [str(handled.id)], "confirmed": "y"}).status_code == 303
    assert status_of(db, handled) == ClaimStatus.approved


def test_the_board_cannot_approve(client, login_as, make_volunteer, make_claim, treasurers):
    claim = make_claim(make_volunteer(), status=ClaimStatus.submitted, recorded_by=treasurers[0])
    login_as(Role.board)
    assert client.post(APPROVE, data={"claim_ids": [str(claim.id)], "confirmed": "y"}).status_code == 403
