"""Risk levels, lowest first."""

from __future__ import annotations

from typing import Final

LEVELS: Final = ("standard", "medium", "high")
RANK: Final = {level: index for index, level in enumerate(LEVELS)}


def higher(first: str, second: str) -> str:
    """Return the higher of two levels."""
    return first if RANK[first] >= RANK[second] else second
