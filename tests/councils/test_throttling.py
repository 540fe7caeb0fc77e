"""Rate limits that cannot be turned against people (issue 13). Only wrong codes count: per
source address per minute (small), per code, and per device cookie; never per day; a valid
code always signs in, whatever anyone else behind the same address has sent."""

from __future__ import annotations

from app.councils.codes import new_ticket_code

VENUE = "192.0.2.10"  # every phone at the council evening comes through the venue's one address


def wrong_code(attacker, n: int):
    return attacker.get(f"/t/{new_ticket_code()}", environ_base={"REMOTE_ADDR": VENUE})


def test_load_check_300_residents_get_in_while_the_same_address_sends_1000_wrong_codes(app, issue):
    codes = issue(300)
    attacker = app.test_client(use_cookies=False)  # a guesser throws its cookies away
    attacks, residents = [], []
    sent = 0
    for index, code in enumerate(codes):
        while sent < (index + 1) * 1000 // 300:  # 1,000 wrong codes spread between the 300 sign-ins
            attacks.append(wrong_code(attacker, sent).status_code)
            sent += 1
        phone = app.test_client()
        response = phone.get(f"/t/{code}", environ_base={"REMOTE_ADDR": VENUE})
        residents.append(response.headers.get("Location"))
    assert sent == 1000 and set(attacks) == {303, 429} and attacks.count(429) >= 950
    assert residents == ["/t/welcome"] * 300  # every resident got in


def test_a_refusal_lasts_seconds_not_a_day(app, issue):
    attacker = app.test_client(use_cookies=False)
    statuses = [wrong_code(attacker, n) for n in range(25)]
    assert [r.status_code for r in statuses[:20]] == [303] * 20
    refused = statuses[-1]
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61


def test_forty_typos_do_not_lock_out_the_next_residents(app, issue):
    codes = issue(10)
    for _n in range(40):  # forty residents each mistype once, in twenty seconds
        app.test_client().post("/t", data={"code": new_ticket_code()}, environ_base={"REMOTE_ADDR": VENUE})
    results = [
        app.test_client().post("/t", data={"code": code}, environ_base={"REMOTE_ADDR": VENUE}).headers["Location"]
        for code in codes
    ]
    assert results == ["/t/welcome"] * 10


def test_one_phone_mistyping_is_slowed_on_its_own(app, issue):
    code = issue()[0]
    clumsy = app.test_client()  # keeps its device cookie (the session)
    statuses = [
        clumsy.post("/t", data={"code": new_ticket_code()}, environ_base={"REMOTE_ADDR": VENUE}).status_code
        for _ in range(11)
    ]
    assert statuses == [303] * 10 + [429]  # ten wrong codes a minute per device
    neighbour = app.test_client()  # same address, another phone: a typo gets the normal answer
    assert (
        neighbour.post("/t", data={"code": new_ticket_code()}, environ_base={"REMOTE_ADDR": VENUE}).status_code == 303
    )
    assert (
        clumsy.post("/t", data={"code": code}, environ_base={"REMOTE_ADDR": VENUE}).headers["Location"] == "/t/welcome"
    )


def test_one_code_tried_again_and_again_is_refused_per_code(app, issue):
    code = issue()[0]
    assert app.test_client().get(f"/t/{code}").headers["Location"] == "/t/welcome"  # in use on a phone
    statuses = [
        app.test_client().get(f"/t/{code}", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [303] * 10 + [429]  # ten failures a minute for one code, from any address
