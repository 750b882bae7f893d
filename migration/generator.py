"""Build legacy EDLS metadata in code: a small builder (tests) and a realistic bulk generator (benchmark).

The generator mixes every step type, fan-in joins, long chains and diamonds, plus a share of broken jobs
of every kind SCHEMA.md lists; each broken job records the problem it was given so a benchmark can
check the migrator reports exactly those.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migration.legacy_model import LegacyMetadata
from migration.reader import TABLES, assemble
from migration.sample import SCHEMA_SQL, sql_statements

CONNECTIONS = [
    {
        "connection_name": "sales_pg",
        "db_type": "postgresql",
        "jdbc_url": "jdbc:postgresql://sales-db:5432/sales",
        "secret_ref": "edls/sales_pg",
    },
    {
        "connection_name": "crm_mysql",
        "db_type": "mysql",
        "jdbc_url": "jdbc:mysql://crm-db:3306/crm",
        "secret_ref": "edls/crm_mysql",
    },
    {
        "connection_name": "erp_oracle",
        "db_type": "oracle",
        "jdbc_url": "jdbc:oracle:thin:@erp-db:1521/erp",
        "secret_ref": "edls/erp_oracle",
    },
]


@dataclass
class MetadataBuilder:
    """Rows of the four EDLS tables; ``job()`` / ``step()`` / ``edge()`` append to them."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})
    _next_step: int = 1

    def __post_init__(self) -> None:
        if not self.rows["edls_connection"]:
            self.rows["edls_connection"] = [dict(c) for c in CONNECTIONS]

    def job(self, job_id: int, name: str, *, active: bool = True, profile: str = "small", tenant: str = "sales") -> int:
        self.rows["edls_job"].append(
            {
                "job_id": job_id,
                "job_name": name,
                "tenant": tenant,
                "description": f"generated job {name}",
                "schedule_cron": "0 2 * * *",
                "is_active": int(active),
                "worker_profile": profile,
                "updated_at": "2024-01-01 00:00:00",
            }
        )
        return job_id

    def step(
        self,
        job_id: int,
        name: str,
        step_type: str,
        config: dict[str, Any] | str,
        order: int = 1,
        step_id: int | None = None,
    ) -> int:
        if step_id is None:
            step_id = job_id * 1000 + self._next_step
            self._next_step += 1
        text = config if isinstance(config, str) else json.dumps(config)
        self.rows["edls_job_step"].append(
            {
                "step_id": step_id,
                "job_id": job_id,
                "step_name": name,
                "step_type": step_type,
                "step_order": order,
                "config": text,
            }
        )
        return step_id

    def edge(self, step_id: int, depends_on: int, alias: str | None = None) -> None:
        self.rows["edls_step_dependency"].append(
            {"step_id": step_id, "depends_on_step_id": depends_on, "input_alias": alias}
        )

    def metadata(self) -> LegacyMetadata:
        return assemble(self.rows)

    def write_sqlite(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as conn:
            for statement in sql_statements(SCHEMA_SQL):
                conn.execute(statement)
            for table in TABLES:
                rows = self.rows[table]
                if rows:
                    columns = list(rows[0])
                    conn.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [tuple(r[c] for c in columns) for r in rows],
                    )
        return path


# ---- step configs ------------------------------------------------------------------------------------------


def file_ingest(path: str, fmt: str = "csv") -> dict[str, Any]:
    config: dict[str, Any] = {"source": {"type": "s3", "path": path}, "format": fmt}
    if fmt == "csv":
        config["options"] = {"delimiter": ",", "header": True, "quote": '"', "compression": None}
    return config


def db_ingest(connection: str = "sales_pg", table: str = "public.orders", incremental: bool = False) -> dict[str, Any]:
    config: dict[str, Any] = {"connection": connection, "table": table}
    if incremental:
        config["incremental"] = {"column": "updated_at", "primary_key": ["id"], "lookback_seconds": 60}
    return config


def dq(on_failure: str = "fail") -> dict[str, Any]:
    return {
        "rules": [
            {"type": "not_null", "column": "id"},
            {"type": "unique", "columns": ["id"]},
            {"type": "range", "column": "amount", "min": 0, "max": 1000},
            {"type": "regex", "column": "email", "pattern": "^[^@]+@[^@]+$"},
            {"type": "allowed_values", "column": "status", "values": ["NEW", "DONE"]},
            {"type": "row_count", "min": 1, "max": None},
            {"type": "freshness", "column": "updated_at", "max_age_hours": 48},
        ],
        "on_failure": on_failure,
    }


