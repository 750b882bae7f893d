"""The migration report: ``report.json`` (machines), ``report.md`` (people) and a DAG picture per job.

Mermaid goes into the Markdown; SVG is rendered with Graphviz ``dot`` when it is installed. Nothing
time-dependent is written, so re-running the same metadata gives byte-identical files.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from migration.dag import Nodes, node_fields, node_type
from migration.migrator import JobResult, write_json

STATUSES = ("migrated", "migrated_with_custom_nodes", "failed", "skipped")


def report_data(results: list[JobResult]) -> dict[str, Any]:
    totals: Counter[str] = Counter(r.status for r in results)
    histogram: Counter[str] = Counter()
    for result in results:
        histogram.update(result.node_types())
    return {
        "jobs": [r.summary() for r in results],
        "totals": {"jobs": len(results), **{s: totals.get(s, 0) for s in STATUSES}},
        "node_types": dict(sorted(histogram.items())),
    }


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(nodes: Nodes) -> str:
    lines = ["flowchart LR"]
    for node_id, node in nodes.items():
        kind, fields = node_type(node), node_fields(node)
        lines.append(f'    {node_id.replace("-", "_")}["{_label(kind)}<br/>{_label(str(fields.get("Name", "")))}"]')
    for node_id, node in nodes.items():
        for parent in node_fields(node).get("Inputs", []) or []:
            lines.append(f"    {parent.replace('-', '_')} --> {node_id.replace('-', '_')}")
    return "\n".join(lines)


def dot_source(nodes: Nodes) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph dag {", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="Helvetica"];']
    for node_id, node in nodes.items():
        label = f"{node_type(node)}\\n{node_fields(node).get('Name', '')}"
        lines.append(f"  {quoted(node_id)} [label={quoted(label).replace(chr(92) * 2 + 'n', chr(92) + 'n')}];")
    for node_id, node in nodes.items():
        for parent in node_fields(node).get("Inputs", []) or []:
            lines.append(f"  {quoted(parent)} -> {quoted(node_id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(nodes: Nodes, target: Path) -> bool:
    dot = shutil.which("dot")
    if dot is None:
        return False
    result = subprocess.run([dot, "-Tsvg"], input=dot_source(nodes), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.stdout, encoding="utf-8")
    return True


def markdown(data: dict[str, Any], results: list[JobResult], svgs: set[str]) -> str:
    totals = data["totals"]
    out = [
        "# EDLS migration report",
        "",
        f"{totals['jobs']} jobs: " + ", ".join(f"{totals[s]} {s}" for s in STATUSES),
        "",
        "| job | status | nodes | custom transforms | problems |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        problems = "<br>".join(p.replace("|", "\\|") for p in result.errors) or "-"
        out.append(
            f"| {result.job_name} | {result.status} | {len(result.nodes)} | "
            f"{', '.join(result.custom_transforms) or '-'} | {problems} |"
        )
    out += ["", "## Node types", "", "| node type | count |", "|---|---|"]
    out += [f"| {kind} | {count} |" for kind, count in data["node_types"].items()]
    warned = [r for r in results if r.warnings and r.status != "skipped"]
    if warned:
        out += ["", "## Warnings", ""]
        for result in warned:
            out += [f"- **{result.job_name}**: {w}" for w in result.warnings]
    out += ["", "## DAGs", ""]
    for result in results:
        if not result.nodes:
            continue
        out += [f"### {result.job_name}", ""]
        if result.job_name in svgs:
            out += [f"![{result.job_name}](dags/{result.job_name}.svg)", ""]
        out += ["```mermaid", mermaid(result.nodes), "```", ""]
    return "\n".join(out) + "\n"


def write_report(out: Path, results: list[JobResult], *, svg: bool) -> dict[str, Any]:
    data = report_data(results)
    svgs: set[str] = set()
    if svg:
        for result in results:
            if result.nodes and render_svg(result.nodes, out / "dags" / f"{result.job_name}.svg"):
                svgs.add(result.job_name)
    write_json(out / "report.json", data)
    (out / "report.md").write_text(markdown(data, results, svgs), encoding="utf-8")
    return data
