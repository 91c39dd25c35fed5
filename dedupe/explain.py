"""Explanations: why a pair of records scored as it did, in terms a reviewer can check."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from dedupe.compare import DISAGREE, FIELD_LEVELS, MISSING

Status = Literal["agree", "partly agree", "disagree", "missing"]

FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "email": "Email address",
    "phone": "Phone number",
    "identity_number": "Identity number",
    "address": "Address",
    "place": "Building or locality",
    "postcode": "Postcode",
    "town": "Town",
}
LEVEL_LABELS = {
    "exact": "the same",
    "nickname": "another form of the same name",
    "close": "spelt almost the same",
    "similar": "similar",
    "initial": "an initial that fits",
    "swapped": "first and last names the other way round",
    "part": "one part of the name the same",
    "near": "one digit different, or day and month swapped",
    "year_slip": "the same day and month, one year apart",
    "compatible": "could be the same (only partly known)",
    "mailbox": "the same mailbox written differently",
    "building": "the same building, a different flat",
    "street": "the same street, a different number",
    "sector": "in the same postcode sector",
    "district": "in the same postcode district",
    DISAGREE: "different",
    MISSING: "not known on one or both",
}
# Where one field's level means something other than the level's usual words.
FIELD_LEVEL_LABELS = {
    ("phone", "near"): "one digit different, or two swapped",
    ("identity_number", "near"): "one character different, or two swapped",
}


@dataclass(frozen=True, slots=True)
class FieldExplanation:
    """One field's part in a decision."""

    field: str
    level: str
    status: Status
    weight: float

    @property
    def sentence(self) -> str:
        """Say it in plain English: "Date of birth: the same (+14.2)"."""
        label = FIELD_LABELS.get(self.field, self.field)
        if self.level == MISSING:
            return f"{label}: {LEVEL_LABELS[MISSING]}"
        words = FIELD_LEVEL_LABELS.get((self.field, self.level)) or LEVEL_LABELS.get(
            self.level, self.level
        )
        return f"{label}: {words} ({self.weight:+.1f})"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every field's level and weight, the prior, the total and any rule that applied.

    ``match_weight`` is the prior weight plus the field weights (log2 odds); ``probability``
    is what it means as a chance that the records are one person. ``rules`` are the plain
    English reasons a rule overrode the score (twins, parent and child).
    """

    fields: tuple[FieldExplanation, ...]
    prior_weight: float
    match_weight: float
    probability: float
    rules: tuple[str, ...] = ()

    def level(self, field: str) -> str:
        """Return the agreement level of one field."""
        for item in self.fields:
            if item.field == field:
                return item.level
        return MISSING

    def sentences(self) -> list[str]:
        """Return the explanation as lines a reviewer can read."""
        lines = [item.sentence for item in self.fields]
        lines += list(self.rules)
        lines.append(f"Score: {self.match_weight:+.1f} (probability {self.probability:.4f})")
        return lines

    def to_dict(self) -> dict[str, object]:
        """Return plain data (for JSON): no personal data is held here, only levels."""
        return asdict(self)


def status_of(field: str, level: str, weight: float) -> Status:
    """Place a level as agree, partly agree, disagree or missing."""
    if level == MISSING:
        return "missing"
    if level == DISAGREE:
        return "disagree"
    if level == FIELD_LEVELS[field][0]:
        return "agree"
    return "partly agree" if weight > 0 else "disagree"
