import itertools

import pytest

from dedupe.matcher import AddressMatcher, Matcher
from dedupe.model import Parameters
from dedupe.records import PersonRecord
from dedupe.store import (
    AddressRecord,
    CandidateAddress,
    CandidateRecord,
    InMemoryAddressStore,
    InMemoryStore,
)

HOME = {
    "address_line_1": "12 Heol y Bont",
    "town": "Bangor",
    "postcode": "LL57 1AA",
}


def test_the_same_person_written_differently_is_a_match(hold, matcher):
    hold("p1", first_name="Siân", last_name="Lloyd-Jones", date_of_birth="1980-05-12", **HOME)
    decision = matcher.match(
        PersonRecord(
            first_name="sian",
            last_name="Lloyd Jones",
            date_of_birth="12/05/1980",
            address_line_1="12 Heol Y Bont",
            postcode="ll571aa",
        )
    )
    assert decision.outcome == "match"
    assert decision.id == "p1"
    assert decision.score > 0.99


def test_a_nickname_and_a_swapped_day_and_month_still_match(hold, matcher):
    hold("p1", first_name="William", last_name="Evans", date_of_birth="1975-03-08", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Bill", last_name="Evans", date_of_birth="1975-08-03", **HOME)
    )
    assert decision.outcome == "match"
    assert decision.explanation is not None
    assert decision.explanation.level("first_name") == "nickname"
    assert decision.explanation.level("date_of_birth") == "near"


def test_some_agreement_but_not_enough_is_a_possible_match_for_a_person_to_decide(hold, matcher):
    hold("p1", first_name="Dafydd", last_name="Pritchard", date_of_birth="1990-01-20", **HOME)
    decision = matcher.match(PersonRecord(first_name="David", last_name="Pritchard", town="Bangor"))
    assert decision.outcome == "possible"
    assert decision.id == "p1"
    assert 0.5 <= decision.score < 0.99


def test_someone_with_nothing_in_common_is_new(hold, matcher):
    hold("p1", first_name="Dafydd", last_name="Pritchard", date_of_birth="1990-01-20", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Amara", last_name="Okafor", date_of_birth="2001-07-02")
    )
    assert decision.outcome == "new"
    assert decision.id is None


def test_an_empty_store_gives_new(matcher):
    decision = matcher.match(PersonRecord(first_name="Ann", last_name="Lee"))
    assert (decision.outcome, decision.candidates) == ("new", 0)


