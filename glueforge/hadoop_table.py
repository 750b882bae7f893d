"""An Iceberg table of a local ``hadoop`` catalog, read and committed to from Python, without the JVM.

A hadoop-catalog table is files only: ``metadata/vN.metadata.json`` (the newest N is the current version),
``version-hint.text`` (a hint to N), and the Avro manifest lists and manifests the metadata points to. A small
commit through Iceberg's Java API in a fresh JVM spends most of its time running Iceberg's code for the first
time (a tenth of a second or more on two cores, for a commit that writes a few kilobytes); here the same commit
is a few Avro and JSON writes.

What is written is what Iceberg 1.9's Java writer writes for a format-v2 ``RowDelta`` on an unpartitioned
table: one manifest of the new data files and one of the new equality-delete files (their entries inherit the
commit's sequence number), a manifest list holding them and every manifest of the parent snapshot, and the next
``vN.metadata.json``. The commit point is creating that file with ``link(2)``, which fails when the name exists:
a concurrent commit makes this one fail (``CommitConflict``) instead of replacing it. Anything this module does
not write the way Iceberg would (partitioned or v1/v3 tables, compressed or relocated metadata, encryption)
is refused up front with ``NativeCommitUnavailable``, and the caller commits through Iceberg's Java API.

The version hint is updated after the commit point and is only a hint: Iceberg's readers look for newer
``vN.metadata.json`` files than the one it names.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

VERSION_HINT = "version-hint.text"
_MAX_PREVIOUS_VERSIONS = 100  # Iceberg's default write.metadata.previous-versions-max
_MIN_COUNT_TO_MERGE = "100"  # Iceberg's default commit.manifest.min-count-to-merge


class NativeCommitUnavailable(Exception):
    """This table cannot be committed to from Python (the message says why); commit through Iceberg's Java API."""


class CommitConflict(Exception):
    """Another commit landed on the table since it was read; nothing of this commit is visible."""


@dataclass
class FileMetrics:
    """What a data or delete file's entry in a manifest says about it (maps keyed by Iceberg field id; bounds in
    Iceberg's single-value serialisation)."""

    record_count: int
    column_sizes: dict[int, int] = field(default_factory=dict)
    value_counts: dict[int, int] = field(default_factory=dict)
    null_counts: dict[int, int] = field(default_factory=dict)
    lower_bounds: dict[int, bytes] = field(default_factory=dict)
    upper_bounds: dict[int, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentFile:
    """A Parquet data file, or an equality-delete file when ``equality_ids`` is set, with its metrics."""

    path: str
    size: int
    metrics: FileMetrics
    equality_ids: tuple[int, ...] = ()

    @property
    def is_delete(self) -> bool:
        return bool(self.equality_ids)

    @property
    def record_count(self) -> int:
        return self.metrics.record_count


# --- Avro schemas: Iceberg 1.9's v2 manifest entry (unpartitioned) and manifest list entry ------------------


def _optional(field_id: int, name: str, kind: Any) -> dict[str, Any]:
    return {"field-id": field_id, "name": name, "type": ["null", kind], "default": None}


def _int_map(field_id: int, name: str, key_id: int, value_kind: str) -> dict[str, Any]:
    entry = {
        "type": "record",
        "name": f"k{key_id}_v{key_id + 1}",
        "fields": [
            {"field-id": key_id, "name": "key", "type": "int"},
            {"field-id": key_id + 1, "name": "value", "type": value_kind},
        ],
    }
    return _optional(field_id, name, {"type": "array", "logicalType": "map", "items": entry})


MANIFEST_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "manifest_entry",
    "fields": [
        {"field-id": 0, "name": "status", "type": "int"},
        _optional(1, "snapshot_id", "long"),
        _optional(3, "sequence_number", "long"),
        _optional(4, "file_sequence_number", "long"),
        {
            "field-id": 2,
            "name": "data_file",
            "type": {
                "type": "record",
                "name": "r2",
                "fields": [
                    {"field-id": 134, "name": "content", "type": "int"},
                    {"field-id": 100, "name": "file_path", "type": "string"},
                    {"field-id": 101, "name": "file_format", "type": "string"},
                    {"field-id": 102, "name": "partition", "type": {"type": "record", "name": "r102", "fields": []}},
                    {"field-id": 103, "name": "record_count", "type": "long"},
                    {"field-id": 104, "name": "file_size_in_bytes", "type": "long"},
                    _int_map(108, "column_sizes", 117, "long"),
                    _int_map(109, "value_counts", 119, "long"),
                    _int_map(110, "null_value_counts", 121, "long"),
                    _int_map(137, "nan_value_counts", 138, "long"),
                    _int_map(125, "lower_bounds", 126, "bytes"),
                    _int_map(128, "upper_bounds", 129, "bytes"),
                    _optional(131, "key_metadata", "bytes"),
                    _optional(132, "split_offsets", {"type": "array", "element-id": 133, "items": "long"}),
                    _optional(135, "equality_ids", {"type": "array", "element-id": 136, "items": "int"}),
                    _optional(140, "sort_order_id", "int"),
                    _optional(143, "referenced_data_file", "string"),
                ],
            },
        },
    ],
}

