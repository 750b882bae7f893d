"""`glueforge ingest state show|reset` with a file store: no JVM, one JSON line, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glueforge.cli import main


def test_file_store_show_and_reset_and_a_missing_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "state.json"
    args = ["--target", "bronze.orders", "--state-store", "file", "--state-location", str(store)]
    assert main(["ingest", "state", "show", *args]) == 0
    assert json.loads(capsys.readouterr().out.strip()) == {
        "target": "bronze.orders",
        "watermark": None,
        "origin": "none",
    }

    assert main(["ingest", "state", "reset", *args, "--to", "2026-01-01T00:00:00+00:00"]) == 0
    capsys.readouterr()
    assert main(["ingest", "state", "show", *args]) == 0
    assert json.loads(capsys.readouterr().out.strip())["watermark"] == "2026-01-01T00:00:00+00:00"

    with pytest.raises(SystemExit) as missing:
        main(["ingest", "state", "show", "--target", "bronze.orders", "--state-store", "file"])
    assert missing.value.code == 2
    assert "--state-store file needs --state-location" in capsys.readouterr().err
