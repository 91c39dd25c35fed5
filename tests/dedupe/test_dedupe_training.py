import random

import pytest

from dedupe.matcher import Matcher
from dedupe.model import Parameters
from dedupe.records import PersonRecord, normalise_person
from dedupe.store import InMemoryStore
from dedupe.training import blocked_pairs, random_pairs, train

FIRST = ["Rhys", "Owain", "Carys", "Elin", "Gareth", "Sian", "Dylan", "Ffion", "Huw", "Megan",
         "Tomos", "Cerys", "Ioan", "Nia", "Aled", "Bethan", "Llyr", "Mali", "Osian", "Seren"]  # fmt: skip
LAST = ["Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan",
        "Griffiths", "Price", "Pritchard", "Owen", "Lloyd", "Parry", "Rees", "Jenkins", "Bowen"]  # fmt: skip
STREETS = ["Heol y Bont", "High Street", "Station Road", "Church Lane", "Ffordd Penrhos",
           "Bryn Road", "Castle Street", "Mill Lane"]  # fmt: skip


def _population(rng: random.Random, size: int) -> list[PersonRecord]:
    people = []
    for _ in range(size):
        people.append(
            PersonRecord(
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                date_of_birth=f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                address_line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                town=rng.choice(["Bangor", "Caernarfon", "Bethesda"]),
                postcode=f"LL5{rng.randint(5, 7)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            )
        )
    return people


def _typo(rng: random.Random, text: str | None) -> str | None:
    if not text or len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _duplicate(rng: random.Random, p: PersonRecord) -> PersonRecord:
    return PersonRecord(
        first_name=_typo(rng, p.first_name) if rng.random() < 0.3 else p.first_name,
        last_name=_typo(rng, p.last_name) if rng.random() < 0.3 else p.last_name,
        date_of_birth=p.date_of_birth if rng.random() < 0.9 else None,
        address_line_1=p.address_line_1,
        town=p.town,
        postcode=p.postcode if rng.random() < 0.8 else None,
    )


def test_random_pairs_are_distinct_and_in_range():
    pairs = random_pairs(100, 20, seed=3)
    assert len(pairs) == len(set(pairs)) == 100
    assert all(0 <= i < j < 20 for i, j in pairs)
    assert len(random_pairs(1000, 5)) == 10


def test_training_on_unlabelled_records_finds_the_share_of_duplicates_and_keeps_precision(
    tokeniser,
):
    rng = random.Random(11)
    originals = _population(rng, 400)
    duplicates = [_duplicate(rng, p) for p in originals[:200]]
    records = originals + duplicates
    people = [normalise_person(r) for r in records]
    training = train(people, blocked_pairs(people, tokeniser), random_pair_count=20_000)
    assert training.converged
    total_pairs = len(people) * (len(people) - 1) / 2
    assert training.parameters.prior == pytest.approx(200 / total_pairs, rel=0.5)
    assert training.parameters.trained_on["candidate_pairs"] > 0
    assert training.parameters.trained_on["random_pairs"] == 20_000
    learned = training.parameters
    assert learned.weight("date_of_birth", "exact") > learned.weight("town", "exact")

    store = InMemoryStore()
    matcher = Matcher(store, tokeniser, learned)
    from dedupe.store import CandidateRecord

    for i, person in enumerate(people[:400]):
        store.add(CandidateRecord(i, i, person), matcher.index_tokens(person))
    decisions = [matcher.match(d) for d in people[400:]]
    found = [d.id for d in decisions if d.outcome == "match"]
    right = sum(1 for i, d in enumerate(decisions) if d.outcome == "match" and d.id == i)
    assert right == len(found)
    assert right >= 180


def test_trained_parameters_can_be_stored_and_loaded(tokeniser):
    rng = random.Random(5)
    people = [normalise_person(r) for r in _population(rng, 200)]
    training = train(people, blocked_pairs(people, tokeniser), random_pair_count=5_000)
    assert Parameters.from_json(training.parameters.to_json()) == training.parameters
