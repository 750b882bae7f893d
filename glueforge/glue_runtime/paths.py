"""Where Glue's ``s3://bucket/key`` paths live on this machine: ``<data_root>/bucket/key``."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from glueforge.errors import InputError

S3_SCHEMES = ("s3://", "s3a://", "s3n://")


def is_s3_uri(path: str) -> bool:
    return path.lower().startswith(S3_SCHEMES)


def to_local_path(path: str, data_root: Path) -> Path:
    """Map ``s3://bucket/key`` (also ``s3a://``, ``s3n://``) to ``data_root/bucket/key``; other paths stay local.

    ``..`` segments are rejected so an S3 key can never point outside the data root.
    """
    text = str(path)
    if not is_s3_uri(text):
        return Path(text.removeprefix("file://")).expanduser()
    remainder = text.split("://", 1)[1]
    parts = [part for part in PurePosixPath(remainder).parts if part not in ("", "/")]
    if not parts:
        raise InputError(f"{text!r} names no bucket", where="s3 path")
    if ".." in parts:
        raise InputError(f"{text!r} contains '..'", where="s3 path")
    return data_root.expanduser().resolve().joinpath(*parts)