MANIFEST_FILE_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "manifest_file",
    "fields": [
        {"field-id": 500, "name": "manifest_path", "type": "string"},
        {"field-id": 501, "name": "manifest_length", "type": "long"},
        {"field-id": 502, "name": "partition_spec_id", "type": "int"},
        {"field-id": 517, "name": "content", "type": "int"},
        {"field-id": 515, "name": "sequence_number", "type": "long"},
        {"field-id": 516, "name": "min_sequence_number", "type": "long"},
        {"field-id": 503, "name": "added_snapshot_id", "type": "long"},
        {"field-id": 504, "name": "added_files_count", "type": "int"},
        {"field-id": 505, "name": "existing_files_count", "type": "int"},
        {"field-id": 506, "name": "deleted_files_count", "type": "int"},
        {"field-id": 512, "name": "added_rows_count", "type": "long"},
        {"field-id": 513, "name": "existing_rows_count", "type": "long"},
        {"field-id": 514, "name": "deleted_rows_count", "type": "long"},
        _optional(
            507,
            "partitions",
            {
                "type": "array",
                "element-id": 508,
                "items": {
                    "type": "record",
                    "name": "r508",
                    "fields": [
                        {"field-id": 509, "name": "contains_null", "type": "boolean"},
                        _optional(518, "contains_nan", "boolean"),
                        _optional(510, "lower_bound", "bytes"),
                        _optional(511, "upper_bound", "bytes"),
                    ],
                },
            },
        ),
        _optional(519, "key_metadata", "bytes"),
    ],
}

_DATA, _EQUALITY_DELETES = 0, 2  # data_file.content
_ADDED = 1  # manifest_entry.status


def _entries(values: dict[int, Any]) -> list[dict[str, Any]] | None:
    return [{"key": k, "value": v} for k, v in sorted(values.items())] or None


# --- the table ------------------------------------------------------------------------------------------------


def version_of(name: str) -> int | None:
    """N of ``vN.metadata.json`` (``None`` for any other name)."""
    if not (name.startswith("v") and name.endswith(".metadata.json")):
        return None
    number = name[1 : -len(".metadata.json")]
    return int(number) if number.isdigit() else None


