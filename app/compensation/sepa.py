"""SEPA credit-transfer files, pain.001.001.03 (the version of the Dutch banks' guidelines).

Pure: plain values in, XML bytes out; no Flask, no database. Built with ``sepaxml``; every file
is checked against the pain.001.001.03 schema (``xmlschema``, a runtime dependency) before it is
returned, so no file that a bank would refuse can be stored or downloaded. The creation time is
local time with its UTC offset, the message id uses 24-hour time, and the execution date must be
a TARGET2 business day (no weekend, New Year, Good Friday, Easter Monday, 1 May, 25-26 December).
Names must already be in Latin script: ``sepaxml`` transliterates with unidecode, which
turns Arabic script into nonsense, so volunteers give the name on their account in Latin script.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sepaxml
import xmlschema
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.03"
MAX_NAME = 70
MAX_DESCRIPTION = 140
MAX_END_TO_END_ID = 35
#: Characters of the SEPA Latin set besides letters and digits (EPC guidelines).
SEPA_PUNCTUATION = set(" /-?:().,'+")


class SepaError(ValueError):
    """The payout cannot be written as a valid SEPA file."""


@dataclass(frozen=True)
class Account:
    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class Transfer:
    creditor: Account
    amount_cents: int
    description: str
    end_to_end_id: str


@dataclass(frozen=True)
class SepaFile:
    xml: bytes
    message_id: str
    total_cents: int
    transfer_count: int


def is_latin_name(text: str) -> bool:
    """Latin letters (with accents), digits and the punctuation SEPA allows."""
    if not text.strip():
        return False
    for char in text:
        if char.isdigit() and char.isascii() or char in SEPA_PUNCTUATION:
            continue
        if not char.isalpha() or not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_CREATION_TIME = re.compile(rb"<CreDtTm>[^<]*</CreDtTm>")
_MESSAGE_ID = re.compile(rb"<MsgId>[^<]*</MsgId>")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm in Meeus, Astronomical Algorithms)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_business_day(day: date) -> bool:
    """A TARGET2 day, on which SEPA credit transfers are executed."""
    if day.weekday() >= 5:
        return False
    easter = easter_sunday(day.year)
    closed = {
        date(day.year, 1, 1),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(day.year, 5, 1),
        date(day.year, 12, 25),
        date(day.year, 12, 26),
    }
    return day not in closed


def next_business_day(after: date) -> date:
    day = after + timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=1)
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"))


def validate_xml(xml: bytes) -> None:
    """Raise SepaError unless the file is valid pain.001.001.03."""
    try:
        _schema().validate(xml.decode("utf-8"))
    except xmlschema.XMLSchemaValidationError as error:
        raise SepaError(f"not valid {SCHEMA}: {error.reason}") from error


def message_id(created_at: datetime) -> str:
    """Creation time in 24-hour form and 12 random characters: 20261201213005-K3F9Q2M7X1ZA."""
    alphabet = string.ascii_uppercase + string.digits
    return created_at.strftime("%Y%m%d%H%M%S") + "-" + "".join(secrets.choice(alphabet) for _ in range(12))


def credit_transfer(
    debtor: Account,
    transfers: Sequence[Transfer],
    execution_on: date,
    *,
    validate: bool = True,
    created_at: datetime | None = None,
) -> SepaFile:
    """One payment-information block (one execution date) with a transaction per transfer.
    ``created_at`` (an aware time; now by default) is written in Amsterdam time with its offset."""
    if not transfers:
        raise SepaError("a payout file needs at least one transfer")
    if not is_business_day(execution_on):
        raise SepaError(f"{execution_on.isoformat()} is not a business day for SEPA transfers")
    created = (created_at or datetime.now(AMSTERDAM)).astimezone(AMSTERDAM).replace(microsecond=0)
    for transfer in transfers:
        if transfer.amount_cents <= 0:
            raise SepaError(f"{transfer.end_to_end_id}: amount must be positive")
        if not is_latin_name(transfer.creditor.name):
            raise SepaError(f"{transfer.end_to_end_id}: account-holder name must be in Latin script")
        if len(transfer.end_to_end_id) > MAX_END_TO_END_ID:
            raise SepaError(f"{transfer.end_to_end_id}: end-to-end id longer than {MAX_END_TO_END_ID}")
    config = {"name": debtor.name[:MAX_NAME], "IBAN": debtor.iban, "batch": True, "currency": "EUR"}
    if debtor.bic:
        config["BIC"] = debtor.bic
    sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
    msg_id = message_id(created)
    for transfer in transfers:
        payment = {
            "name": transfer.creditor.name[:MAX_NAME],
            "IBAN": transfer.creditor.iban,
            "amount": transfer.amount_cents,
            "execution_date": execution_on,
            "description": transfer.description[:MAX_DESCRIPTION],
            "endtoend_id": transfer.end_to_end_id,
        }
        if transfer.creditor.bic:
            payment["BIC"] = transfer.creditor.bic
        sepa.add_payment(payment)
    try:
        xml = sepa.export(validate=False)  # validated below, once the creation time is right
    except Exception as error:  # sepaxml raises plain Exception on bad input
        raise SepaError(str(error)) from error
    # sepaxml writes the server's naive local time and a 12-hour clock in the message id
    # (two files an hour apart can share an id); the group header gets Amsterdam time with
    # its offset and a 24-hour id instead.
    stamp = f"<CreDtTm>{created.isoformat(timespec='seconds')}</CreDtTm>".encode()
    xml, stamped = _CREATION_TIME.subn(stamp, xml, count=1)
    xml, named = _MESSAGE_ID.subn(f"<MsgId>{msg_id}</MsgId>".encode(), xml, count=1)
    if (stamped, named) != (1, 1):
        raise SepaError("no group header in the file")
    if validate:
        validate_xml(xml)
    return SepaFile(
        xml=xml, message_id=msg_id, total_cents=sum(t.amount_cents for t in transfers), transfer_count=len(transfers)
    )
