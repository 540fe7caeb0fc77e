"""Ticket and receipt codes: entropy, round trips through what people type, hashing."""

import hashlib
import hmac
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.councils import codes
from app.councils.codes import (
    ALPHABET,
    RECEIPT_CODE_LENGTH,
    TICKET_CODE_LENGTH,
    format_code,
    format_receipt_code,
    hash_code,
    new_receipt_code,
    new_ticket_code,
    normalize_code,
    normalize_receipt_code,
)

# No example database: it would write a .hypothesis folder into the working tree.
property_test = settings(database=None, max_examples=300)

KEY = b"k" * 32

ticket_codes = st.text(alphabet=ALPHABET, min_size=TICKET_CODE_LENGTH, max_size=TICKET_CODE_LENGTH)
receipt_codes = st.text(alphabet=ALPHABET, min_size=RECEIPT_CODE_LENGTH, max_size=RECEIPT_CODE_LENGTH)

# What a person may type for each symbol: either case, and the read-alike letters.
READ_ALIKES = {"0": ["0", "O", "o"], "1": ["1", "I", "i", "L", "l"]}
SEPARATORS = ["", "", "", " ", "-", "  ", " - ", "\t", ".", "\u2013", "\u200f", "\u00a0"]


@st.composite
def typed_forms(draw, code_strategy):
    """A canonical code and one way a resident might type it."""
    code = draw(code_strategy)
    typed = draw(st.sampled_from(SEPARATORS))
    for symbol in code:
        typed += draw(st.sampled_from(READ_ALIKES.get(symbol, [symbol, symbol.lower()])))
        typed += draw(st.sampled_from(SEPARATORS))
    return code, typed


# --- the alphabet and entropy -------------------------------------------------------


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert set(ALPHABET) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert not set("ILOU") & set(ALPHABET)


def test_ticket_codes_carry_at_least_40_bits():
    assert math.log2(len(ALPHABET) ** TICKET_CODE_LENGTH) >= 40
    assert codes.TICKET_CODE_BITS == 45


def test_receipt_codes_carry_at_least_40_bits():
    assert math.log2(len(ALPHABET) ** RECEIPT_CODE_LENGTH) >= 40
    assert codes.RECEIPT_CODE_BITS == 50


@pytest.mark.parametrize(
    ("generate", "length"),
    [(new_ticket_code, TICKET_CODE_LENGTH), (new_receipt_code, RECEIPT_CODE_LENGTH)],
)
def test_generated_codes_are_canonical_and_use_the_whole_alphabet(generate, length):
    generated = [generate() for _ in range(3000)]
    assert all(len(code) == length and set(code) <= set(ALPHABET) for code in generated)
    # 3000 codes hold 27,000+ symbols: every symbol shows up unless generation is biased.
    assert set("".join(generated)) == set(ALPHABET)
    assert len(set(generated)) == len(generated)


def test_generated_symbols_are_roughly_uniform():
    counts = dict.fromkeys(ALPHABET, 0)
    for _ in range(4000):
        for symbol in new_ticket_code():
            counts[symbol] += 1
    expected = 4000 * TICKET_CODE_LENGTH / len(ALPHABET)  # 1125 per symbol
    # Chi-square with 31 degrees of freedom; 70 is far beyond the 0.9999 quantile (~66).
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    assert chi_square < 70


# --- normalisation ------------------------------------------------------------------


@property_test
@given(ticket_codes)
def test_formatted_code_is_grouped_and_normalizes_back(code):
    formatted = format_code(code)
    assert formatted == f"{code[:3]}-{code[3:6]}-{code[6:]}"
    assert normalize_code(formatted) == code
    assert normalize_code(formatted.lower()) == code
    assert normalize_code(code) == code


@property_test
@given(typed_forms(ticket_codes))
def test_typed_ticket_codes_normalize_to_the_canonical_code(case):
    code, typed = case
    assert normalize_code(typed) == code


@property_test
@given(typed_forms(receipt_codes))
def test_typed_receipt_codes_normalize_to_the_canonical_code(case):
    code, typed = case
    assert normalize_receipt_code(typed) == code
    assert normalize_receipt_code(format_receipt_code(code)) == code


def test_generated_ticket_code_round_trip():
    for _ in range(200):
        code = new_ticket_code()
        assert normalize_code(format_code(code).lower()) == code


