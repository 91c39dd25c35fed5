"""Risk assessment of form submissions: pure Python, plain data in and out.

The intake worker loads an instrument from a form definition once, then
calls `assess` for each submission, and again whenever a new report about
the same person, address or location arrives (with the longer history).
"""

from scoring.definition import Instrument, check_form, load_instrument
from scoring.engine import Assessment, Judgement, assess
from scoring.errors import AnswerError, HistoryError, Problem, ScoringDefinitionError
from scoring.history import HistoryEntry
from scoring.levels import LEVELS

__all__ = [
    "LEVELS",
    "AnswerError",
    "Assessment",
    "HistoryEntry",
    "HistoryError",
    "Instrument",
    "Judgement",
    "Problem",
    "ScoringDefinitionError",
    "assess",
    "check_form",
    "load_instrument",
]
