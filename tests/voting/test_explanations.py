"""The "why" line of each plan names the step that funded or skipped it, in every language."""

from __future__ import annotations

import json

from tests.voting.test_results import close_and_publish, counted_round  # noqa: F401 (fixture)

LOCALES = ("nl", "en", "tr", "ar", "pl")


def reasons(client, round_, locale):
    client.set_cookie("lang", locale)
    data = json.loads(client.get(f"/rounds/{round_.id}/results.json").get_data())
    return {p["option_id"]: (p["reason"], p["why"]) for p in data["parts"][0]["projects"]}


def test_mes_names_equal_shares_the_greedy_fill_and_not_enough_support(client, login_as, counted_round):
    """A €45k, B €30k, C €20k, budget €60k (worked out in test_pabulib_exports): Equal Shares
    funds C; the greedy fill funds B; A is left out: one of its supporters (A,C) had paid
    towards C, the four together could not pay €45k, and €10k was left after the fill."""
    round_, ids = counted_round("mes", costs=(45_000_00, 30_000_00, 20_000_00))
    close_and_publish(client, login_as, round_)
    english = reasons(client, round_, "en")
    assert english[ids["C"]] == (
        "funded",
        "Funded by equal shares: its 3 supporters paid €20,000.00 together from their equal shares of the budget.",
    )
    assert english[ids["B"]] == (
        "completion_funded",
        "Funded with the money that equal shares left: €40,000.00 was left, and it had the most "
        "support of the plans that still fitted (€30,000.00).",
    )
    assert english[ids["A"]] == (
        "supporters_spent",
        "Not funded, not enough support: its supporters had spent their equal shares on Plan C, "
        "and the €10,000.00 left was not enough for €45,000.00.",
    )
    for locale in LOCALES:
        lines = reasons(client, round_, locale)
        for option_id, (_reason, line) in lines.items():
            assert line and "%(" not in line
            if locale != "en":
                assert line != english[option_id][1]  # translated
    assert "الحصص المتساوية" in reasons(client, round_, "ar")[ids["C"]][1]


def test_greedy_names_out_of_money(client, login_as, counted_round):
    """Greedy, A €40k (4 votes), C €20k (3 votes), B €30k (2 votes), budget €60k: A, then C; B
    finds nothing left."""
    round_, ids = counted_round("greedy")
    close_and_publish(client, login_as, round_)
    english = reasons(client, round_, "en")
    assert english[ids["A"]] == ("funded", "Funded: it had the most support of the plans that still fitted.")
    assert english[ids["B"]] == ("over_budget", "Not funded, out of money: €0.00 was left, it needed €30,000.00.")
    dutch = reasons(client, round_, "nl")
    assert (
        dutch[ids["B"]][1]
        == "Niet gefinancierd, het geld was op: er was nog €\u00a00,00, het plan had €\u00a030.000,00 nodig."
    )
