"""User-written text renders inert everywhere: public and staff pages, JSON and exports."""

import pytest

from app.proposals.lifecycle import Status
from app.proposals.models import ProgressUpdate
from app.roles import Role
from tests.support.xss import PAYLOADS, assert_inert


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_proposal_field_render_inert(client, login_as, make_proposal, db, payload):
    proposal = make_proposal(
        Status.funded, title=payload[:120], summary=payload, description=payload, origin_detail=payload[:200]
    )
    proposal.cost_lines[0].description = payload[:200]
    proposal.public_reason = payload
    proposal.internal_note = payload
    proposal.progress_updates.append(
        ProgressUpdate(happened_on=proposal.created_at.date(), text=payload, spent_cents=100)
    )
    db.session.commit()
    pages = [f"/proposals/{proposal.id}", "/proposals"]
    for url in pages:
        assert_inert(client.get(url).get_data(as_text=True), payload)
    login_as(Role.reviewer, Role.board, Role.admin)
    for url in (f"/staff/proposals/{proposal.id}", "/staff/audit"):
        assert_inert(client.get(url).get_data(as_text=True), payload)
    csv_text = client.get("/staff/proposals/export.csv").get_data().decode("utf-8-sig")
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.strip('"').startswith(("=", "+", "-", "@"))
