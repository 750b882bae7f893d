import json
import subprocess
import sys
from pathlib import Path

from glueforge import __version__
from glueforge.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[3]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glueforge", *args], capture_output=True, text=True, cwd=cwd or REPO, check=False
    )


def test_help_lists_every_command_without_importing_them():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout
    assert "pyspark" not in result.stderr


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_every_registered_command_imports():
    import click

    from glueforge.cli import cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None, name


def test_unknown_command_is_a_usage_error(capsys):
    assert _exit_code(lambda: main(["no-such-command"])) == 2
    assert "No such command" in capsys.readouterr().err


def test_transforms_validate_reports_problems_and_fails(tmp_path, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.json").write_text(json.dumps({"name": "broken", "functionName": "broken"}))
    assert main(["transforms", "validate", "--root", str(tmp_path)]) == 1
    assert "broken.py is missing" in capsys.readouterr().out


def test_transforms_validate_json_for_the_project(capsys):
    assert main(["transforms", "validate", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["standardize_columns"] == {"valid": True, "problems": []}


def test_user_error_is_one_line_and_exit_code_2(tmp_path):
    result = run_cli("transforms", "validate", "--root", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: no transforms found"]


def _exit_code(call) -> int:
    try:
        return int(call())
    except SystemExit as exc:
        return int(exc.code or 0)
