"""Normalise personal names: titles, punctuation, accents, particles, nicknames, phonetics."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jellyfish

from dedupe.text import clean, words

TITLES = frozenset(
    {
        "mr", "mrs", "miss", "ms", "mx", "master", "dr", "doctor", "prof", "professor", "sir",
        "dame", "lord", "lady", "rev", "revd", "reverend", "fr", "cllr", "councillor", "capt",
        "captain", "hon", "rt", "col", "sgt", "pc", "dc", "insp",
    }
)  # fmt: skip
# Generation markers are evidence (a father and son share a name), so they are kept apart.
GENERATIONS = {
    "jr": "junior", "jnr": "junior", "junior": "junior",
    "sr": "senior", "snr": "senior", "senior": "senior",
    "ii": "ii", "iii": "iii", "iv": "iv",
}  # fmt: skip
HONOURS = frozenset(
    {"obe", "mbe", "cbe", "kbe", "dbe", "qc", "kc", "mp", "ms", "phd", "bsc", "ba", "ma", "esq"}
)
# Surname particles, Welsh patronymics among them: "ap Gwilym" and "Gwilym" can be one family.
PARTICLES = frozenset(
    {
        "ap", "ab", "ferch", "verch", "van", "von", "der", "den", "de", "da", "di", "du", "del",
        "della", "le", "la", "st", "saint", "bin", "ibn", "bint", "al", "el", "o", "ni", "nic",
        "mac", "mc", "y",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Name:
    """A normalised name.

    ``text`` keeps the words (``"ap gwilym"``); ``key`` joins them so that "Smith-Jones" and
    "Smith Jones" agree; ``core`` drops particles; ``parts`` are the barrels of a compound
    surname or the given names; ``phonetic`` is the Metaphone code of ``core``.
    """

    text: str
    key: str
    core: str
    parts: tuple[str, ...]
    phonetic: str

    def __bool__(self) -> bool:
        return bool(self.key)


EMPTY_NAME = Name("", "", "", (), "")


@dataclass(frozen=True, slots=True)
class PersonName:
    """First and last name after normalisation, with any generation marker found."""

    first: Name
    last: Name
    generation: str


def phonetic(word: str) -> str:
    """Return the Metaphone code, or the word itself for scripts Metaphone does not know."""
    if not word:
        return ""
    code = jellyfish.metaphone(word) if word.isascii() else ""
    return code or word


def _strip_decorations(tokens: list[str]) -> tuple[list[str], str]:
    generation = ""
    kept: list[str] = []
    for index, token in enumerate(tokens):
        if token in GENERATIONS and index > 0:
            generation = GENERATIONS[token]
            continue
        if token in HONOURS and index > 0:
            continue
        kept.append(token)
    while kept and kept[0] in TITLES and len(kept) > 1:
        kept.pop(0)
    return kept, generation


def _mac(word: str) -> str:
    # McDonald and MacDonald are the same name written two ways.
    return "mac" + word[2:] if word.startswith("mc") else word


def _name(tokens: list[str], *, surname: bool) -> Name:
    if not tokens:
        return EMPTY_NAME
    if surname:
        tokens = [_mac(t) for t in tokens]
        parts = tuple(t for t in tokens if t not in PARTICLES) or tuple(tokens)
        core = "".join(parts)
    else:
        # Middle names come and go between records; the first given name carries the match.
        parts = tuple(tokens)
        core = parts[0]
    text = " ".join(tokens)
    return Name(text, "".join(tokens), core, parts, phonetic(core))


def normalise_first_name(value: object) -> Name:
    """Normalise a first name (given names, in order), dropping titles."""
    tokens, _ = _strip_decorations(words(clean(value)))
    return _name(tokens, surname=False)


def normalise_last_name(value: object) -> Name:
    """Normalise a surname: hyphens and spaces agree, particles are set aside for ``core``."""
    tokens, _ = _strip_decorations(words(clean(value)))
    return _name(tokens, surname=True)


def normalise_person_name(first: object, last: object) -> PersonName:
    """Normalise first and last names together, collecting a generation marker from either."""
    first_tokens, gen_first = _strip_decorations(words(clean(first)))
    last_tokens, gen_last = _strip_decorations(words(clean(last)))
    return PersonName(
        _name(first_tokens, surname=False),
        _name(last_tokens, surname=True),
        gen_last or gen_first,
    )


def split_full_name(value: object) -> tuple[str, str]:
    """Split "Dr Siân Lloyd-Jones" into ("Siân", "Lloyd-Jones"); particles go with the surname."""
    raw = clean(value).split(" ")
    folded = ["".join(words(token)) for token in raw]
    keep = [i for i, f in enumerate(folded) if f and f not in HONOURS and f not in GENERATIONS]
    while len(keep) > 1 and folded[keep[0]] in TITLES:
        keep.pop(0)
    if not keep:
        return "", ""
    if len(keep) == 1:
        return "", raw[keep[0]]
    start = len(keep) - 1
    while start > 1 and folded[keep[start - 1]] in PARTICLES:
        start -= 1
    generation = [raw[i] for i, f in enumerate(folded) if f in GENERATIONS and i > 0]
    first = " ".join(raw[i] for i in keep[:start])
    last = " ".join([*(raw[i] for i in keep[start:]), *generation])
    return first, last


@cache
def nickname_groups() -> dict[str, frozenset[str]]:
    """Map each known first name to the formal names of the groups it belongs to."""
    groups: dict[str, set[str]] = {}
    source = resources.files("dedupe").joinpath("data/nicknames.csv")
    with source.open(encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if line.strip() and not line.startswith("#"))
        for formal, others in rows:
            for name in {formal, *others.split()}:
                groups.setdefault(name, set()).add(formal)
    return {name: frozenset(formals) for name, formals in groups.items()}


def canonical_first_names(first: Name) -> frozenset[str]:
    """Return the formal names a first name stands for (empty when it has no known forms)."""
    if not first.parts:
        return frozenset()
    return nickname_groups().get(first.parts[0], frozenset())


def are_nicknames(a: Name, b: Name) -> bool:
    """Tell whether two first names are forms of one name (Bill and William, Siôn and John)."""
    return bool(canonical_first_names(a) & canonical_first_names(b))


def are_different_names(a: Name, b: Name) -> bool:
    """Tell whether two first names are both known, and as forms of different names.

    Tom and Tim are one letter apart, as a slip of the keyboard might leave them, but the
    nickname table knows them as Thomas and Timothy: two names, so perhaps two people. A name
    the table does not know says nothing either way.
    """
    forms_a, forms_b = canonical_first_names(a), canonical_first_names(b)
    return bool(forms_a) and bool(forms_b) and not forms_a & forms_b


def sound_different_from_the_start(a: Name, b: Name) -> bool:
    """Tell whether two first names begin with different letters and sound different.

    A slip of typing seldom changes the first letter, and one that does (Kate, Cate) usually
    leaves the sound alone; Ella and Bella, or Jayden and Hayden, are two names.
    """
    if not a.core or not b.core:
        return False
    return a.core[0] != b.core[0] and a.phonetic != b.phonetic
