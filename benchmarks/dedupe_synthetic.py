"""A synthetic UK population for speed runs, with returning people to look up.

Names come from Faker's en_GB lists, drawn with a long-tailed frequency (a few surnames are
common, most are rare, as in the UK) and topped up with made-up rare surnames. People live in
households that share a surname, an address and sometimes a landline, so blocking keys on
address and surname are as crowded as they would be in a real partnership's records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

from dedupe.records import PersonRecord

TOWNS = {
    "Cardiff": ["CF10", "CF11", "CF14", "CF23", "CF24", "CF3", "CF5"],
    "Newport": ["NP10", "NP19", "NP20"],
    "Swansea": ["SA1", "SA2", "SA5", "SA6"],
    "Bangor": ["LL57"],
    "Wrexham": ["LL11", "LL12", "LL13"],
    "Bristol": ["BS1", "BS3", "BS5", "BS7", "BS16"],
    "Manchester": ["M1", "M4", "M8", "M13", "M14", "M20"],
    "Leeds": ["LS1", "LS6", "LS8", "LS11", "LS17"],
    "Sheffield": ["S1", "S2", "S10", "S11"],
    "Glasgow": ["G1", "G3", "G12", "G31", "G42"],
}
STREET_TYPES = ["Road", "Street", "Avenue", "Close", "Lane", "Drive", "Way", "Gardens",
                "Crescent", "Grove", "Terrace", "Place"]  # fmt: skip
STREET_WORDS = ["Church", "Station", "High", "Mill", "Park", "Victoria", "Queen", "King",
                "Castle", "Bridge", "Meadow", "Oak", "Heol y", "Ffordd", "Bryn", "Albert",
                "Windsor", "Manor", "Chapel", "School", "Green", "Orchard", "Cedar", "Mount"]  # fmt: skip
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
SYLLABLES = ["ab", "ber", "cal", "dor", "ell", "fen", "gar", "hol", "ing", "jen", "kel", "lan",
             "mor", "nor", "ow", "pen", "quil", "ros", "stan", "tre", "ul", "ven", "wyn", "y"]  # fmt: skip
NICKNAMES = {"William": "Bill", "Robert": "Bob", "Margaret": "Peggy", "Elizabeth": "Liz",
             "Thomas": "Tom", "James": "Jim", "David": "Dave", "Michael": "Mike",
             "Richard": "Rick", "Catherine": "Kate", "Christopher": "Chris", "Daniel": "Dan"}  # fmt: skip


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


class Population:
    """Generate people household by household, deterministically from a seed."""

    def __init__(self, seed: int = 0) -> None:
        from faker.providers.person.en_GB import Provider

        self.rng = random.Random(seed)
        self.male = list(Provider.first_names_male)
        self.female = list(Provider.first_names_female)
        self.surnames = list(Provider.last_names)
        self.male_w = _zipf_weights(len(self.male), 0.6)
        self.female_w = _zipf_weights(len(self.female), 0.6)
        self.surname_w = _zipf_weights(len(self.surnames), 0.6)
        self.streets = [
            f"{self.rng.choice(STREET_WORDS)} {self.rng.choice(STREET_TYPES)}"
            if self.rng.random() < 0.4
            else f"{self.rng.choice(self.surnames)} {self.rng.choice(STREET_TYPES)}"
            for _ in range(20_000)
        ]

    def _surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        return rng.choices(self.surnames, self.surname_w)[0]

    def _first(self, gender: str) -> str:
        if gender == "m":
            return self.rng.choices(self.male, self.male_w)[0]
        return self.rng.choices(self.female, self.female_w)[0]

    def _postcode(self, town: str) -> str:
        rng = self.rng
        district = rng.choice(TOWNS[town])
        return f"{district} {rng.randint(1, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"

    def _phone(self, mobile: bool) -> str:
        if mobile:
            return f"07{self.rng.randint(100, 999)} {self.rng.randint(100000, 999999)}"
        return f"029 {self.rng.randint(2000, 2999)} {self.rng.randint(1000, 9999)}"

    def households(self) -> Iterator[list[PersonRecord]]:
        """Yield households forever: one to five people at one address."""
        rng = self.rng
        while True:
            town = rng.choice(list(TOWNS))
            flat = rng.random() < 0.2
            line_1 = f"{rng.randint(1, 250)} {rng.choice(self.streets)}"
            address = {
                "address_line_1": f"Flat {rng.randint(1, 20)}" if flat else line_1,
                "address_line_2": line_1 if flat else None,
                "town": town,
                "postcode": self._postcode(town),
            }
            surname = self._surname()
            landline = self._phone(False) if rng.random() < 0.3 else None
            size = rng.choices([1, 2, 3, 4, 5], [30, 34, 16, 14, 6])[0]
            base_year = rng.randint(1935, 2004)
            people = []
            for index in range(size):
                gender = rng.choice("mf")
                child = index >= 2
                year = base_year + (rng.randint(20, 40) if child else rng.randint(-3, 3))
                if year > 2024:
                    # Children of young parents: spread over recent years, not piled on one.
                    year = rng.randint(2005, 2024)
                first = self._first(gender)
                adult = 2024 - year >= 16
                people.append(
                    PersonRecord(
                        first_name=first,
                        last_name=surname if rng.random() < 0.85 else self._surname(),
                        date_of_birth=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        gender=gender,
                        email=(
                            f"{first.lower()}.{surname.lower()}{rng.randint(1, 999)}@example.org"
                            if adult and rng.random() < 0.6
                            else None
                        ),
                        phone=self._phone(True) if adult and rng.random() < 0.7 else landline,
                        **address,
                    )
                )
            yield people

    def people(self, count: int) -> list[PersonRecord]:
        """Return ``count`` people."""
        out: list[PersonRecord] = []
        for household in self.households():
            out.extend(household)
            if len(out) >= count:
                return out[:count]
        return out

    def returning(self, person: PersonRecord) -> PersonRecord:
        """The same person as a new form might give them: typos, nicknames, fields left out."""
        rng = self.rng
        changes: dict[str, object] = {}
        first = person.first_name or ""
        if first in NICKNAMES and rng.random() < 0.5:
            changes["first_name"] = NICKNAMES[first]
        elif rng.random() < 0.2 and len(first) > 3:
            i = rng.randrange(1, len(first) - 1)
            changes["first_name"] = first[:i] + first[i + 1] + first[i] + first[i + 2 :]
        if rng.random() < 0.1 and person.date_of_birth:
            y, m, d = str(person.date_of_birth).split("-")
            if int(d) <= 12:
                changes["date_of_birth"] = f"{y}-{d}-{m}"
        for field in ("email", "phone", "address_line_2", "date_of_birth", "gender"):
            if rng.random() < 0.25:
                changes[field] = None
        return replace(person, **changes)  # type: ignore[arg-type]