@dataclass
class HadoopTable:
    """One version of a hadoop-catalog table's metadata, as Iceberg's ``HadoopTableOperations`` finds it."""

    location: Path  # the table directory
    version: int
    metadata: dict[str, Any]

    @property
    def metadata_dir(self) -> Path:
        return self.location / "metadata"

    @property
    def metadata_file(self) -> Path:
        return self.metadata_dir / f"v{self.version}.metadata.json"

    def uri(self, path: Path) -> str:
        """``path`` spelled as the table spells its own files: with ``file:`` when its location has it."""
        return f"file:{path}" if str(self.metadata.get("location", "")).startswith("file:") else str(path)

    @property
    def manifest_dir(self) -> Path:
        """Where Iceberg writes this table's manifests: under the location its metadata names (the directory
        the catalog found it in, unless the table was copied elsewhere)."""
        return Path(str(self.metadata.get("location") or self.location).removeprefix("file:")) / "metadata"

    @classmethod
    def load(cls, location: str | Path) -> HadoopTable | None:
        """The current version of the table in ``location`` (``None``: no table there). The version hint is
        trusted only as a starting point: newer metadata files win, as in Iceberg."""
        root = Path(str(location).removeprefix("file:"))
        metadata_dir = root / "metadata"
        version: int | None = None
        with contextlib.suppress(OSError, ValueError):
            version = int((metadata_dir / VERSION_HINT).read_text().strip())
        if version is None or not (metadata_dir / f"v{version}.metadata.json").exists():
            try:
                found = [version_of(name) for name in os.listdir(metadata_dir)]
            except FileNotFoundError:
                return None
            numbers = [n for n in found if n is not None]
            if not numbers:
                if any(name.endswith(".gz.metadata.json") for name in os.listdir(metadata_dir)):
                    raise NativeCommitUnavailable("compressed metadata")
                return None
            version = max(numbers)
        while (metadata_dir / f"v{version + 1}.metadata.json").exists():
            version += 1
        if (metadata_dir / f"v{version + 1}.gz.metadata.json").exists():  # Iceberg reads either spelling
            raise NativeCommitUnavailable("compressed metadata")
        text = (metadata_dir / f"v{version}.metadata.json").read_text()
        return cls(root, version, json.loads(text))

    # What the metadata says ---------------------------------------------------------------------------------

    @property
    def properties(self) -> dict[str, str]:
        return dict(self.metadata.get("properties") or {})

    @property
    def current_snapshot_id(self) -> int | None:
        snapshot_id: Any = self.metadata.get("current-snapshot-id")
        return None if snapshot_id in (None, -1) else int(snapshot_id)

    def snapshot(self, snapshot_id: int | None) -> dict[str, Any] | None:
        if snapshot_id is None:
            return None
        return next((s for s in self.metadata.get("snapshots", []) if s["snapshot-id"] == snapshot_id), None)

    @property
    def current_snapshot(self) -> dict[str, Any] | None:
        return self.snapshot(self.current_snapshot_id)

    def ancestry(self) -> Iterator[dict[str, Any]]:
        """The current snapshot, then its parent, and so on while the parents are still in the metadata."""
        snapshot = self.current_snapshot
        while snapshot is not None:
            yield snapshot
            snapshot = self.snapshot(snapshot.get("parent-snapshot-id"))

    @property
    def schema(self) -> dict[str, Any]:
        current = self.metadata.get("current-schema-id", 0)
        return next(s for s in self.metadata["schemas"] if s.get("schema-id", 0) == current)

    @property
    def data_location(self) -> Path:
        configured = self.properties.get("write.data.path")
        return Path(configured.removeprefix("file:")) if configured else self.location / "data"

    def manifests(self, snapshot: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The manifest list entries of ``snapshot`` (the current one by default)."""
        snapshot = snapshot if snapshot is not None else self.current_snapshot
        if snapshot is None:
            return []
        if not snapshot.get("manifest-list"):  # only v1 tables list manifests in the metadata: refused
            raise NativeCommitUnavailable("the snapshot has no manifest list")
        return list(_manifest_list(str(snapshot["manifest-list"])))

    def manifests_to_merge(self) -> int | None:
        """How many data (or delete) manifests the current snapshot has when Iceberg's Java commit of one more
        would merge them (``commit.manifest-merge.enabled``, at least ``commit.manifest.min-count-to-merge``
        manifests of one content after the commit), else ``None``. This module never merges manifests: such a
        commit is one for Iceberg's Java API."""
        properties = self.properties
        if properties.get("commit.manifest-merge.enabled", "true").lower() != "true":
            return None
        threshold = int(properties.get("commit.manifest.min-count-to-merge", _MIN_COUNT_TO_MERGE))
        contents = [int(m.get("content", 0)) for m in self.manifests()]
        largest = max(contents.count(0), contents.count(1))
        return largest if largest + 1 >= threshold else None

    def unsupported_reason(self) -> str | None:
        """Why this table cannot be committed to from Python (``None``: it can)."""
        metadata, properties = self.metadata, self.properties
        spec_id = metadata.get("default-spec-id", 0)
        spec = next((s for s in metadata.get("partition-specs", []) if s.get("spec-id") == spec_id), None)
        reasons = [
            (metadata.get("format-version") != 2, f"format version {metadata.get('format-version')} (not 2)"),
            (spec is None or bool(spec.get("fields")), "a partitioned table"),
            (self.current_snapshot is None, "no snapshot yet"),
            (
                properties.get("write.metadata.compression-codec", "none").lower() not in ("none", ""),
                "compressed metadata",
            ),
            ("write.metadata.path" in properties, "metadata outside the table directory"),
            (properties.get("write.format.default", "parquet").lower() != "parquet", "a non-Parquet file format"),
            (bool(metadata.get("encryption-keys")), "an encrypted table"),
            (
                (metadata.get("refs") or {}).get("main", {}).get("snapshot-id") != self.current_snapshot_id,
                "the main branch is not the current snapshot",
            ),
        ]
        return next((why for failed, why in reasons if failed), None)

    # The commit ---------------------------------------------------------------------------------------------

    def commit_row_delta(self, files: list[ContentFile], properties: dict[str, str]) -> int:
        """Commit ``files`` (data and equality-delete files) as one new snapshot on top of this version, with
        ``properties`` in its summary. Returns the new snapshot id. ``CommitConflict`` when another commit
        made the next version first; ``NativeCommitUnavailable`` for a table ``unsupported_reason`` refuses.
        Files it wrote are removed again unless the commit landed."""
        why = self.unsupported_reason()
        if why:
            raise NativeCommitUnavailable(why)
        parent = self.current_snapshot
        assert parent is not None  # unsupported_reason refuses a table without one
        snapshot_id = self._new_snapshot_id()
        sequence = int(self.metadata.get("last-sequence-number", 0)) + 1
        commit_uuid = uuid.uuid4()
        written: list[Path] = []
        try:
            manifests = [
                self._write_manifest(kind, chosen, snapshot_id, sequence, f"{commit_uuid}-m{index}.avro", written)
                for index, (kind, chosen) in enumerate(
                    (kind, chosen)
                    for kind, chosen in (
                        ("data", [f for f in files if not f.is_delete]),
                        ("deletes", [f for f in files if f.is_delete]),
                    )
                    if chosen
                )
            ]
            manifest_list = self.manifest_dir / f"snap-{snapshot_id}-1-{commit_uuid}.avro"
            self._write_manifest_list(manifest_list, manifests, parent, snapshot_id, sequence, written)
            # never before the table's last change: Iceberg expects its snapshot and metadata logs in order
            now = max(int(time.time() * 1000), int(self.metadata.get("last-updated-ms", 0)))
            snapshot = {
                "sequence-number": sequence,
                "snapshot-id": snapshot_id,
                "parent-snapshot-id": parent["snapshot-id"],
                "timestamp-ms": now,
                "summary": {"operation": _operation(files), **properties, **_summary(files, parent)},
                "manifest-list": self.uri(manifest_list),
                "schema-id": self.metadata.get("current-schema-id", 0),
            }
            self._publish(self._next_metadata(snapshot, now), written)
        except BaseException:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        return snapshot_id

    def _new_snapshot_id(self) -> int:
        taken = {s["snapshot-id"] for s in self.metadata.get("snapshots", [])}
        while True:
            candidate = secrets.randbits(63)  # positive, as Iceberg's ids are
            if candidate and candidate not in taken:
                return candidate

    def _write_manifest(
        self,
        content: str,
        files: list[ContentFile],
        snapshot_id: int,
        sequence: int,
        name: str,
        written: list[Path],
    ) -> dict[str, Any]:
        import fastavro

        schema = self.schema
        entries: list[dict[str, Any]] = [
            {
                "status": _ADDED,
                "snapshot_id": snapshot_id,
                "sequence_number": None,  # added entries inherit the commit's sequence number
                "file_sequence_number": None,
                "data_file": {
                    "content": _EQUALITY_DELETES if f.is_delete else _DATA,
                    "file_path": f.path,
                    "file_format": "PARQUET",
                    "partition": {},
                    "record_count": f.record_count,
                    "file_size_in_bytes": f.size,
                    "column_sizes": _entries(f.metrics.column_sizes),
                    "value_counts": _entries(f.metrics.value_counts),
                    "null_value_counts": _entries(f.metrics.null_counts),
                    "nan_value_counts": None,
                    "lower_bounds": _entries(f.metrics.lower_bounds),
                    "upper_bounds": _entries(f.metrics.upper_bounds),
                    "key_metadata": None,
                    "split_offsets": None,
                    "equality_ids": list(f.equality_ids) or None,
                    "sort_order_id": None,
                    "referenced_data_file": None,
                },
            }
            for f in files
        ]
        metadata = {
            "schema": json.dumps(schema, separators=(",", ":")),
            "schema-id": str(schema.get("schema-id", 0)),
            "partition-spec": "[]",
            "partition-spec-id": str(self.metadata.get("default-spec-id", 0)),
            "format-version": "2",
            "content": content,
        }
        path = self.manifest_dir / name
        size = _write_avro(path, MANIFEST_ENTRY_SCHEMA, entries, metadata, written, fastavro)
        return {
            "manifest_path": self.uri(path),
            "manifest_length": size,
            "partition_spec_id": self.metadata.get("default-spec-id", 0),
            "content": 1 if content == "deletes" else 0,
            "sequence_number": sequence,
            "min_sequence_number": sequence,
            "added_snapshot_id": snapshot_id,
            "added_files_count": len(files),
            "existing_files_count": 0,
            "deleted_files_count": 0,
            "added_rows_count": sum(f.record_count for f in files),
            "existing_rows_count": 0,
            "deleted_rows_count": 0,
            "partitions": [],
            "key_metadata": None,
        }

    def _write_manifest_list(
        self,
        path: Path,
        manifests: list[dict[str, Any]],
        parent: dict[str, Any],
        snapshot_id: int,
        sequence: int,
        written: list[Path],
    ) -> None:
        import fastavro

        inherited = self.manifests(parent)
        metadata = {
            "snapshot-id": str(snapshot_id),
            "parent-snapshot-id": str(parent["snapshot-id"]),
            "sequence-number": str(sequence),
            "format-version": "2",
        }
        _write_avro(path, MANIFEST_FILE_SCHEMA, [*manifests, *inherited], metadata, written, fastavro)

    def _next_metadata(self, snapshot: dict[str, Any], now: int) -> dict[str, Any]:
        metadata = copy.deepcopy(self.metadata)
        metadata["last-sequence-number"] = snapshot["sequence-number"]
        metadata["last-updated-ms"] = now
        metadata["current-snapshot-id"] = snapshot["snapshot-id"]
        metadata["snapshots"] = [*metadata.get("snapshots", []), snapshot]
        metadata.setdefault("refs", {})["main"] = {"snapshot-id": snapshot["snapshot-id"], "type": "branch"}
        metadata["snapshot-log"] = [
            *metadata.get("snapshot-log", []),
            {"timestamp-ms": now, "snapshot-id": snapshot["snapshot-id"]},
        ]
        kept = int(self.properties.get("write.metadata.previous-versions-max", _MAX_PREVIOUS_VERSIONS))
        log = [
            *metadata.get("metadata-log", []),
            {"timestamp-ms": self.metadata.get("last-updated-ms", now), "metadata-file": self.uri(self.metadata_file)},
        ]
        metadata["metadata-log"] = log[-kept:] if kept > 0 else []
        return metadata

    def _publish(self, metadata: dict[str, Any], written: list[Path]) -> None:
        """The commit point: the next version's metadata file appears whole, or not at all if it exists."""
        temporary = self.metadata_dir / f"{uuid.uuid4()}.metadata.json"
        written.append(temporary)
        temporary.write_text(json.dumps(metadata, separators=(",", ":")))
        final = self.metadata_dir / f"v{self.version + 1}.metadata.json"
        try:
            os.link(temporary, final)
        except FileExistsError:
            raise CommitConflict(
                f"version {self.version + 1} of {self.location} was committed by another writer"
            ) from None
        written.clear()  # from here on the commit stands: none of its files may be removed
        with contextlib.suppress(OSError):
            temporary.unlink()
        dropped = {entry["metadata-file"] for entry in self.metadata.get("metadata-log", [])}
        self.version += 1
        self.metadata = metadata
        self._write_version_hint()
        if self.properties.get("write.metadata.delete-after-commit.enabled", "false").lower() == "true":
            self._delete_dropped_metadata(dropped)

    def _write_version_hint(self) -> None:
        """Best effort: readers look past a stale hint. Hadoop's checksum of the old hint is removed first (a
        checksum that no longer matches would fail Hadoop's read of the new one)."""
        with contextlib.suppress(OSError):
            (self.metadata_dir / f".{VERSION_HINT}.crc").unlink(missing_ok=True)
            temporary = self.metadata_dir / f".{uuid.uuid4()}-version-hint.temp"
            temporary.write_text(str(self.version))
            os.replace(temporary, self.metadata_dir / VERSION_HINT)

    def _delete_dropped_metadata(self, logged_before: set[str]) -> None:
        """``write.metadata.delete-after-commit.enabled``: delete the metadata files that fell off the log."""
        kept = {entry["metadata-file"] for entry in self.metadata.get("metadata-log", [])}
        for name in logged_before - kept:
            with contextlib.suppress(OSError):
                Path(name.removeprefix("file:")).unlink()


@functools.lru_cache(maxsize=16)
def _manifest_list(path: str) -> tuple[dict[str, Any], ...]:
    """A manifest list's entries; read once per process (a written manifest list never changes, and a run reads
    its parent's twice: for the merge check and for the commit)."""
    import fastavro

    with open(path.removeprefix("file:"), "rb") as handle:
        return tuple(cast(list[dict[str, Any]], list(fastavro.reader(handle))))


def _write_avro(
    path: Path,
    schema: dict[str, Any],
    records: list[dict[str, Any]],
    metadata: dict[str, str],
    written: list[Path],
    fastavro: Any,
) -> int:
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(schema), records, codec="deflate", metadata=metadata)
    content = buffer.getvalue()
    written.append(path)
    with open(path, "xb") as handle:  # a fresh name: never overwrite a file of the table
        handle.write(content)
    return len(content)


