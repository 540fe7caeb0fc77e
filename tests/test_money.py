import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import MAX_AMOUNT_CENTS, AmountError, format_amount_for_input, parse_amount


@pytest.mark.parametrize(
    "text,locale,cents",
    [
        ("1.250,50", "nl", 125050),
        ("1,250.50", "en", 125050),
        ("1250,5", "nl", 125050),
        ("€ 1.250", "nl", 125000),
        ("25,-", "nl", 2500),
        ("1 250,50", "pl", 125050),
        ("1.250,50", "tr", 125050),
        ("١٢٥٠٫٥٠", "ar", 125050),
        ("1,250.50", "ar", 125050),
        ("0,01", "nl", 1),
        ("10.000.000", "nl", MAX_AMOUNT_CENTS),
    ],
)
def test_amounts_typed_as_each_locale_types_them(text, locale, cents):
    assert parse_amount(text, locale) == cents


@pytest.mark.parametrize(
    "text,locale,code",
    [
        ("", "nl", "empty"),
        ("abc", "nl", "invalid"),
        ("1,250.50", "nl", "invalid"),
        ("-5", "nl", "not_positive"),
        ("0", "nl", "not_positive"),
        ("0,00", "nl", "not_positive"),
        ("12,345", "nl", "too_many_decimals"),
        ("10.000.000,01", "nl", "too_large"),
        ("NaN", "en", "invalid"),
        ("1e5", "en", "invalid"),
    ],
)
def test_nonsense_is_refused_with_a_reason(text, locale, code):
    with pytest.raises(AmountError) as info:
        parse_amount(text, locale)
    assert info.value.code == code


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_CENTS), st.sampled_from(["nl", "en", "tr", "ar", "pl"]))
def test_what_we_show_in_a_field_reads_back_the_same(cents, locale):
    assert parse_amount(format_amount_for_input(cents, locale), locale) == cents
