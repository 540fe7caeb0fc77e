"""The ballot everyone can use (issue 14): errors at the top with links to the plans,
aria-invalid and aria-describedby on what is wrong, field errors always shown, a fieldset
with a legend, accessible names with the cost, counters computed by the server."""

import re

import pytest
from sqlalchemy import func, select

from app.voting.models import Ballot
from tests.voting.test_ballot_routes import sign_in, token_of


def ballot_count(db):
    return db.session.scalar(select(func.count()).select_from(Ballot))


def input_tag(html, element_id):
    """The opening tag of the input or select with this id."""
    match = re.search(rf'<(?:input|select)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no input with id {element_id}"
    return match.group(0)


def summary_links(html):
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', match.group(1))


def assert_summary_first(html):
    """The summary is the first thing after the heading, above every plan, and takes the focus."""
    tag = re.search(r'<div class="error-summary"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in tag and "autofocus" in tag and 'role="alert"' in tag
    assert html.index("error-summary") < html.index('class="ballot-option')


def vote(client, make_round, ticket_for, ballot_type, fields, **settings):
    client.set_cookie("lang", "en")
    round_ = make_round(ballot_type, **settings)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    response = client.post("/vote", data={"token": token_of(html), **fields(round_.options)})
    return round_, response, response.get_data(as_text=True)


def test_points_over_the_per_plan_limit_is_explained_at_the_top_and_beside_the_plan(client, make_round, ticket_for, db):
    # Before issue 14 this answered 200 with no message at all.
    round_, response, html = vote(
        client,
        make_round,
        ticket_for,
        "cumulative",
        lambda o: {f"points_{o[0].id}": "9", f"points_{o[1].id}": "1"},
        points_total=10,
        points_max_per_project=6,
    )
    a, b = round_.options[0].id, round_.options[1].id
    assert response.status_code == 400 and ballot_count(db) == 0
    assert_summary_first(html)
    assert summary_links(html) == [(f"points_{a}", "Plan A: Use a number from 0 to 6.")]
    tag = input_tag(html, f"points_{a}")
    assert 'aria-invalid="true"' in tag and f'aria-describedby="points_{a}-error"' in tag and 'value="9"' in tag
    assert f'<p class="error" id="points_{a}-error">Use a number from 0 to 6.</p>' in html
    assert "aria-invalid" not in input_tag(html, f"points_{b}") and 'value="1"' in input_tag(html, f"points_{b}")


def test_points_over_the_total_mark_every_plan_given_points(client, make_round, ticket_for, db):
    round_, response, html = vote(
        client,
        make_round,
        ticket_for,
        "cumulative",
        lambda o: {f"points_{o[0].id}": "6", f"points_{o[1].id}": "6"},
        points_total=10,
        points_max_per_project=6,
    )
    a, b, c = (o.id for o in round_.options)
    assert response.status_code == 400 and ballot_count(db) == 0
    assert_summary_first(html)
    assert summary_links(html) == [(f"points_{a}", "You gave 12 points, but you have only 10 points.")]
    for oid in (a, b):
        assert 'aria-invalid="true"' in input_tag(html, f"points_{oid}")
        assert 'aria-describedby="ballot-error"' in input_tag(html, f"points_{oid}")
    assert "aria-invalid" not in input_tag(html, f"points_{c}")
    # The counter says it in words: 12 given of 10.
    assert re.search(r'id="over-points"[^>]*>Too many points: 2<', html)


def test_approval_with_too_many_ticks(client, make_round, ticket_for, db):
    round_, response, html = vote(
        client, make_round, ticket_for, "approval", lambda o: {"choice": [str(o[0].id), str(o[2].id)]}, max_choices=1
    )
    a, b, c = (o.id for o in round_.options)
    assert response.status_code == 400 and ballot_count(db) == 0
    assert_summary_first(html)
    assert summary_links(html) == [(f"option-{a}", "You may choose at most 1 plan. Untick 1.")]
    assert 'aria-invalid="true"' in input_tag(html, f"option-{a}") and 'aria-invalid="true"' in input_tag(
        html, f"option-{c}"
    )
    assert "aria-invalid" not in input_tag(html, f"option-{b}")
    assert "checked" in input_tag(html, f"option-{a}") and "checked" in input_tag(html, f"option-{c}")


def test_ranking_with_a_number_used_twice_marks_both(client, make_round, ticket_for, db):
    round_, response, html = vote(
        client,
        make_round,
        ticket_for,
        "ranking",
        lambda o: {f"rank_{o[1].id}": "1", f"rank_{o[2].id}": "1", f"rank_{o[0].id}": "2"},
        max_choices=3,
    )
    a, b, c = (o.id for o in round_.options)
    assert response.status_code == 400 and ballot_count(db) == 0
    assert_summary_first(html)
    assert summary_links(html) == [(f"rank_{b}", "Number your choices 1, 2, 3 and so on, each number once.")]
    assert 'aria-invalid="true"' in input_tag(html, f"rank_{b}") and 'aria-invalid="true"' in input_tag(
        html, f"rank_{c}"
    )
    assert "aria-invalid" not in input_tag(html, f"rank_{a}")


def test_basket_over_budget_in_words_colour_and_a_meter_in_euros(client, make_round, ticket_for, db):
    # 40,000 + 30,000 chosen of a 60,000 budget: 10,000 too much.
    round_, response, html = vote(
        client, make_round, ticket_for, "knapsack", lambda o: {"choice": [str(o[0].id), str(o[1].id)]}, budget=60_000_00
    )
    a = round_.options[0].id
    assert response.status_code == 400 and ballot_count(db) == 0
    assert_summary_first(html)
    assert summary_links(html) == [
        (f"option-{a}", "Your choice costs €70,000.00. That is €10,000.00 more than the budget of €60,000.00.")
    ]
    assert re.search(r'id="over-budget" class="over"[^>]*>€10,000.00 over the budget<', html)
    assert re.search(r'id="left-line" hidden', html)
    meter = re.search(r"<meter [^>]*>", html).group(0)
    assert 'max="60000.00"' in meter and 'value="60000.00"' in meter and 'class="over"' in meter
    assert '<label for="budget-meter"' in html


def test_recalculate_without_javascript_counts_on_the_server_and_casts_nothing(client, make_round, ticket_for, db):
    client.set_cookie("lang", "en")
    round_ = make_round("knapsack", budget=60_000_00)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    assert '<strong id="spent">€0.00</strong>' in html and 'name="recalculate"' in html
    a = round_.options[0].id
    response = client.post("/vote", data={"token": token_of(html), "choice": [str(a)], "recalculate": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ballot_count(db) == 0 and "error-summary" not in page
    assert '<strong id="spent">€40,000.00</strong>' in page and '<strong id="left">€20,000.00</strong>' in page
    assert "checked" in input_tag(page, f"option-{a}")
    # The same form then still votes.
    assert client.post("/vote", data={"token": token_of(page), "choice": [str(a)]}).status_code == 303
    assert ballot_count(db) == 1


def test_points_left_counter(client, make_round, ticket_for, db):
    client.set_cookie("lang", "en")
    round_ = make_round("cumulative", points_total=10, points_max_per_project=6)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    assert '<strong id="points-left">10</strong> / 10' in html
    a, b, _c = (o.id for o in round_.options)
    page = client.post(
        "/vote", data={"token": token_of(html), f"points_{a}": "3", f"points_{b}": "2", "recalculate": "1"}
    ).get_data(as_text=True)
    assert '<strong id="points-left">5</strong> / 10' in page and ballot_count(db) == 0


@pytest.mark.parametrize(
    "ballot_type,word",
    [("approval", ""), ("knapsack", ""), ("cumulative", ", your points"), ("ranking", ", your rank")],
)
def test_every_input_is_named_with_its_plan_and_cost_inside_a_fieldset(
    client, make_round, ticket_for, ballot_type, word
):
    client.set_cookie("lang", "en")
    round_ = make_round(ballot_type, points_total=10)
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    assert re.search(r'<fieldset class="ballot-fieldset">\s*<legend class="lead">\S', html)
    for option, cost in zip(round_.options, ("€40,000.00", "€30,000.00", "€20,000.00")):
        input_id = (
            f"option-{option.id}"
            if ballot_type in ("approval", "knapsack")
            else f"{'points' if ballot_type == 'cumulative' else 'rank'}_{option.id}"
        )
        label = re.search(rf'<label for="{input_id}"[^>]*>(.*?)</label>', html).group(1)
        assert re.sub(r"<[^>]+>", "", label) == f"{option.proposal.title}, {cost}{word}"


def test_paper_entry_shows_field_errors_too(client, make_round, ticket_for, login_facilitator, db):
    client.set_cookie("lang", "en")
    round_ = make_round("cumulative", points_total=10, points_max_per_project=6)
    login_facilitator(round_)
    html = client.get(f"/staff/rounds/{round_.id}/paper").get_data(as_text=True)
    a = round_.options[0].id
    response = client.post(
        f"/staff/rounds/{round_.id}/paper",
        data={"token": token_of(html), "paper-code": "AAA-AAA-AAA", f"points_{a}": "9"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and ballot_count(db) == 0
    assert (f"points_{a}", "Plan A: Use a number from 0 to 6.") in summary_links(page)
    assert f'id="points_{a}-error"' in page and 'aria-invalid="true"' in input_tag(page, f"points_{a}")


def test_dutch_text_on_an_arabic_page_keeps_its_own_direction(client, make_round, ticket_for):
    client.set_cookie("lang", "ar")
    round_ = make_round()
    sign_in(client, ticket_for(round_))
    html = client.get("/vote").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<span lang="nl" dir="auto">Plan A</span>' in html  # a Dutch title without a translation
    assert '<p lang="nl" dir="auto">Samenvatting Plan A</p>' in html
    assert '<h1 dir="auto">Jeugdbudget</h1>' in html  # the round's name, in whatever language it was written
    page = client.get(f"/proposals/{round_.options[0].proposal_id}").get_data(as_text=True)
    assert re.search(r'<h1 lang="nl" dir="auto">Plan A</h1>', page)
