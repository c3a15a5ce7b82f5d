"""Dutch identifiers the portal checks at every boundary: BSN, AGB code, CBS gemeentecode.

Each check returns None when the value is right, or a Dutch message saying what is wrong.
"""

import re

_NINE_DIGITS = re.compile(r"[0-9]{9}")
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def passes_elfproef(bsn: str) -> bool:
    """CS002: 9·d1 + 8·d2 + ... + 2·d8 − 1·d9 is divisible by 11 (../shared/docs/iwmo.md §4)."""
    if not _NINE_DIGITS.fullmatch(bsn):
        return False
    digits = [int(c) for c in bsn]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8])) - digits[8]
    return total % 11 == 0


def bsn_problem(bsn: str) -> str | None:
    if not _NINE_DIGITS.fullmatch(bsn):
        return "Een BSN bestaat uit precies 9 cijfers."
    if bsn == "000000000" or not passes_elfproef(bsn):
        return "Dit BSN klopt niet: het voldoet niet aan de elfproef. Controleer de cijfers."
    return None


def agb_problem(code: str) -> str | None:
    if not _EIGHT_DIGITS.fullmatch(code):
        return "Een AGB-code bestaat uit precies 8 cijfers."
    return None


def cbs_problem(code: str) -> str | None:
    if not _FOUR_DIGITS.fullmatch(code):
        return "Een CBS-gemeentecode bestaat uit precies 4 cijfers."
    return None