def transform(*ops: str) -> dict[str, Any]:
    catalog = {
        "rename": {"op": "rename", "from": "a", "to": "b"},
        "cast": {"op": "cast", "column": "amount", "type": "decimal(12,2)"},
        "drop": {"op": "drop", "columns": ["tmp"]},
        "select": {"op": "select", "columns": ["id", "amount", "status"]},
        "filter": {
            "op": "filter",
            "condition": {
                "any": [
                    {"column": "status", "operator": "eq", "value": "NEW"},
                    {"column": "amount", "operator": "gt", "value": 10},
                ]
            },
        },
        "filter_nested": {
            "op": "filter",
            "condition": {
                "all": [
                    {"column": "status", "operator": "in", "value": ["NEW", "DONE"]},
                    {
                        "any": [
                            {"column": "amount", "operator": "ge", "value": 1},
                            {"column": "note", "operator": "like", "value": "x%"},
                        ]
                    },
                ]
            },
        },
        "derive": {"op": "derive", "column": "amount_usd", "expression": "amount * 1.1"},
        "fill_null": {"op": "fill_null", "column": "country", "value": "US"},
        "dedupe": {"op": "dedupe", "columns": ["id"]},
        "aggregate": {
            "op": "aggregate",
            "group_by": ["status"],
            "aggs": [
                {"column": "amount", "func": "sum", "as": "total"},
                {"column": "id", "func": "count_distinct", "as": "ids"},
            ],
        },
        "mask_pii": {"op": "mask_pii", "columns": "auto", "action": "hash"},
    }
    return {"rules": [catalog[o] for o in ops]}


def persist(kind: str = "s3") -> dict[str, Any]:
    targets = {
        "s3": {
            "type": "s3",
            "path": "s3://curated/out/",
            "format": "parquet",
            "mode": "append",
            "partition_by": ["status"],
        },
        "iceberg": {"type": "iceberg", "database": "curated", "table": "t", "mode": "append"},
        "iceberg_merge": {"type": "iceberg", "database": "curated", "table": "t", "mode": "merge", "keys": ["id"]},
        "rds": {"type": "rds", "connection": "sales_pg", "table": "reporting.t", "mode": "append"},
    }
    return {"target": targets[kind]}


# ---- realistic bulk generation -----------------------------------------------------------------------------

BROKEN_KINDS = (
    "cycle",
    "cross_job",
    "dangling",
    "unknown_type",
    "bad_json",
    "unknown_rule_op",
    "duplicate_name",
    "unconsumed",
    "unknown_connection",
)
SHAPES = ("chain", "fan_in", "diamond", "long_chain", "incremental")


def generate(n_jobs: int, *, broken_share: float = 0.1, seed: int = 7) -> tuple[MetadataBuilder, dict[str, str]]:
    """``n_jobs`` jobs (job ids 1..n); returns the builder and {job name: broken kind} for the broken ones."""
    rng = random.Random(seed)
    builder = MetadataBuilder()
    broken: dict[str, str] = {}
    for job_id in range(1, n_jobs + 1):
        name = f"job_{job_id:05d}"
        builder.job(
            job_id,
            name,
            active=rng.random() > 0.03,
            profile=rng.choice(["small", "medium", "large"]),
            tenant=rng.choice(["sales", "crm", "finance", "hr"]),
        )
        last = _generate_shape(builder, job_id, rng.choice(SHAPES), rng)
        if rng.random() < broken_share:
            kind = BROKEN_KINDS[job_id % len(BROKEN_KINDS)]
            if kind == "cross_job" and job_id == 1:  # no other job's step exists yet
                kind = "dangling"
            _break(builder, job_id, last, kind)
            broken[name] = kind
    return builder, broken


def _chain(builder: MetadataBuilder, job_id: int, parent: int, length: int, rng: random.Random) -> int:
    ops = ["rename", "cast", "drop", "select", "filter", "filter_nested", "derive", "fill_null", "dedupe"]
    for index in range(length):
        if rng.random() < 0.3:
            step = builder.step(job_id, f"check_{index}", "DQ_CHECK", dq(rng.choice(["fail", "warn"])), index + 2)
        else:
            step = builder.step(
                job_id,
                f"transform_{index}",
                "DATA_TRANSFORM",
                transform(*rng.sample(ops, rng.randint(1, 4))),
                index + 2,
            )
        builder.edge(step, parent)
        parent = step
    return parent


