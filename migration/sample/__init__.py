"""The EDLS sample metadata (copied from the shared contract, plus one job) and helpers to load it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
SCHEMA_SQL = SAMPLE_DIR / "schema.sql"
SAMPLE_SQL = SAMPLE_DIR / "sample.sql"


def sql_statements(path: Path) -> list[str]:
    """Statements of a SQL file: ``--`` comments dropped, ``;`` and ``--`` inside quoted strings respected."""
    text = path.read_text(encoding="utf-8")
    statements: list[str] = []
    current: list[str] = []
    quoted = comment = False
    index = 0
    while index < len(text):
        char = text[index]
        if comment:
            comment = char != "\n"
            if not comment:
                current.append(char)
        elif char == "'":
            quoted = not quoted
            current.append(char)
        elif not quoted and text.startswith("--", index):
            comment = True
        elif char == ";" and not quoted:
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def build_sqlite(path: Path, *sql_files: Path) -> Path:
    """A fresh SQLite metadata database at ``path`` from the schema and the given data files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as conn:
        for sql_file in (SCHEMA_SQL, *(sql_files or (SAMPLE_SQL,))):
            for statement in sql_statements(sql_file):
                conn.execute(statement)
    return path
