import pytest

from dedupe.contact import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("written", "e164"),
    [("07700 900123", "+447700900123"), ("+44 (0)7700 900123", "+447700900123"),
     ("0044 161 496 0000", "+441614960000"), ("(029) 2087 2087", "+442920872087"),
     ("+33 1 23 45 67 89", "+33123456789")],
)  # fmt: skip
def test_phone_numbers_are_written_in_e164_reading_national_numbers_as_uk(written, e164):
    assert normalise_phone(written).e164 == e164


def test_another_default_region_reads_national_numbers_there():
    assert normalise_phone("01 23 45 67 89", region="FR").e164 == "+33123456789"


def test_a_number_that_cannot_be_parsed_keeps_its_digits():
    phone = normalise_phone("12 34 56 78 90 12 34 56 78")
    assert phone.e164 == ""
    assert phone.key == "123456789012345678"


def test_too_few_digits_is_no_phone_number():
    assert not normalise_phone("ext 123")
    assert not normalise_phone(None)


def test_email_addresses_are_lower_cased_and_trimmed():
    email = normalise_email("  Jo.Bloggs@Example.ORG ")
    assert email.address == "jo.bloggs@example.org"


def test_gmail_dots_tags_and_googlemail_give_one_mailbox():
    a = normalise_email("Jo.Bloggs+council@googlemail.com")
    b = normalise_email("jobloggs@gmail.com")
    assert a.address != b.address
    assert a.mailbox == b.mailbox == "jobloggs@gmail.com"


def test_dots_matter_outside_gmail():
    assert normalise_email("jo.bloggs@example.org").mailbox == "jo.bloggs@example.org"


def test_text_that_is_not_an_email_address_is_missing():
    assert not normalise_email("not an email")
    assert not normalise_email("a@b")
