"""Build the flat ``<name>.json`` + ``<name>.py`` pairs Glue Studio loads, plus the project wheel, and upload them."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glueforge.errors import EnvironmentProblem, SourceError, TransformSpecError
from glueforge.visual_transforms.registry import TransformPackage

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BuiltFile:
    path: Path
    key: str  # object key relative to the deploy prefix
    sha256: str


def build(packages: dict[str, TransformPackage], out: Path, *, wheel: bool = True) -> list[BuiltFile]:
    """Write every transform (all must be valid) and optionally the wheel; returns what was written."""
    invalid = {name: p.problems for name, p in packages.items() if not p.valid}
    if invalid:
        details = "; ".join(f"{name}: {' / '.join(problems)}" for name, problems in invalid.items())
        raise TransformSpecError(f"fix these before building: {details}", where="transforms build")
    out.mkdir(parents=True, exist_ok=True)
    built: list[BuiltFile] = []
    if wheel:  # first: the step that can fail for environmental reasons
        wheel_path = build_wheel(out / "wheels")
        built.append(BuiltFile(wheel_path, f"wheels/{wheel_path.name}", _sha256(wheel_path)))
    for _name, package in sorted(packages.items()):
        for source in (package.config_path, package.entry_path):
            target = out / source.name
            shutil.copyfile(source, target)
            built.append(BuiltFile(target, source.name, _sha256(target)))
    manifest = {"files": [{"key": f.key, "sha256": f.sha256} for f in built]}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return built


def project_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise EnvironmentProblem("the wheel can only be built from a source checkout of glueforge", where="build")
    return root


def build_wheel(out: Path) -> Path:
    """``pip wheel --no-deps`` of the project; built in a temp dir so a failed build leaves nothing behind."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as staging:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-q",
                "-w",
                staging,
                str(project_root()),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        wheels = list(Path(staging).glob("glueforge-*.whl"))
        if result.returncode != 0 or not wheels:
            raise EnvironmentProblem(f"wheel build failed: {result.stderr.strip()[-500:]}", where="build")
        target = out / wheels[0].name
        shutil.move(str(wheels[0]), target)
    return target


def glue_job_arguments(wheel_s3_uri: str, transform_py_uris: list[str]) -> dict[str, str]:
    """Job arguments that make a Glue job see the transforms and their logic.

    The wheel goes in ``--additional-python-modules`` with ``--no-deps`` so pip never replaces Glue's own
    PySpark; the transform ``.py`` files go in ``--extra-py-files``.
    """
    return {
        "--additional-python-modules": ",".join([wheel_s3_uri, "pydantic>=2.6,<3", "pydantic-settings>=2.3,<3"]),
        "--python-modules-installer-option": "--no-deps",
        "--extra-py-files": ",".join(transform_py_uris),
    }


def deploy(built: list[BuiltFile], client: S3Client, bucket: str, prefix: str = "transforms/") -> list[str]:
    """Upload every built file under ``s3://bucket/prefix``; returns the S3 URIs in upload order.

    Python files go before their JSON so Glue Studio never lists a transform whose code is not there yet.
    """
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    ordered = sorted(built, key=lambda f: (f.path.suffix == ".json", f.key))
    uris = []
    for item in ordered:
        key = prefix + item.key
        extra: dict[str, Any] = {"ContentType": _content_type(item.path)}
        try:
            with item.path.open("rb") as body:
                client.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        except Exception as exc:  # botocore ClientError/EndpointConnectionError: report, never half-silently
            raise SourceError(f"upload of {item.key} failed: {exc}", where=f"s3://{bucket}/{key}") from exc
        uris.append(f"s3://{bucket}/{key}")
    return uris


def _content_type(path: Path) -> str:
    return {".json": "application/json", ".py": "text/x-python"}.get(path.suffix, "application/octet-stream")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
