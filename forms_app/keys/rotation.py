"""Re-encrypt every encrypted value under the primary data key, in batches, resumably.

Every stored value names its key id, and every key stays in the keyring until rotation has
finished, so an interruption at any point leaves every value readable. Progress is kept per
table in key_rotation_progress; a second run resumes after the last row it committed.

A process that has not reloaded the keys (a web or worker process started before the new key
was added) goes on writing under the old key, into rows the pass has already visited. So every
run ends with a sweep of all tables that rewrites any value still not under the primary key;
`keys retire` refuses a key while any value uses it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from forms_app.crypto import crypto
from forms_app.crypto.fields import REGISTRY
from forms_app.crypto.keyring import key_id_of
from forms_app.extensions import db
from forms_app.models import KeyRotationProgress, utcnow

Progress = Callable[[str, int, int], None]  # table, rows scanned, values rewritten


@dataclass
class RotationResult:
    target_key_id: str
    rewritten: int
    tables: dict[str, int]


def encrypted_columns() -> dict[type, list[str]]:
    by_model: dict[type, list[str]] = defaultdict(list)
    for model, name in REGISTRY:
        by_model[model].append(name)
    return dict(by_model)


def _batches(model: type, after: str, size: int) -> Iterator[list[object]]:
    while True:
        rows = list(
            db.session.scalars(
                select(model).where(model.id > after).order_by(model.id).limit(size)  # type: ignore[attr-defined]
            )
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id  # type: ignore[attr-defined]


def rotate(batch_size: int = 500, progress: Progress | None = None) -> RotationResult:
    keyring = crypto().keyring
    target = keyring.primary_id
    total = 0
    per_table: dict[str, int] = {}
    for model, names in sorted(encrypted_columns().items(), key=lambda item: item[0].__tablename__):  # type: ignore[attr-defined]
        table = model.__tablename__  # type: ignore[attr-defined]
        state = db.session.get(KeyRotationProgress, (target, table))
        if state is None:
            state = KeyRotationProgress(
                target_key_id=target, table_name=table, last_row_id="", rewritten=0
            )
            db.session.add(state)
            db.session.commit()
        if state.finished_at is not None:
            per_table[table] = state.rewritten
            continue
        scanned = 0
        for rows in _batches(model, state.last_row_id, batch_size):
            for row in rows:
                rewritten = _rewrite(row, names, target)
                state.rewritten += rewritten
                total += rewritten
            scanned += len(rows)
            state.last_row_id = rows[-1].id  # type: ignore[attr-defined]
            state.updated_at = utcnow()
            db.session.commit()  # the batch and its checkpoint together
            if progress:
                progress(table, scanned, state.rewritten)
        state.finished_at = utcnow()
        db.session.commit()
        per_table[table] = state.rewritten
    for model, names in encrypted_columns().items():
        swept = _sweep(model, names, target, batch_size)
        if swept:
            table = model.__tablename__  # type: ignore[attr-defined]
            per_table[table] = per_table.get(table, 0) + swept
            total += swept
    return RotationResult(target, total, per_table)


def _rewrite(row: object, names: list[str], target: str) -> int:
    """Re-encrypt the row's values not under `target`; return how many there were."""
    rewritten = 0
    for name in names:
        blob = getattr(row, f"{name}_enc")
        if blob is not None and key_id_of(blob) != target:
            # Reading decrypts with the old key; writing encrypts with the primary.
            setattr(row, name, getattr(row, name))
            rewritten += 1
    return rewritten


def _sweep(model: type, names: list[str], target: str, batch_size: int) -> int:
    """Rewrite the values of `model` not under `target` that the checkpointed pass missed."""
    columns = [getattr(model, f"{name}_enc") for name in names]
    stale = [
        row[0]
        for row in db.session.execute(select(model.id, *columns)).yield_per(2000)  # type: ignore[attr-defined]
        if any(blob is not None and key_id_of(blob) != target for blob in row[1:])
    ]
    rewritten = 0
    for start in range(0, len(stale), batch_size):
        chunk = stale[start : start + batch_size]
        for row in db.session.scalars(select(model).where(model.id.in_(chunk))):  # type: ignore[attr-defined]
            rewritten += _rewrite(row, names, target)
        db.session.commit()
    return rewritten


def count_values_under(key_id: str) -> int:
    """How many stored values still use `key_id` (0 means it can be removed)."""
    count = 0
    for model, names in encrypted_columns().items():
        columns = [getattr(model, f"{name}_enc") for name in names]
        for row in db.session.execute(select(*columns)).yield_per(2000):
            count += sum(1 for blob in row if blob is not None and key_id_of(blob) == key_id)
    return count
