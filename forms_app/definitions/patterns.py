"""Answer patterns written by form authors, run so that no pattern can hold a request.

Python's `re` backtracks without limit: `(a+)+$` tried on forty letters and an exclamation
mark takes longer than anyone would wait, and a public form would let anyone send such an
answer. Patterns are compiled with the `regex` package instead, in its V0 mode, which behaves
as `re` does; it avoids most such blow-ups by itself and stops a match after a time limit.
When a definition is checked, each pattern is also tried on hostile answers, so that a slow
one is refused before it is ever served.
"""

from __future__ import annotations

import functools

import regex

# Long enough for any sound pattern on an answer of the longest length allowed.
MATCH_SECONDS = 0.25
PROBE_SECONDS = 0.05
PROBE_LENGTH = 200
_PROBE_CHARACTERS = "a0 A._-@'/"


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> regex.Pattern[str]:
    """Compile a pattern (raises `regex.error` for one that is not valid)."""
    return regex.compile(pattern, regex.V0)


def matches(pattern: str, text: str) -> bool | None:
    """Whether the whole text matches the pattern; None if that could not be told in time."""
    try:
        return compiled(pattern).fullmatch(text, timeout=MATCH_SECONDS) is not None
    except TimeoutError:
        return None


def too_slow(pattern: str) -> bool:
    """Whether the pattern takes too long on some hostile answer: runs of one character, or
    of a word and a space, each followed by something that makes the match fail at the end."""
    pattern_compiled = compiled(pattern)
    characters = sorted(set(_PROBE_CHARACTERS) | {c for c in pattern if c.isalnum()})
    runs = [character * PROBE_LENGTH for character in characters]
    runs.append("ab " * (PROBE_LENGTH // 3))
    for run in runs:
        for ending in ("!", "\n", "\x00"):
            try:
                pattern_compiled.fullmatch(run + ending, timeout=PROBE_SECONDS)
            except TimeoutError:
                return True
    return False
