"""Where the next run finds the target's largest key without a scan: the current snapshot's summary, or a first
load's table property that names that very snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transforms.incremental_jdbc_ingest.state import MAX_KEY, noted_largest_key


@dataclass
class _Snapshot:
    id: int
    notes: dict[str, str] = field(default_factory=dict)

    def snapshotId(self) -> int:  # the Iceberg Java API spells them so
        return self.id

    def summary(self) -> dict[str, str]:
        return self.notes


@dataclass
class _Table:
    snapshot: _Snapshot | None
    props: dict[str, str] = field(default_factory=dict)

    def currentSnapshot(self) -> _Snapshot | None:
        return self.snapshot

    def properties(self) -> dict[str, str]:
        return self.props


def test_the_current_snapshots_own_note_wins() -> None:
    table: Any = _Table(_Snapshot(7, {MAX_KEY: "id=42"}), {MAX_KEY: "7:id=10"})
    assert noted_largest_key(table, "ID") == 42


def test_a_first_loads_property_counts_only_for_its_snapshot() -> None:
    assert noted_largest_key(_Table(_Snapshot(7), {MAX_KEY: "7:id=10"}), "id") == 10  # type: ignore[arg-type]
    # a later commit (a compaction, another writer) made another snapshot current: the note says nothing of it
    assert noted_largest_key(_Table(_Snapshot(8), {MAX_KEY: "7:id=10"}), "id") is None  # type: ignore[arg-type]


def test_no_note_another_column_or_no_snapshot_is_unknown() -> None:
    assert noted_largest_key(_Table(_Snapshot(7)), "id") is None  # type: ignore[arg-type]
    assert noted_largest_key(_Table(_Snapshot(7, {MAX_KEY: "other=5"})), "id") is None  # type: ignore[arg-type]
    assert noted_largest_key(_Table(None, {MAX_KEY: "7:id=10"}), "id") is None  # type: ignore[arg-type]
    assert noted_largest_key(_Table(_Snapshot(7, {MAX_KEY: "id=-3"})), "id") == -3  # type: ignore[arg-type]
