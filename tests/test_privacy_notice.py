"""The privacy notice matches what the code stores: every column that holds personal data
is named in the notice's source (app/public/templates/public/privacy.html), and every column
of a table about people is classified here by hand, so a new column fails this test until
someone decides whether it is personal data and, if so, names it in the notice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db

NOTICE = Path(__file__).resolve().parent.parent / "app" / "public" / "templates" / "public" / "privacy.html"

#: Personal data (of residents, volunteers and staff), by hand.
PERSONAL = {
    "ticket": {"signed_in_at", "sign_in_channel", "device_hash", "voted", "neighbourhood_id"},
    "ballot": {"choices", "receipt"},
    "ballot_box": {"sealed"},
    "ballot_submission": {"sealed_receipt"},
    "attendance_profile": {"neighbourhood_id", "age_band", "first_time", "language"},
    "outcome_subscriber": {"first_name", "email", "locale", "consented_at", "sent_at", "mail_status"},
    "volunteer": {
        "name",
        "account_holder_name",
        "iban",
        "birth_year",
        "birth_month",
        "email",
        "phone",
        "started_on",
        "ended_on",
        "left_at",
        "consent_text",
        "consent_accepted_at",
        # a bank-account change waiting for a second person, and who asked for it (issue 13)
        "pending_iban",
        "pending_account_holder_name",
        "bank_change_requested_by_id",
        "bank_changed_by_id",
    },
    "volunteer_team_member": {"volunteer_id"},
    "allowance_claim": {
        "volunteer_id",
        "worked_on",
        "minutes",
        "amount_cents",
        "requested_cents",
        "note",
        "rejection_reason",
        "recorded_by_id",
        "approved_by_id",
        "rejected_by_id",
    },
    "volunteer_expense": {
        "volunteer_id",
        "description",
        "amount_cents",
        "receipt_reference",
        "recorded_by_id",
        "rejection_reason",
        "approved_by_id",
        "rejected_by_id",
    },
    "payout_batch": {"sepa_xml", "csv_text", "created_by_id", "exported_by_id", "paid_marked_by_id"},
    "user": {"email", "name", "password_hash", "locale", "totp_secret"},
    "user_recovery_code": {"user_id", "code_hash"},
    "user_role": {"user_id"},
    "invitation": {"email", "name", "invited_by_id", "revoked_by_id"},
    "audit_event": {"actor_id", "detail"},
    "proposal": {"author_id"},
    "progress_update": {"author_id"},
    "proposal_event": {"actor_id"},
    "alliance_aanjager": {"user_id"},
    "council_facilitator": {"user_id"},
    "council": {"created_by_id"},
    "budget_round": {"results_approved_by_id"},
    "paper_batch": {"entered_by_id", "confirmed_by_id"},
    "fiscal_limit": {"updated_by_id"},
}
#: Tables about people: every column not in PERSONAL is, by hand, not personal data.
NOT_PERSONAL_IN_PEOPLE_TABLES = {
    "ticket": {"id", "code_hash", "council_id", "created_at", "expires_at", "voided_at", "round_id"},
    "ballot": {"id", "round_id", "sub_budget_id", "channel", "cast_on", "paper_batch_id", "confirmed"},
    "ballot_box": {"id", "kind", "scope_id", "label", "lookup", "held_by_batch_id"},
    "ballot_submission": {"token_hash", "round_id"},
    "attendance_profile": {"id", "council_id"},
    "outcome_subscriber": {"id", "council_id"},
    "volunteer": {"id", "created_at"},
    "volunteer_team_member": {"team_id"},
    "allowance_claim": {
        "id",
        "activity_id",
        "rate_cents_per_hour",
        "status",
        "recorded_at",
        "approved_at",
        "rejected_at",
        "batch_id",
    },
    "volunteer_expense": {
        "id",
        "spent_on",
        "counts_towards_caps",
        "recorded_at",
        "status",
        "approved_at",
        "rejected_at",
        "batch_id",
    },
    "payout_batch": {
        "id",
        "created_at",
        "execution_on",
        "exported_at",
        "message_id",
        "total_cents",
        "transfer_count",
        "paid_on",
    },
    "user": {"id", "active", "session_version", "created_at", "totp_enabled_at", "totp_last_step"},
    "user_recovery_code": {"id", "used_at"},
    "user_role": {"id", "role"},
    "invitation": {
        "id",
        "token_hash",
        "roles",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
        "mailed_at",
        "mail_failed_at",
    },
    "audit_event": {"id", "action", "object_type", "object_id", "created_at"},
}
#: In every other table, a column whose name looks like personal data must be listed above.
LOOKS_PERSONAL = re.compile(
    r"email|phone|iban|birth|first_name|account_holder|address|_by_id$|author_id|actor_id|user_id|"
    r"volunteer_id|(^|_)age(_|$)|consent|device|signed_in|ip_|password"
)
NOT_PERSONAL_LOOKALIKES = {"council.address", "reference_population.age_band"}  # a venue's address; public statistics


@pytest.fixture(scope="module")
def schema(app):
    return {table.name: set(table.columns.keys()) for table in db.metadata.tables.values()}


def test_every_column_of_a_table_about_people_is_classified(schema):
    unclassified = []
    for table, personal in NOT_PERSONAL_IN_PEOPLE_TABLES.items():
        known = personal | PERSONAL.get(table, set())
        unclassified += [f"{table}.{c}" for c in schema[table] - known]
    assert unclassified == [], "decide whether these hold personal data; if so, name them in privacy.html"


def test_columns_that_look_personal_are_classified(schema):
    missing = [
        f"{t}.{c}"
        for t, columns in schema.items()
        for c in columns
        if LOOKS_PERSONAL.search(c)
        and c not in PERSONAL.get(t, set()) | NOT_PERSONAL_IN_PEOPLE_TABLES.get(t, set())
        and f"{t}.{c}" not in NOT_PERSONAL_LOOKALIKES
    ]
    assert missing == []


def test_the_notice_names_every_personal_data_column(schema):
    source = NOTICE.read_text(encoding="utf-8")
    named = set(re.findall(r"\b([a-z_]+\.[a-z_]+)\b", source))
    listed = {f"{t}.{c}" for t, columns in PERSONAL.items() for c in columns}
    assert {
        f"{t}.{c}" for t, cs in PERSONAL.items() for c in cs if c in schema.get(t, set())
    } == listed  # no stale entry
    assert sorted(listed - named) == []


def test_the_notice_states_controller_rights_retention_and_the_authority(client):
    # (The test configuration mixes batches of 1; production's default is 10: config.py.)
    client.set_cookie("lang", "en")
    html = client.get("/privacy").get_data(as_text=True)
    for expected in (
        "Gemeente Amsterdam, stadsdeel Nieuw-West (demo)",
        "privacy@wijkstem.example",
        "fg@wijkstem.example",
        "183 days after the outcomes are published",
        "seven years",
        "article 6(1)(e)",
        "your consent",
        "to correct it, to have it erased, or object",
        "Autoriteit Persoonsgegevens",
        "in a shuffled batch of at least 1 votes",
    ):
        assert expected in html, expected
