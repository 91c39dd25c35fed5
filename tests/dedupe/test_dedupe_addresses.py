from dedupe.addresses import normalise_address


def test_flat_number_house_number_and_abbreviated_street_are_separated():
    address = normalise_address(["Flat 3, 12 High St"], "Cardiff", "cf10 1aa")
    assert (address.flat, address.number, address.street) == ("3", "12", "high street")
    assert address.town == "cardiff"
    assert address.postcode.text == "CF10 1AA"


def test_house_numbers_keep_their_letters_and_ranges():
    assert normalise_address(["12a High Street"]).number == "12a"
    assert normalise_address(["3-5 Market Pl"]).street == "market place"
    assert normalise_address(["3-5 Market Pl"]).number == "3-5"


def test_saint_before_a_name_and_street_after_one():
    assert normalise_address(["14 St Mary's Rd"]).street == "saint marys road"
    assert normalise_address(["14 Church St"]).street == "church street"


def test_apartment_and_flat_words_all_give_the_flat():
    for line in ["Apartment 5", "Apt 5", "Flat 5"]:
        address = normalise_address([line + ", Riverside House", "Quay St"])
        assert address.flat == "5"
        assert address.premises == "riverside house"
        assert address.street == "quay street"


def test_a_building_name_is_kept_apart_from_the_street():
    address = normalise_address(["The Old Rectory", "Church Ln"], "Little Snoring")
    assert address.premises == "the old rectory"
    assert address.street == "church lane"


def test_welsh_street_words_come_first_and_are_still_streets():
    address = normalise_address(["Tŷ Gwyn", "Ffordd Pen Llech"], "Harlech")
    assert address.premises == "ty gwyn"
    assert address.street == "ffordd pen llech"
    assert address.street_phonetic


def test_scottish_tenement_flat_positions():
    address = normalise_address(["2/1 14 Dumbarton Rd"], "Glasgow")
    assert (address.flat, address.number, address.street) == ("2/1", "14", "dumbarton road")
    edinburgh = normalise_address(["14/3 Leith Walk"])
    assert (edinburgh.flat, edinburgh.number) == ("3", "14")


def test_a_number_alone_on_its_line_belongs_to_the_street_below():
    address = normalise_address(["12", "Rose Cottages"])
    assert (address.number, address.street) == ("12", "rose cottages")


def test_a_street_type_typed_wrongly_does_not_change_the_street_code():
    assert (
        normalise_address(["38 onslow sreet"]).street_phonetic
        == normalise_address(["38 Onslow Street"]).street_phonetic
    )


def test_an_empty_address_is_empty():
    assert not normalise_address([None, ""], None, None)
