"""SEPA credit-transfer files, pain.001.001.03 (the version of the Dutch banks' guidelines).

Pure: plain values in, XML bytes out; no Flask, no database. Built with ``sepaxml``, which
validates the file against its bundled schema whenever ``xmlschema`` is installed.
Names must already be in Latin script: ``sepaxml`` transliterates with unidecode, which
turns Arabic script into nonsense, so volunteers give the name on their account in Latin script.
"""
from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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


def schema_validation_available() -> bool:
    return importlib.util.find_spec("xmlschema") is not None


def credit_transfer(debtor: Account, transfers: Sequence[Transfer], execution_on: date, *,
                    validate: bool | None = None) -> SepaFile:
    """One payment-information block (one execution date) with a transaction per transfer."""
    if not transfers:
        raise SepaError("a payout file needs at least one transfer")
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
        xml = sepa.export(validate=schema_validation_available() if validate is None else validate)
    except Exception as error:  # sepaxml raises its own ValidationError, or plain Exception on bad input
        raise SepaError(str(error)) from error
    return SepaFile(xml=xml, message_id=sepa.msg_id, total_cents=sum(t.amount_cents for t in transfers),
                    transfer_count=len(transfers))
