import pytest

from dedupe.identity import normalise_identity_number


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("QQ 12 34 56 C", "QQ123456C"),
        ("qq-123456-c", "QQ123456C"),
        ("943 476 5919", "9434765919"),
        (" ５５５１２３４ ", "5551234"),
        (4857773456, "4857773456"),
        ("12", ""),
        ("  ", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_identity_numbers_are_compared_without_spaces_punctuation_or_case(raw, normal):
    assert normalise_identity_number(raw) == normal
