import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_cnpj(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _check_digit(digits: str) -> str:
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(digits) :]
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if rest < 2 else str(11 - rest)


def validate_cnpj(value: str) -> None:
    """A CNPJ has 14 digits (punctuation optional) whose last two are its check digits."""
    digits = normalize_cnpj(value)
    if len(digits) != 14 or digits == digits[0] * 14:
        raise ValidationError(
            _("A CNPJ has 14 digits, for example 11.222.333/0001-81."), code="cnpj"
        )
    first = _check_digit(digits[:12])
    if digits[12:] != first + _check_digit(digits[:12] + first):
        raise ValidationError(
            _("This CNPJ's check digits do not match: please check the number."), code="cnpj"
        )
