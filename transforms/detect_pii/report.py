"""Per-table PII report as JSON and Markdown: counts, shares and actions only, never a raw value."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.detect_pii.detect import ColumnScan


@dataclass
class ColumnReport:
    name: str
    data_type: str
    scanned: bool
    sample_count: int
    entities: list[str]
    action: str
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PiiReport:
    table: str
    mode: str
    action: str
    sample_fraction: float
    threshold: float
    columns: list[ColumnReport]

    @property
    def pii_columns(self) -> dict[str, list[str]]:
        return {c.name: c.entities for c in self.columns if c.entities}

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "mode": self.mode,
            "action": self.action,
            "sample_fraction": self.sample_fraction,
            "threshold": self.threshold,
            "pii_columns": self.pii_columns,
            "columns": [
                {
                    "name": c.name,
                    "type": c.data_type,
                    "entities": c.entities,
                    "action": c.action,
                    "scanned": c.scanned,
                    "sample_count": c.sample_count,
                    "findings": c.findings,
                }
                for c in self.columns
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_markdown(self) -> str:
        lines = [
            f"# PII report: {self.table}",
            "",
            f"- mode: `{self.mode}`; default action: `{self.action}`",
            f"- sample fraction: {self.sample_fraction}; detection threshold: {self.threshold}",
            f"- PII columns: {len(self.pii_columns)} of {len(self.columns)}",
            "",
            "| column | type | entities | action | share | confidence | context | sampled |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for column in self.columns:
            flagged = [f for f in column.findings if f["flagged"]]
            share = ", ".join(f"{f['share']:.2f}" for f in flagged) or "-"
            confidence = ", ".join(f"{f['confidence']:.2f}" for f in flagged) or "-"
            context = ", ".join(sorted({f["context"] for f in flagged})) or "-"
            scanned = str(column.sample_count) if column.scanned else "not scanned"
            lines.append(
                f"| {column.name} | {column.data_type} | {', '.join(column.entities) or '-'} | "
                f"{column.action if column.entities else '-'} | {share} | {confidence} | {context} | {scanned} |"
            )
        lines += [
            "",
            "Shares are the fraction of sampled non-empty values holding the entity. "
            "No sampled value is ever written to this report.",
            "",
        ]
        return "\n".join(lines)

    def write(self, json_path: Path) -> Path:
        """Write ``json_path`` and the Markdown next to it (``.md``); atomic per file. Returns the .md path."""
        markdown_path = json_path.with_suffix(".md")
        _atomic_write(json_path, self.to_json())
        _atomic_write(markdown_path, self.to_markdown())
        return markdown_path


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(temp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
    os.replace(temp, path)


# What the column name contributed, as reported; ``column-values``: flagged by a column rule (values alone).
CONTEXT_LABELS = {
    "raise": "column-name",
    "neutral": "none",
    "veto": "veto",
    "soft_veto": "decoy-name",
    "column-values": "column-values",
}


def build_report(
    table: str,
    scans: dict[str, ColumnScan],
    actions: dict[str, str],
    *,
    mode: str,
    action: str,
    sample_fraction: float,
    threshold: float,
    cell_entities: dict[str, list[str]] | None = None,
) -> PiiReport:
    columns = []
    for scan in scans.values():
        entities = scan.entities if cell_entities is None else cell_entities.get(scan.name, [])
        findings = [
            {
                "entity": f.entity,
                "flagged": f.flagged if cell_entities is None else f.entity in entities,
                "share": round(f.share, 4),
                "matches": f.matches,
                "confidence": f.confidence,
                "context": CONTEXT_LABELS[f.context],
                "vetoed_by_values": f.vetoed_by_values,
            }
            for f in scan.findings
        ]
        columns.append(
            ColumnReport(
                scan.name,
                scan.data_type,
                scan.scanned,
                scan.sample_count,
                entities,
                actions.get(scan.name, "DETECT"),
                findings,
            )
        )
    return PiiReport(table, mode, action, sample_fraction, threshold, columns)