def _generate_shape(builder: MetadataBuilder, job_id: int, shape: str, rng: random.Random) -> int:
    if shape == "incremental":
        source = builder.step(job_id, "ingest", "DB_INGEST", db_ingest(incremental=True))
        masked = builder.step(job_id, "mask", "DATA_TRANSFORM", transform("mask_pii"), 2)
        builder.edge(masked, source)
        last = _chain(builder, job_id, masked, rng.randint(1, 4), rng)
    elif shape in ("fan_in", "diamond"):
        inputs = []
        width = rng.randint(2, 4) if shape == "fan_in" else 2
        root = builder.step(job_id, "read_root", "FILE_INGEST", file_ingest("s3://raw/root/", "parquet"))
        for index in range(width):
            if shape == "diamond":
                branch = builder.step(job_id, f"branch_{index}", "DATA_TRANSFORM", transform("filter", "derive"), 2)
                builder.edge(branch, root)
            elif index == 0:
                branch = root
            else:
                branch = builder.step(
                    job_id,
                    f"read_{index}",
                    "DB_INGEST",
                    db_ingest(rng.choice(["sales_pg", "crm_mysql"]), f"s.t{index}"),
                )
            inputs.append(branch)
        if width == 2 and rng.random() < 0.5:
            config: dict[str, Any] = {
                "join_type": rng.choice(["inner", "left", "full", "left_anti"]),
                "left": "in_0",
                "right": "in_1",
                "keys": [{"left": "id", "right": "id"}],
            }
        else:
            config = {
                "sql": "SELECT * FROM "
                + " JOIN ".join(f"in_{i}" for i in range(width))
                + (" USING (id)" if width > 1 else "")
            }
        join = builder.step(job_id, "join", "TRANSFORM_JOIN", config, 3)
        for index, branch in enumerate(inputs):
            builder.edge(join, branch, f"in_{index}")
        last = _chain(builder, job_id, join, rng.randint(1, 5), rng)
    else:
        source = builder.step(job_id, "read", "FILE_INGEST", file_ingest("s3://raw/in/", rng.choice(["csv", "json"])))
        last = _chain(builder, job_id, source, rng.randint(2, 6) if shape == "chain" else rng.randint(15, 35), rng)
    target = builder.step(
        job_id, "persist", "DATA_PERSISTENCE", persist(rng.choice(["s3", "iceberg", "iceberg_merge", "rds"])), 99
    )
    builder.edge(target, last)
    return target


def _break(builder: MetadataBuilder, job_id: int, last: int, kind: str) -> None:
    steps = [s for s in builder.rows["edls_job_step"] if s["job_id"] == job_id]
    first = steps[0]["step_id"]
    if kind == "cycle":
        builder.edge(first, last)
    elif kind == "cross_job":
        other = next(s["step_id"] for s in builder.rows["edls_job_step"] if s["job_id"] != job_id)
        builder.edge(last, other)
    elif kind == "dangling":
        builder.edge(last, 999_999_999)
    elif kind == "unknown_type":
        orphan = builder.step(job_id, "mystery", "SHELL_SCRIPT", {"cmd": "echo"}, 50)
        builder.edge(last, orphan)
    elif kind == "bad_json":
        steps[-1]["config"] = '{"target": {"type": "s3", '
    elif kind == "unknown_rule_op":
        rule = builder.step(job_id, "pivot_it", "DATA_TRANSFORM", {"rules": [{"op": "pivot", "column": "x"}]}, 50)
        dependency = next(d for d in builder.rows["edls_step_dependency"] if d["step_id"] == last)
        original = dependency["depends_on_step_id"]
        dependency["depends_on_step_id"] = rule
        builder.edge(rule, original)
    elif kind == "duplicate_name":
        steps[-1]["step_name"] = steps[0]["step_name"]
    elif kind == "unconsumed":
        builder.step(job_id, "dead_end", "FILE_INGEST", file_ingest("s3://raw/unused/"), 1)
    elif kind == "unknown_connection":
        orphan = builder.step(job_id, "read_missing_db", "DB_INGEST", db_ingest("nowhere_db", "x.y"), 1)
        join_free = builder.step(job_id, "write_missing", "DATA_PERSISTENCE", persist("s3"), 99)
        builder.edge(join_free, orphan)
