"""phonenumbers.parse and is_valid_number for the strings people type, same results, faster.

`phonenumbers.parse` spends most of its ~25 µs walking the string character by
character: extracting the number from surrounding text, extensions, letters, Unicode
digits. A number typed as '+7 (916) 123-45-67' or '8 916 123 45 67' needs none of
that: without its spaces, dashes, dots and brackets it is a run of ASCII digits with
an optional '+'. For such a run `parse_digits` follows `parse` step by step (country
code from the '+', or the default region; the national prefix stripped by the
library's own helper under the same length rule) and returns the same PhoneNumber.
Where `parse` would take a branch this does not follow (a number starting with an
international dialling prefix or with the default region's country code, no '+',
too short, an Italian leading zero, a non-geographic code), it returns None and the
caller uses `phonenumbers.parse` itself.

`is_valid` answers `phonenumbers.is_valid_number` with the same steps (the region
from the country code, then "is it of any known type there"), but tests a number's
type patterns as one compiled alternation per region and length instead of up to ten
separate matches. Differential tests compare both functions with the library on
generated numbers and on every region's example numbers.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber
from phonenumbers import phonenumberutil as _util

# phonenumbers' own limits (phonenumberutil._MIN_LENGTH_FOR_NSN / _MAX_LENGTH_FOR_NSN).
_MIN_NSN, _MAX_NSN = 2, 17
_PLAIN = re.compile(r"\+?[0-9]{3,40}")
_SHORT_RESULTS = (
    _util.ValidationResult.TOO_SHORT,
    _util.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    _util.ValidationResult.INVALID_LENGTH,
)


@cache
def _idd_pattern(region: str) -> re.Pattern[str] | None:
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or not metadata.international_prefix:
        return None
    return re.compile(metadata.international_prefix)


def parse_digits(text: str, region: str) -> PhoneNumber | None:
    """The number `phonenumbers.parse(text, region)` gives, for `text` = '+'? ASCII digits;
    None where only `phonenumbers.parse` can tell."""
    if not _PLAIN.fullmatch(text):
        return None
    default = PhoneMetadata.metadata_for_region(region, None)
    if default is None:
        return None
    if text[0] == "+":
        country_code, national = _util._extract_country_code(text[1:])
        if country_code == 0:
            return None
        number_region = phonenumbers.region_code_for_country_code(country_code)
        metadata = (
            default
            if number_region == region
            else PhoneMetadata.metadata_for_region(number_region, None)
        )
        if metadata is None:  # a non-geographic code ('001' entities)
            return None
    else:
        idd = _idd_pattern(region)
        if (idd is not None and idd.match(text)) or text.startswith(str(default.country_code)):
            return None
        if default.country_code is None:
            return None
        country_code, national, metadata = default.country_code, text, default
    if len(national) < _MIN_NSN:
        return None
    _carrier, stripped, _done = _util._maybe_strip_national_prefix_carrier_code(national, metadata)
    if _util._test_number_length(stripped, metadata) not in _SHORT_RESULTS:
        national = stripped
    if not _MIN_NSN <= len(national) <= _MAX_NSN or national[0] == "0":
        return None
    return PhoneNumber(country_code=country_code, national_number=int(national))


_NON_GEO = "001"


def _type_descs(metadata: PhoneMetadata) -> list[Any]:
    """The descriptions whose match makes _number_type_helper return a known type."""
    descs = [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
        metadata.fixed_line,
    ]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    return descs


@cache
def _known_type_pattern(region: str, country_code: int, length: int) -> re.Pattern[str] | None:
    """One alternation of every type pattern a national number of `length` digits may
    match in this region (a description with possible lengths only counts for those)."""
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return None
    patterns = [
        desc.national_number_pattern
        for desc in _type_descs(metadata)
        if desc is not None
        and desc.national_number_pattern
        and (not desc.possible_length or length in desc.possible_length)
    ]
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@cache
def _general_pattern(
    region: str, country_code: int
) -> tuple[re.Pattern[str] | None, tuple[Any, ...]]:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    general = metadata.general_desc if metadata is not None else None
    if general is None or not general.national_number_pattern:
        return None, ()
    return re.compile(general.national_number_pattern), tuple(general.possible_length or ())


def _of_known_type(nsn: str, region: str, country_code: int) -> bool:
    general, lengths = _general_pattern(region, country_code)
    if general is None or (lengths and len(nsn) not in lengths) or not general.fullmatch(nsn):
        return False
    pattern = _known_type_pattern(region, country_code, len(nsn))
    return pattern is not None and pattern.fullmatch(nsn) is not None


@cache
def _leading_digits(region: str) -> re.Pattern[str] | None:
    metadata = PhoneMetadata.metadata_for_region(region, None)
    return re.compile(metadata.leading_digits) if metadata and metadata.leading_digits else None


def _region_of(nsn: str, country_code: int, regions: tuple[str, ...]) -> str | None:
    if len(regions) == 1:
        return regions[0]
    for region in regions:
        if PhoneMetadata.metadata_for_region(region, None) is None:
            continue
        leading = _leading_digits(region)
        if leading is not None:
            if leading.match(nsn):
                return region
        elif _of_known_type(nsn, region, country_code):
            return region
    return None


def is_valid(number: PhoneNumber) -> bool:
    """phonenumbers.is_valid_number(number)."""
    if number.italian_leading_zero:
        return phonenumbers.is_valid_number(number)
    country_code = number.country_code
    if country_code is None:
        return phonenumbers.is_valid_number(number)
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return False
    nsn = str(number.national_number)
    region = _region_of(nsn, country_code, regions)
    if region is None:
        return False
    if PhoneMetadata.metadata_for_region_or_calling_code(country_code, region) is None:
        return False
    if region != _NON_GEO and country_code != phonenumbers.country_code_for_valid_region(region):
        return False
    return _of_known_type(nsn, region, country_code)
