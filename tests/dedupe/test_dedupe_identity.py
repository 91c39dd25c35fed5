import pytest

from dedupe.compare import compare_identity_numbers
from dedupe.identity import normalise_identity_number


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("943 476 5919", "NHS:9434765919"),
        ("943-476-5918", "NHS:9434765918"),
        ("QQ 12 34 56 C", "NI:QQ123456"),
        ("qq-123456", "NI:QQ123456"),
        ("5551234", "ID:5551234"),
        (" ５５５１２３４ ", "ID:5551234"),
        (4857773, "ID:4857773"),
        ("PNC 12/345678A", "ID:PNC12345678A"),
        ("12", ""),
        ("  ", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_identity_numbers_are_read_without_spaces_punctuation_or_case_and_named_by_scheme(
    raw, normal
):
    assert normalise_identity_number(raw) == normal


def test_a_national_insurance_number_with_and_without_its_suffix_letter_agrees():
    assert normalise_identity_number("QQ123456C") == normalise_identity_number("QQ 12 34 56")


def test_numbers_of_two_schemes_say_nothing_about_each_other():
    nhs = normalise_identity_number("943 476 5919")
    national_insurance = normalise_identity_number("QQ 12 34 56 C")
    assert compare_identity_numbers(nhs, national_insurance) == "missing"
