"""No profile row can be ordered against sign-ins: residents answer in a known order, and an
attacker with the database file reads the rows in every order the storage keeps (SQLite: the
table scan and the rowid; PostgreSQL: ctid and the transaction id xmin).

The storage of profiles belongs to issue 12: the sealed box and mixer (app/ballot_box.py)
write them in shuffled batches."""

import itertools

from sqlalchemy import text

from tests.reach.test_reach import welcome

AGES = ("under_16", "16_20", "21_26", "27_65", "over_65")


def test_stored_order_says_nothing_about_the_order_of_sign_ins(app, client, login_as, db, evening):
    from tests.conftest import BACKEND

    council, codes = evening
    answers = list(itertools.product(AGES, ("yes", "no"), ("nl", "tr")))[:16]
    for code, (age, first, lang) in zip(codes, answers):
        welcome(app, code, lang, age_band=age, first_time=first)
    login_as(user=council.facilitators[0])  # the evening ends: whatever waits to be stored is stored now
    client.post(f"/staff/councils/{council.id}/status/closed")
    orders = []
    base = "SELECT age_band, first_time, language FROM attendance_profile WHERE council_id = :c"
    queries = [base]
    if BACKEND == "postgresql":
        queries += [base + " ORDER BY ctid", base + " ORDER BY xmin::text::bigint, ctid"]
    else:
        queries += [base + " ORDER BY id"] + ([base + " ORDER BY rowid"] if _has_rowid(db) else [])
    for query in queries:
        orders.append([tuple(r) for r in db.session.execute(text(query), {"c": council.id})])
    for order in orders:
        assert sorted(order) == sorted(answers)
        assert order not in (answers, answers[::-1])


def _has_rowid(db) -> bool:
    sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'attendance_profile'")).scalar() or ""
    return "WITHOUT ROWID" not in sql.upper()
