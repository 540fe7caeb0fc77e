"""SEPA files checked at runtime: the schema validator is a runtime dependency and runs before a
file is stored; the creation time is Amsterdam time with its offset; the message id uses the
24-hour clock; the execution date is a TARGET2 business day (checked beside the field)."""

import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.compensation.models import PayoutBatch
from app.compensation.sepa import Account, SepaError, Transfer, credit_transfer, is_business_day
from app.roles import Role
from tests.compensation.test_payouts import PAY_ON, approved, export, make_batch  # noqa: F401 (fixture)

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEBTOR = Account("Samen Nieuw-West", "NL91ABNA0417164300", "ABNANL2A")
ONE = [Transfer(Account("Jan de Vries", "NL20INGB0001234567"), 1725, "Vergoeding", "WS-B1-V1")]


def header(xml: bytes):
    return ET.fromstring(xml).find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)


def test_the_validator_is_a_runtime_dependency():
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("xmlschema==") for r in project["dependencies"])
    assert not any(r.startswith("xmlschema") for r in project["optional-dependencies"]["test"])


@pytest.mark.parametrize(
    "created, stamp, msg_prefix",
    [
        # 15:30 in winter: +01:00, and 15 (not 03) in the message id.
        (datetime(2026, 12, 1, 15, 30, 5, tzinfo=AMSTERDAM), "2026-12-01T15:30:05+01:00", "20261201153005-"),
        # 09:00 UTC in summer is 11:00 in Amsterdam, +02:00.
        (datetime(2026, 7, 1, 9, 0, 0, tzinfo=UTC), "2026-07-01T11:00:00+02:00", "20260701110000-"),
    ],
)
def test_creation_time_is_local_with_its_offset_and_the_message_id_uses_24_hours(created, stamp, msg_prefix):
    result = credit_transfer(DEBTOR, ONE, date(2026, 12, 7), created_at=created)
    group = header(result.xml)
    assert group.find("p:CreDtTm", NS).text == stamp
    msg_id = group.find("p:MsgId", NS).text
    assert msg_id.startswith(msg_prefix) and len(msg_id) == 27 and msg_id == result.message_id


def test_two_files_twelve_hours_apart_do_not_share_a_time_in_their_ids():
    morning = credit_transfer(DEBTOR, ONE, date(2026, 12, 7), created_at=datetime(2026, 12, 1, 3, 0, tzinfo=AMSTERDAM))
    afternoon = credit_transfer(
        DEBTOR, ONE, date(2026, 12, 7), created_at=datetime(2026, 12, 1, 15, 0, tzinfo=AMSTERDAM)
    )
    assert morning.message_id[:14] == "20261201030000" and afternoon.message_id[:14] == "20261201150000"


def test_a_file_the_schema_refuses_is_never_returned():
    # A BIC of the wrong shape passes sepaxml but not the BICIdentifier pattern of the schema.
    wrong = [Transfer(Account("Jan de Vries", "NL20INGB0001234567", "ING"), 1725, "Vergoeding", "WS-B1-V1")]
    with pytest.raises(SepaError, match="pain.001.001.03"):
        credit_transfer(DEBTOR, wrong, date(2026, 12, 7))


@pytest.mark.parametrize(
    "day, open_",
    [
        (date(2026, 12, 4), True),  # Friday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 25), False),
        (date(2026, 12, 26), False),  # Christmas (Friday, Saturday)
        (date(2026, 12, 28), True),  # the Monday after
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 4, 3), False),  # Good Friday 2026 (Easter on 5 April)
        (date(2026, 4, 6), False),  # Easter Monday 2026
        (date(2027, 3, 26), False),
        (date(2027, 3, 29), False),  # Good Friday and Easter Monday 2027 (Easter 28 March)
        (date(2026, 5, 1), False),  # Labour Day
        (date(2026, 5, 14), True),  # Ascension Day: a Dutch holiday, but TARGET2 is open
        (date(2026, 4, 27), True),  # King's Day: idem
    ],
)
def test_business_days_are_target2_days(day, open_):
    assert is_business_day(day) is open_


def test_the_builder_refuses_a_saturday():
    with pytest.raises(SepaError, match="business day"):
        credit_transfer(DEBTOR, ONE, date(2026, 12, 5))


def test_a_saturday_is_refused_beside_the_field_with_the_next_working_day(english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    saturday = date.fromisoformat(PAY_ON)
    while saturday.weekday() != 5:
        saturday = date.fromordinal(saturday.toordinal() + 1)
    monday = date.fromordinal(saturday.toordinal() + 2)
    response = export(english, batch_id, on=saturday.isoformat())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = html.split('id="execution_on-error">', 1)[1].split("</p>", 1)[0]
    assert "Banks do not pay on this day" in error
    if monday.month != 12 or monday.day not in (25, 26):  # the suggestion is that Monday unless it is Christmas
        assert f"{monday:%b} {monday.day}, {monday.year}" in error
    assert db.session.get(PayoutBatch, batch_id).exported_at is None


def test_the_exported_file_carries_amsterdam_time_and_validates(english, login_as, approved, db):
    login_as(Role.treasurer)
    batch_id = make_batch(english)
    before = datetime.now(AMSTERDAM).replace(microsecond=0)
    assert export(english, batch_id).status_code == 303
    xml = english.get(f"/staff/allowances/batches/{batch_id}/sepa.xml").get_data()
    stamp = datetime.fromisoformat(header(xml).find("p:CreDtTm", NS).text)
    assert stamp.utcoffset() == before.utcoffset() and 0 <= (stamp - before).total_seconds() < 60
    assert header(xml).find("p:MsgId", NS).text[:10] == f"{stamp:%Y%m%d%H}"
