import pytest

from dedupe.postcodes import is_uk_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("written", "normal"),
    [("sw1a1aa", "SW1A 1AA"), ("m11ae", "M1 1AE"), ("EC1A-1BB", "EC1A 1BB"),
     (" cf10  3nq ", "CF10 3NQ"), ("LL55 4UL", "LL55 4UL"), ("gir0aa", "GIR 0AA")],
)  # fmt: skip
def test_uk_postcodes_are_written_the_standard_way(written, normal):
    postcode = normalise_postcode(written)
    assert postcode.text == normal
    assert postcode.uk and postcode.complete


def test_a_uk_postcode_is_split_into_area_district_and_sector():
    postcode = normalise_postcode("CF10 3NQ")
    assert (postcode.area, postcode.district, postcode.sector) == ("CF", "CF10", "CF10 3")


def test_inward_letters_royal_mail_never_uses_make_a_postcode_invalid():
    assert not is_uk_postcode("SW1A 1CI")
    assert normalise_postcode("SW1A 1CI").text == "sw1a 1ci"


def test_an_outward_code_alone_is_a_partial_uk_postcode():
    postcode = normalise_postcode("sw1a")
    assert postcode.uk and not postcode.complete
    assert postcode.district == "SW1A"


def test_postal_codes_from_other_countries_are_kept_as_text():
    assert normalise_postcode("75001 Paris").text == "75001 paris"
    assert normalise_postcode("D02 X285").uk is False
    assert normalise_postcode("4223").text == "4223"


def test_forces_postcodes_are_recognised():
    assert normalise_postcode("bfpo 123").text == "BFPO 123"


def test_empty_postcode_is_missing():
    assert not normalise_postcode(None)
    assert not normalise_postcode(" ")
