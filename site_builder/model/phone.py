"""Chinese phone numbers, checked against libphonenumber's metadata for China (phonenumbers).

The metadata knows which mobile prefixes are allocated and how long a fixed line is after each
area code (8 digits in 023, 7 or 8 elsewhere), which no pattern of ours kept up with; a new
phonenumbers release in the lock brings new allocations. What a person may type stays the national
form the forms have always asked for: digits and hyphens, a mobile as its 11 digits, a fixed line
with its area code (023-63002289), optionally an extension after a hyphen (023-63002289-801). One
form per number keeps the applicants' mobiles comparable (three intended positions per person).
"""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType

_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_FIXED_LINE = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
EXTENSION_MAX = 6


def _china_number(text: str) -> PhoneNumber | None:
    """The valid Chinese number text writes in digits and hyphens, or None."""
    digits = text.replace("-", "")
    if not digits.isascii() or not digits.isdigit() or text.strip("-") != text:
        return None  # phonenumbers would read letters as keypad digits and take "+86" or spaces
    try:
        number = phonenumbers.parse(text, "CN")
    except NumberParseException:
        return None
    valid = phonenumbers.is_valid_number_for_region(number, "CN")
    return number if valid else None


def is_mobile(text: str) -> bool:
    """Whether text is a Chinese mobile number as its 11 digits (13912345678)."""
    number = _china_number(text) if len(text) == 11 and text.startswith("1") else None
    return number is not None and phonenumbers.number_type(number) in _MOBILE


def _is_fixed_line(text: str) -> bool:
    """Whether text is a fixed line written with its area code's leading 0 (023-63002289)."""
    number = _china_number(text) if text.startswith("0") else None
    return number is not None and phonenumbers.number_type(number) in _FIXED_LINE


def is_phone(text: str) -> bool:
    """Whether text is a mobile number or a fixed line with its area code, as a unit's contact."""
    if is_mobile(text) or _is_fixed_line(text):
        return True
    line, _, extension = text.rpartition("-")
    return extension.isdigit() and len(extension) <= EXTENSION_MAX and _is_fixed_line(line)
