"""Per round, the board picks how the public ballot list is published: receipts beside the
choices (the default) or the choices only, in no particular order."""

import re

import pytest

from app.roles import Role
from tests.voting.test_ballot_routes import sign_in, token_of


def _vote(app, round_, ticket_for, option_index):
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    sign_in(phone, ticket_for(round_))
    phone.post(
        "/vote",
        data={
            "token": token_of(phone.get("/vote").get_data(as_text=True)),
            "choice": [str(round_.options[option_index].id)],
        },
    )
    done = phone.get("/vote/done").get_data(as_text=True)
    return phone, re.search(r'class="receipt" dir="ltr">([^<]+)<', done).group(1).replace("-", "")


@pytest.mark.parametrize("mode", ["receipts", "choices"])
def test_the_public_list_follows_the_publication_mode(app, client, login_as, make_round, ticket_for, db, mode):
    round_ = make_round(publication=mode)
    votes = [_vote(app, round_, ticket_for, index) for index in (2, 0, 2, 1, 0)]
    login_as(Role.board)
    client.set_cookie("lang", "en")
    confirm = {"confirm": "y", "confirming": "1"}  # irreversible steps ask first (issue 13)
    assert client.post(f"/staff/rounds/{round_.id}/status/closed", data=confirm).status_code == 303
    assert client.post(f"/staff/rounds/{round_.id}/approve", data=confirm).status_code == 303
    listing = client.get(f"/rounds/{round_.id}/ballots.pb").get_data(as_text=True)
    votes_section = listing.split("VOTES\nvoter_id;vote\n")[1].splitlines()
    ids = [round_.options[i].id for i in (2, 0, 2, 1, 0)]
    page = client.get(f"/rounds/{round_.id}/results").get_data(as_text=True)
    phone, receipt = votes[0]
    checked = phone.post("/receipt", data={"receipt": receipt}).get_data(as_text=True)
    if mode == "receipts":
        assert sorted(votes_section) == sorted(f"{r};{i}" for (_p, r), i in zip(votes, ids))
        assert "each receipt beside its choices" in page
        assert "Plan C" in checked
    else:
        assert not [r for _p, r in votes if r in listing]
        # Sorted by the choices themselves: 2 x A, 1 x B, 2 x C, numbered 1..5.
        a, b, c = (o.id for o in round_.options)
        assert votes_section == [f"{n};{i}" for n, i in zip(range(1, 6), sorted([a, a, b, c, c], key=str))]
        assert "choices only, in no particular order" in page
        assert "in the count of" in checked and "Plan C" not in checked