def test_receipt_code_display():
    assert format_receipt_code("7kq2m x9htp") == "7KQ2M-X9HTP"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7f-93q-p2m", "K7F93QP2M"),
        ("K7F 93Q P2M", "K7F93QP2M"),
        ("ko1-ilo-000", "K01110000"),
        ("\uff2b\uff17\uff26\uff19\uff13\uff31\uff30\uff12\uff2d", "K7F93QP2M"),  # full width
        ("K7F-\u0669\u0663Q-P\u0662M", "K7F93QP2M"),  # Arabic-Indic digits
        ("\u200fK7F-93Q-P2M\u200f", "K7F93QP2M"),  # right-to-left marks from an RTL input
        ("\u0130\u0131l-000-000", "111000000"),  # Turkish dotted and dotless i
    ],
)
def test_normalize_examples(typed, expected):
    assert normalize_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "K7F-93Q-P2",  # 8 symbols
        "K7F-93Q-P2M-X",  # 10 symbols
        "K7F-93Q-P2U",  # U is not a Crockford symbol
        "K7F-93Q-P2*",
        "K7F-93Q-P2€",
        "K7F-93Q-P2Ж",
        "K7F-93Q-P2\U0001f600",
        "K" * 1000,
        "K7F" + " " * 200 + "93QP2M",  # absurdly long input is refused outright
        12345,
    ],
)
def test_invalid_ticket_codes_are_rejected(typed):
    assert normalize_code(typed) is None


@property_test
@given(st.text(max_size=40))
def test_normalize_returns_none_or_a_canonical_code(text):
    result = normalize_code(text)
    assert result is None or (len(result) == TICKET_CODE_LENGTH and set(result) <= set(ALPHABET))


@property_test
@given(st.text(alphabet=ALPHABET, max_size=20).filter(lambda s: len(s) != TICKET_CODE_LENGTH))
def test_wrong_number_of_symbols_is_rejected(text):
    assert normalize_code(text) is None


@property_test
@given(ticket_codes, st.integers(min_value=0, max_value=TICKET_CODE_LENGTH - 1))
def test_a_u_anywhere_is_rejected(code, position):
    assert normalize_code(code[:position] + "U" + code[position + 1 :]) is None


def test_receipt_and_ticket_lengths_do_not_mix():
    assert normalize_receipt_code(new_ticket_code()) is None
    assert normalize_code(new_receipt_code()) is None


@pytest.mark.parametrize("bad", ["", "K7F-93Q-P2", "K7F-93Q-P2U"])
def test_format_rejects_non_codes(bad):
    with pytest.raises(ValueError):
        format_code(bad)
    with pytest.raises(ValueError):
        format_receipt_code(bad)


# --- hashing ------------------------------------------------------------------------


@property_test
@given(typed_forms(ticket_codes))
def test_hash_is_hmac_sha256_of_the_canonical_code(case):
    code, typed = case
    expected = hmac.new(KEY, code.encode("ascii"), hashlib.sha256).hexdigest()
    assert hash_code(code, KEY) == expected
    assert hash_code(typed, KEY) == expected  # what a person types finds the same row
    assert len(expected) == 64


@property_test
@given(ticket_codes, st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_hash_depends_on_the_key(code, key_a, key_b):
    # HMAC pads short keys with zero bytes, so b"k" and b"k\0" are the same key.
    assume(key_a.rstrip(b"\0") != key_b.rstrip(b"\0"))
    assert hash_code(code, key_a) != hash_code(code, key_b)


@property_test
@given(ticket_codes, ticket_codes)
def test_different_codes_hash_differently(code_a, code_b):
    if code_a != code_b:
        assert hash_code(code_a, KEY) != hash_code(code_b, KEY)


def test_hash_is_stable():
    # A fixed vector: stored hashes must survive restarts and upgrades.
    assert (
        hash_code("K7F-93Q-P2M", b"wijkstem-test-key")
        == hmac.new(b"wijkstem-test-key", b"K7F93QP2M", hashlib.sha256).hexdigest()
    )
    assert hash_code("K7F93QP2M", KEY) == hash_code("k7f 93q p2m", KEY)


def test_hash_refuses_bad_input():
    with pytest.raises(ValueError):
        hash_code("not a code", KEY)
    with pytest.raises(ValueError):
        hash_code("K7F93QP2M", b"")
    with pytest.raises(TypeError):
        hash_code("K7F93QP2M", "text key")