def _operation(files: list[ContentFile]) -> str:
    deletes, data = any(f.is_delete for f in files), any(not f.is_delete for f in files)
    if deletes and data:
        return "overwrite"
    return "delete" if deletes else "append"


def _summary(files: list[ContentFile], parent: dict[str, Any]) -> dict[str, str]:
    """The added-* and total-* counts Iceberg puts in a snapshot summary (totals only where the parent has them)."""
    data = [f for f in files if not f.is_delete]
    deletes = [f for f in files if f.is_delete]
    added = {
        "added-data-files": len(data),
        "added-equality-delete-files": len(deletes),
        "added-delete-files": len(deletes),
        "added-records": sum(f.record_count for f in data),
        "added-files-size": sum(f.size for f in files),
        "added-equality-deletes": sum(f.record_count for f in deletes),
        "changed-partition-count": 1 if files else 0,
    }
    summary = {name: str(value) for name, value in added.items() if value or name == "changed-partition-count"}
    previous = parent.get("summary") or {}
    totals = {
        "total-records": added["added-records"],
        "total-files-size": added["added-files-size"],
        "total-data-files": added["added-data-files"],
        "total-delete-files": added["added-delete-files"],
        "total-position-deletes": 0,
        "total-equality-deletes": added["added-equality-deletes"],
    }
    for name, increase in totals.items():
        if str(previous.get(name, "")).isdigit():
            summary[name] = str(int(previous[name]) + increase)
    return summary
