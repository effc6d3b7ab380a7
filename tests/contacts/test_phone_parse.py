"""`parse_digits` must give exactly what phonenumbers.parse gives, or step aside."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klient.contacts.normalize import InvalidValue, phone_to_e164
from klient.contacts.phone_parse import is_valid, parse_digits

REGIONS = ["RU", "BG", "GB", "US", "DE", "KZ", "IT", "FR", "UA", "BR", "IN", "CN"]
SEPARATORS = ["", " ", "-", ".", "(", ")", " (", ") "]
TYPES = [
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]


def _bare(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch == "+")


def _agrees(text: str, region: str) -> bool:
    """True when the fast path answered (and agreed); False when it stepped aside."""
    fast = parse_digits(_bare(text), region)
    if fast is None:
        return False
    assert phonenumbers.parse(text, region) == fast, (text, region)
    return True


@settings(max_examples=3000, deadline=None)
@given(
    plus=st.booleans(),
    groups=st.lists(st.text("0123456789", min_size=1, max_size=5), min_size=1, max_size=6),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
    region=st.sampled_from(REGIONS),
)
def test_typed_digit_runs_parse_the_same(plus, groups, separators, region):
    text = ("+" if plus else "") + "".join(
        group + separator for group, separator in zip(groups, separators, strict=False)
    )
    _agrees(text.strip(), region)


def test_every_region_example_number_in_every_format_parses_the_same():
    answered = 0
    for number_region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(number_region, kind)
            if example is None:
                continue
            for style in (
                phonenumbers.PhoneNumberFormat.E164,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                phonenumbers.PhoneNumberFormat.NATIONAL,
            ):
                text = phonenumbers.format_number(example, style)
                for region in (number_region, "RU", "BG"):
                    answered += _agrees(text, region)
    assert answered > 1000  # the fast path is taken, not only stepped around


@pytest.mark.parametrize(
    "text",
    ["+7 (916) 123-45-67", "8 916 123 45 67", "8(916)1234567", "+79161234567", "+7 916 123 4567"],
)
def test_the_usual_russian_formats_take_the_fast_path(text):
    assert parse_digits(_bare(text), "RU") == phonenumbers.parse("+79161234567", None)


@pytest.mark.parametrize("text", ["89161234567", "+359 88 123 4567", "+44 7400 123456"])
def test_phone_to_e164_matches_phonenumbers(text):
    parsed = phonenumbers.parse(text, "RU")
    assert phone_to_e164(text) == phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.E164
    )


@pytest.mark.parametrize("text", ["8 000", "+7 12", "1-2", "12", "+0 123 456"])
def test_what_phonenumbers_refuses_is_still_refused(text):
    with pytest.raises(InvalidValue):
        phone_to_e164(text)


@settings(max_examples=5000, deadline=None)
@given(
    country_code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    national=st.integers(min_value=1, max_value=10**15),
)
def test_is_valid_agrees_with_phonenumbers(country_code, national):
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=national)
    assert is_valid(number) == phonenumbers.is_valid_number(number)


def test_is_valid_agrees_on_every_region_example_number():
    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            for nudged in (
                example.national_number,
                example.national_number + 1,
                example.national_number * 10,
                example.national_number // 10,
            ):
                number = phonenumbers.PhoneNumber(
                    country_code=example.country_code, national_number=nudged
                )
                assert is_valid(number) == phonenumbers.is_valid_number(number), number
                checked += 1
    assert checked > 2000