def test_twins_with_different_first_names_are_not_linked(hold, matcher):
    hold(
        "rhys",
        first_name="Rhys",
        last_name="Jones",
        date_of_birth="2008-03-14",
        gender="male",
        **HOME,
    )
    decision = matcher.match(
        PersonRecord(
            first_name="Owain", last_name="Jones", date_of_birth="2008-03-14", gender="male", **HOME
        )
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("twins" in rule for rule in decision.explanation.rules)


def test_twins_of_different_genders_are_new_people(hold, matcher):
    hold(
        "rhys",
        first_name="Rhys",
        last_name="Jones",
        date_of_birth="2008-03-14",
        gender="male",
        **HOME,
    )
    decision = matcher.match(
        PersonRecord(
            first_name="Carys",
            last_name="Jones",
            date_of_birth="2008-03-14",
            gender="female",
            **HOME,
        )
    )
    assert decision.outcome == "new"


def test_a_twin_arriving_again_links_to_themself_not_their_sibling(hold, matcher):
    hold("rhys", first_name="Rhys", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    hold("owain", first_name="Owain", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Owain", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    )
    assert (decision.outcome, decision.id) == ("match", "owain")
    assert [other.outcome for other in decision.others] == ["possible"]


def test_brothers_and_sisters_at_one_address_are_new_people(hold, matcher):
    hold("p1", first_name="Rhys", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Elin", last_name="Jones", date_of_birth="2011-09-30", **HOME)
    )
    assert decision.outcome == "new"


def test_a_father_and_son_with_one_name_at_one_address_are_not_linked(hold, matcher):
    hold(
        "father",
        first_name="Dafydd",
        last_name="Jones",
        date_of_birth="1962-04-02",
        phone="01248 123456",
        **HOME,
    )
    decision = matcher.match(
        PersonRecord(
            first_name="Dafydd",
            last_name="Jones",
            date_of_birth="1991-11-23",
            phone="01248 123456",
            **HOME,
        )
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("29 years apart" in rule for rule in decision.explanation.rules)


def test_a_father_and_son_25_years_apart_stay_apart_even_when_one_digit_differs(hold, matcher):
    # Born on the same day and month, 1962 and 1982: one digit apart, a generation apart.
    hold("father", first_name="Dafydd", last_name="Jones", date_of_birth="1962-04-02", **HOME)
    for son in ("1982-04-02", "1987-06-30"):
        decision = matcher.match(
            PersonRecord(first_name="Dafydd", last_name="Jones", date_of_birth=son, **HOME)
        )
        assert decision.outcome == "possible"
        assert decision.explanation is not None
        assert any(
            "years apart" in rule and "parent" in rule for rule in decision.explanation.rules
        )


def test_the_same_person_with_a_one_digit_slip_in_the_date_of_birth_links(hold, matcher):
    hold("p1", first_name="Dafydd", last_name="Jones", date_of_birth="1962-04-02", **HOME)
    for slip in ("1962-04-03", "1963-04-02", "1962-02-04", "1962-09-02"):
        decision = matcher.match(
            PersonRecord(first_name="Dafydd", last_name="Jones", date_of_birth=slip, **HOME)
        )
        assert (decision.outcome, decision.id) == ("match", "p1"), slip


def test_one_name_born_months_apart_is_one_person_with_a_wrong_date(hold, matcher):
    # No brother or sister but a twin is born within six months, and twins have two names.
    hold("p1", first_name="Dafydd", last_name="Jones", date_of_birth="1962-04-02", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Dafydd", last_name="Jones", date_of_birth="1962-07-19", **HOME)
    )
    assert decision.explanation is not None
    assert decision.explanation.level("date_of_birth") == "disagree"
    assert (decision.outcome, decision.explanation.rules) == ("match", ())


def test_brothers_recorded_with_one_name_a_few_years_apart_are_not_linked(hold, matcher):
    hold("older", first_name="Mohammed", last_name="Khan", date_of_birth="2009-10-05", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Mohammed", last_name="Khan", date_of_birth="2012-03-27", **HOME)
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("brothers or sisters" in rule for rule in decision.explanation.rules)


def test_twins_who_share_a_first_given_name_are_told_apart_by_the_second(hold, matcher):
    hold("imran", first_name="Mohammed Imran", last_name="Khan", date_of_birth="2012-03-27", **HOME)
    decision = matcher.match(
        PersonRecord(
            first_name="Mohammed Ali", last_name="Khan", date_of_birth="2012-03-27", **HOME
        )
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("twins" in rule for rule in decision.explanation.rules)


def test_a_second_given_name_left_out_or_shortened_still_links(hold, matcher):
    hold("imran", first_name="Mohammed Imran", last_name="Khan", date_of_birth="2012-03-27", **HOME)
    for first in ("Mohammed", "Mohammed I", "Mohammed Imraan"):
        decision = matcher.match(
            PersonRecord(first_name=first, last_name="Khan", date_of_birth="2012-03-27", **HOME)
        )
        assert (decision.outcome, decision.id) == ("match", "imran"), first


def test_senior_and_junior_are_new_people_even_without_dates(hold, matcher):
    hold("father", first_name="John", last_name="Smith Snr", **HOME)
    decision = matcher.match(PersonRecord(first_name="John", last_name="Smith Jnr", **HOME))
    assert decision.outcome == "new"


def test_a_namesake_elsewhere_is_a_new_person(hold, matcher):
    hold("p1", first_name="John", last_name="Smith", date_of_birth="1970-02-01", **HOME)
    decision = matcher.match(
        PersonRecord(
            first_name="John",
            last_name="Smith",
            date_of_birth="1985-06-09",
            address_line_1="3 Queen Street",
            town="Cardiff",
            postcode="CF10 2BU",
        )
    )
    assert decision.outcome == "new"


def test_a_namesake_with_nothing_else_known_is_not_linked(hold, matcher):
    hold("p1", first_name="John", last_name="Smith", date_of_birth="1970-02-01", **HOME)
    decision = matcher.match(PersonRecord(first_name="John", last_name="Smith", town="Swansea"))
    assert decision.outcome != "match"


def test_household_rules_can_be_turned_off_to_compare_with_other_tools(hold, store, tokeniser):
    plain = Matcher(store, tokeniser, use_household_rules=False)
    hold("rhys", first_name="Rhys", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    decision = plain.match(
        PersonRecord(first_name="Owain", last_name="Jones", date_of_birth="2008-03-14", **HOME)
    )
    assert decision.outcome == "match"


def test_every_decision_explains_each_field_with_its_weight_and_the_total(hold, matcher):
    hold(
        "p1",
        first_name="Siân",
        last_name="Evans",
        date_of_birth="1980-05-12",
        email="sian@example.org",
        **HOME,
    )
    decision = matcher.match(
        PersonRecord(
            first_name="Sian",
            last_name="Evans",
            date_of_birth="1980-05-12",
            phone="07700 900123",
            **HOME,
        )
    )
    explanation = decision.explanation
    assert explanation is not None
    by_field = {item.field: item for item in explanation.fields}
    assert by_field["first_name"].status == "agree" and by_field["first_name"].weight > 0
    assert by_field["email"].status == "missing" and by_field["email"].weight == 0
    assert by_field["phone"].status == "missing"
    assert by_field["gender"].status == "missing"
    total = explanation.prior_weight + sum(item.weight for item in explanation.fields)
    assert explanation.match_weight == pytest.approx(total)
    lines = explanation.sentences()
    assert "First name: the same" in lines[0]
    assert lines[-1].startswith("Score:")


def test_an_explanation_holds_no_personal_data(hold, matcher):
    hold("p1", first_name="Siân", last_name="Evans", date_of_birth="1980-05-12", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Sian", last_name="Evans", date_of_birth="1980-05-12")
    )
    assert decision.explanation is not None
    text = repr(decision.explanation.to_dict()).lower()
    assert "sian" not in text and "evans" not in text and "1980" not in text


def test_a_disagreeing_field_is_explained_as_disagreeing_with_negative_weight(matcher):
    outcome, explanation = matcher.compare(
        PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12"),
        PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1955-10-30"),
    )
    item = next(i for i in explanation.fields if i.field == "date_of_birth")
    assert (item.status, item.weight < 0) == ("disagree", True)


def test_persons_marked_as_different_are_not_proposed_again(hold, matcher):
    hold("p1", first_name="Dafydd", last_name="Pritchard", date_of_birth="1990-01-20", **HOME)
    record = PersonRecord(first_name="David", last_name="Pritchard", town="Bangor")
    assert matcher.match(record).outcome == "possible"
    assert matcher.match(record, exclude={"p1"}).outcome == "new"


def test_a_person_with_two_records_is_scored_by_the_better_one(store, matcher):
    from dedupe.store import CandidateRecord

    old = PersonRecord(
        first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", postcode="CF10 3NQ"
    )
    new = PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", **HOME)
    store.add(CandidateRecord("p1", "r1", old), matcher.index_tokens(old))
    store.add(CandidateRecord("p1", "r2", new), matcher.index_tokens(new))
    decision = matcher.match(PersonRecord(first_name="Ann", last_name="Lee", **HOME))
    assert (decision.outcome, decision.id, decision.others) == ("match", "p1", ())


def test_two_people_who_both_match_are_offered_as_a_possible_duplicate(hold, matcher):
    hold("p1", first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", **HOME)
    hold("p2", first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", **HOME)
    decision = matcher.match(
        PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", **HOME)
    )
    assert decision.outcome == "match"
    assert [o.id for o in decision.others] == ["p2"] or [o.id for o in decision.others] == ["p1"]
    assert decision.explanation is not None
    assert any("may be the same person" in r for r in decision.explanation.rules)


def _decide_among(tokeniser, held, record, *, order, ids, parameters=None):
    """Hold ``held`` (name: record) in ``order`` under ``ids``; say which names the decision
    picked: the outcome, score, the one chosen and the others offered."""
    store = InMemoryStore()
    matcher = Matcher(store, tokeniser, parameters)
    name_of = {}
    for name, person_id in zip(order, ids, strict=True):
        store.add(CandidateRecord(person_id, person_id, held[name]),
                  matcher.index_tokens(held[name]))  # fmt: skip
        name_of[person_id] = name
    decision = matcher.match(record)
    others = tuple(name_of[other.id] for other in decision.others)
    return decision.outcome, decision.score, name_of[decision.id], others


def test_candidates_that_score_the_same_give_one_decision_whatever_their_ids_and_order(
    tokeniser,
):
    # Three people who differ only in what the new record does not say: their phone numbers.
    held = {
        phone: PersonRecord(
            first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", phone=phone, **HOME
        )  # fmt: skip
        for phone in ("01248 111111", "01248 222222", "01248 333333")
    }
    record = PersonRecord(first_name="Ann", last_name="Lee", date_of_birth="1980-05-12", **HOME)
    decisions = {
        _decide_among(tokeniser, held, record, order=order, ids=ids)
        for order in itertools.permutations(held)
        for ids in itertools.permutations(["p1", "p2", "p3"])
    }
    assert len(decisions) == 1
    ((outcome, _, chosen, others),) = decisions
    assert outcome == "match"
    assert sorted((chosen, *others)) == sorted(held)


def test_of_two_candidates_that_score_the_same_the_one_agreeing_on_more_fields_is_chosen(
    tokeniser,
):
    # Gender weighs nothing in this model: agreeing on it scores the same as not knowing it.
    parameters = Parameters()
    parameters.probabilities["gender"] = {"exact": (0.5, 0.5), "disagree": (0.5, 0.5)}
    ann = {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-05-12", **HOME}
    held = {"gender known": PersonRecord(gender="female", **ann), "not known": PersonRecord(**ann)}
    for order in itertools.permutations(held):
        outcome, _, chosen, others = _decide_among(
            tokeniser, held, PersonRecord(gender="f", **ann), order=order, ids=["p1", "p2"],
            parameters=parameters,
        )  # fmt: skip
        assert (outcome, chosen, others) == ("match", "gender known", ("not known",))


def test_of_two_people_who_score_the_same_the_one_with_more_records_found_is_chosen(tokeniser):
    ann = {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-05-12", **HOME}
    records = [
        ("known twice", PersonRecord(phone="01248 111111", **ann)),
        ("known twice", PersonRecord(phone="07700 900123", **ann)),
        # Its record would come first by what it says: the count of records decides before that.
        ("known once", PersonRecord(phone="01248 100000", **ann)),
    ]
    for order in itertools.permutations(records):
        for ids in (
            {"known twice": "p1", "known once": "p2"},
            {"known twice": "p2", "known once": "p1"},
        ):
            store = InMemoryStore()
            matcher = Matcher(store, tokeniser)
            for number, (name, record) in enumerate(order):
                store.add(
                    CandidateRecord(ids[name], f"r{number}", record), matcher.index_tokens(record)
                )
            decision = matcher.match(PersonRecord(**ann))
            assert (decision.outcome, decision.id) == ("match", ids["known twice"])
            assert [other.id for other in decision.others] == [ids["known once"]]


def _address_store(tokeniser, *entries):
    store = InMemoryAddressStore()
    matcher = AddressMatcher(store, tokeniser)
    for address_id, record in entries:
        store.add(CandidateAddress(address_id, record), matcher.index_tokens(record))
    return matcher


def test_an_address_written_differently_matches_the_one_held(tokeniser):
    matcher = _address_store(
        tokeniser, ("a1", AddressRecord("Flat 3", "12 High Street", "Cardiff", "CF10 1AA"))
    )
    decision = matcher.match(AddressRecord("flat 3, 12 high st", None, "cardiff", "cf101aa"))
    assert (decision.outcome, decision.id) == ("match", "a1")


def test_another_flat_in_the_same_building_is_a_new_address(tokeniser):
    matcher = _address_store(
        tokeniser, ("a1", AddressRecord("Flat 3", "12 High Street", "Cardiff", "CF10 1AA"))
    )
    decision = matcher.match(AddressRecord("Flat 4", "12 High Street", "Cardiff", "CF10 1AA"))
    assert decision.outcome == "new"


def test_the_house_next_door_is_a_new_address(tokeniser):
    matcher = _address_store(
        tokeniser, ("a1", AddressRecord("12 High Street", None, "Cardiff", "CF10 1AA"))
    )
    assert (
        matcher.match(AddressRecord("14 High Street", None, "Cardiff", "CF10 1AA")).outcome == "new"
    )


def test_a_place_described_in_words_is_found_again_by_its_postcode(tokeniser):
    """Where an incident happened is often a description and a postcode, with no town."""
    matcher = _address_store(
        tokeniser,
        ("a1", AddressRecord("Outside 4 Elm Road", None, None, "SW1A 1AA")),
        ("a2", AddressRecord("The alley behind the shops", None, None, "SW1A 1AA")),
    )
    decision = matcher.match(AddressRecord("outside 4 elm road", None, None, "sw1a1aa"))
    assert (decision.outcome, decision.id) == ("match", "a1")
    elsewhere = matcher.match(AddressRecord("Outside 4 Elm Road", None, None, "ND1 4EL"))
    assert elsewhere.outcome == "new"
    other_place = matcher.match(AddressRecord("The bus shelter", None, None, "SW1A 1AA"))
    assert other_place.outcome == "new"


def test_a_mistyped_postcode_on_the_right_street_still_matches(tokeniser):
    matcher = _address_store(
        tokeniser, ("a1", AddressRecord("12 High Street", None, "Cardiff", "CF10 1AA"))
    )
    decision = matcher.match(AddressRecord("12 High St", None, "Cardiff", "CF10 1AB"))
    assert decision.outcome == "match"


@pytest.mark.parametrize(
    ("held", "arriving"),
    [("Tom", "Tim"), ("Dan", "Don"), ("Jack", "Jake"), ("Ella", "Bella"), ("Jayden", "Hayden")],
)
def test_twins_whose_names_are_spelt_alike_are_not_linked(hold, matcher, held, arriving):
    hold("one", first_name=held, last_name="Jones", date_of_birth="2008-03-14", **HOME)
    decision = matcher.match(
        PersonRecord(first_name=arriving, last_name="Jones", date_of_birth="2008-03-14", **HOME)
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("twins" in rule for rule in decision.explanation.rules)


@pytest.mark.parametrize(
    ("held", "arriving"), [("Thomas", "Thmoas"), ("Aidan", "Aiden"), ("Kate", "Cate")]
)
def test_a_misspelt_first_name_still_links_when_everything_else_agrees(
    hold, matcher, held, arriving
):
    hold("one", first_name=held, last_name="Jones", date_of_birth="2008-03-14", **HOME)
    decision = matcher.match(
        PersonRecord(first_name=arriving, last_name="Jones", date_of_birth="2008-03-14", **HOME)
    )
    assert (decision.outcome, decision.id) == ("match", "one")


@pytest.mark.parametrize(
    ("held", "arriving", "outcome"),
    [
        # One number, written two ways: one person whose first name was recorded wrongly.
        ("QQ 12 34 56 C", "qq123456c", "match"),
        # One slip of typing in the middle: still one number.
        ("QQ123456C", "QQ183456C", "match"),
        # Numbers of their own, next to each other in a run: twins, for a person to decide.
        ("QQ123456C", "QQ123457C", "possible"),
        ("QQ123456C", "AB987654D", "possible"),
        (None, None, "possible"),
    ],
)
def test_one_identity_number_on_both_lifts_the_twins_rule_and_two_keep_it(
    hold, matcher, held, arriving, outcome
):
    hold("rhys", first_name="Rhys", last_name="Jones", date_of_birth="2008-03-14",
         identity_number=held, **HOME)  # fmt: skip
    decision = matcher.match(
        PersonRecord(
            first_name="Owain",
            last_name="Jones",
            date_of_birth="2008-03-14",
            identity_number=arriving,
            **HOME,
        )  # fmt: skip
    )
    assert (decision.outcome, decision.id) == (outcome, "rhys")
    assert decision.explanation is not None
    twins_rule = any("twins" in rule for rule in decision.explanation.rules)
    assert twins_rule is (outcome == "possible")
    if held == "QQ 12 34 56 C":
        assert "Identity number: the same" in "\n".join(decision.explanation.sentences())


@pytest.mark.parametrize("arriving", ["QQ123456C", "QQ123457C"])
def test_a_father_and_son_sharing_a_number_by_mistake_stay_apart_by_senior_and_junior(
    hold, matcher, arriving
):
    hold("dad", first_name="John", last_name="Smith Snr", date_of_birth="1960-01-01",
         identity_number="QQ123456C", **HOME)  # fmt: skip
    decision = matcher.match(
        PersonRecord(
            first_name="John",
            last_name="Smith Jnr",
            date_of_birth="1990-01-01",
            identity_number=arriving,
            **HOME,
        )  # fmt: skip
    )
    assert decision.outcome == "new"


@pytest.mark.parametrize(
    ("held_born", "arriving_born", "held", "arriving"),
    [
        # A generation apart, the number's last digit one out (FEBRL4: 2519977 and 2519978).
        ("1962-04-02", "1991-11-23", "QQ123456C", "QQ123457C"),
        ("1909-03-21", "1924-03-21", "2519977", "2519978"),
        # A generation apart by one digit of the date, the last two digits of the number
        # swapped (FEBRL4: 7156436 and 7156463, 27 apart).
        ("1972-08-19", "1992-08-19", "7156436", "7156463"),
        # Born as far apart as brothers and sisters who are not twins.
        ("2009-10-05", "2012-03-27", "QQ123456C", "QQ123457C"),
    ],
)
def test_a_number_one_slip_away_is_one_number_for_people_born_too_far_apart_to_share_a_run(
    hold, matcher, held_born, arriving_born, held, arriving
):
    # Numbers are given at birth registration (NHS) or at 16 (National Insurance): people
    # born years apart are not given numbers from one run, so one character out is a slip.
    hold("one", first_name="Dafydd", last_name="Jones", date_of_birth=held_born,
         identity_number=held, **HOME)  # fmt: skip
    decision = matcher.match(
        PersonRecord(
            first_name="Dafydd",
            last_name="Jones",
            date_of_birth=arriving_born,
            identity_number=arriving,
            **HOME,
        )
    )
    assert decision.explanation is not None
    assert decision.explanation.level("identity_number") == "near"
    assert (decision.outcome, decision.id, decision.explanation.rules) == ("match", "one", ())


@pytest.mark.parametrize(
    ("held_born", "arriving_born", "outcome", "rule"),
    [
        ("2008-03-14", "2008-03-14", "possible", "twins"),
        # One digit of the date out: still twins, as far as the dates tell.
        ("2008-03-14", "2008-03-15", "possible", "twins"),
        # Either side of midnight: the dates disagree, but a day apart, so the numbers could
        # still come from one run, and the brother and sister rule holds as before.
        ("2008-03-31", "2008-04-01", "new", "different people in one household"),
    ],
)
def test_neighbouring_numbers_on_twins_still_keep_them_apart(
    hold, matcher, held_born, arriving_born, outcome, rule
):
    hold("rhys", first_name="Rhys", last_name="Jones", date_of_birth=held_born,
         identity_number="QQ123456C", **HOME)  # fmt: skip
    decision = matcher.match(
        PersonRecord(
            first_name="Owain",
            last_name="Jones",
            date_of_birth=arriving_born,
            identity_number="QQ123457C",
            **HOME,
        )
    )
    assert decision.outcome == outcome
    assert decision.explanation is not None
    assert any(rule in reason for reason in decision.explanation.rules)


@pytest.mark.parametrize("arriving", ["QQ654321C", "QQ123470C", None])
def test_a_father_and_son_with_one_name_and_numbers_of_their_own_are_not_linked(
    hold, matcher, arriving
):
    hold("father", first_name="Dafydd", last_name="Jones", date_of_birth="1962-04-02",
         phone="01248 123456", identity_number="QQ123456C", **HOME)  # fmt: skip
    decision = matcher.match(
        PersonRecord(
            first_name="Dafydd",
            last_name="Jones",
            date_of_birth="1991-11-23",
            phone="01248 123456",
            identity_number=arriving,
            **HOME,
        )
    )
    assert decision.outcome == "possible"
    assert decision.explanation is not None
    assert any("29 years apart" in rule for rule in decision.explanation.rules)


def test_a_person_found_only_by_their_identity_number_is_a_possible_match(hold, matcher):
    hold("p1", first_name="Catrin", last_name="Hughes", date_of_birth="1985-02-11",
         identity_number="QQ123456C", **HOME)  # fmt: skip
    decision = matcher.match(PersonRecord(last_name="Davies", identity_number="QQ123456C"))
    assert decision.candidates == 1
    assert (decision.outcome, decision.id) == ("possible", "p1")


def test_a_place_described_in_words_is_found_at_a_busy_postcode(tokeniser):
    """A town-centre postcode collects many places described in words over the years (outside
    each house on the parade, the corner, the bus stop): each is still found among them."""
    held = [f"Outside {number} Elm Road" for number in range(2, 26, 2)]
    held += ["Corner of Elm Road and Ash Grove", "Bus stop on Elm Road", "Elm Road car park"]
    matcher = _address_store(
        tokeniser,
        *((f"a{i}", AddressRecord(words, None, None, "ND1 1AA")) for i, words in enumerate(held)),
    )
    decision = matcher.match(AddressRecord("outside 10 elm road", None, None, "nd1 1aa"))
    assert (decision.outcome, decision.id) == ("match", "a4")
    corner = matcher.match(AddressRecord("Corner of Elm Rd and Ash Grove", None, None, "ND1 1AA"))
    assert (corner.outcome, corner.id) == ("match", "a12")
    underpass = matcher.match(AddressRecord("Birch Lane underpass", None, None, "ND1 1AA"))
    assert underpass.outcome == "new"
