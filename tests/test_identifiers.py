"""BSN elfproef, AGB and CBS codes (../shared/docs/iwmo.md §4, CS002)."""

import pytest

from portal.identifiers import agb_problem, bsn_problem, cbs_problem, passes_elfproef


@pytest.mark.parametrize("bsn", ["999900006", "123456782", "999900018"])
def test_valid_bsns_pass(bsn):
    assert passes_elfproef(bsn) and bsn_problem(bsn) is None


@pytest.mark.parametrize("bsn, message", [
    ("999900007", "elfproef"),
    ("12345678", "precies 9 cijfers"),
    ("12345678a", "precies 9 cijfers"),
    ("000000000", "elfproef"),  # passes the arithmetic, but is no one's number
])
def test_invalid_bsns_are_explained(bsn, message):
    assert message in bsn_problem(bsn)


def test_agb_and_cbs_lengths():
    assert agb_problem("12345678") is None
    assert "8 cijfers" in agb_problem("1234567")
    assert cbs_problem("0200") is None
    assert "4 cijfers" in cbs_problem("200")
