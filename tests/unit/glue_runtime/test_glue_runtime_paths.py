from pathlib import Path

import pytest

from glueforge.errors import InputError
from glueforge.glue_runtime.paths import is_s3_uri, to_local_path


@pytest.mark.parametrize("scheme", ["s3", "s3a", "s3n", "S3"])
def test_s3_schemes_map_under_data_root(tmp_path: Path, scheme: str) -> None:
    assert to_local_path(f"{scheme}://bucket/raw/orders/", tmp_path) == tmp_path.resolve() / "bucket" / "raw" / "orders"


def test_bucket_only_and_double_slashes(tmp_path: Path) -> None:
    assert to_local_path("s3://bucket", tmp_path) == tmp_path.resolve() / "bucket"
    assert to_local_path("s3://bucket//a//b.csv", tmp_path) == tmp_path.resolve() / "bucket" / "a" / "b.csv"


def test_local_paths_are_left_alone(tmp_path: Path) -> None:
    assert to_local_path("/data/x.csv", tmp_path) == Path("/data/x.csv")
    assert to_local_path("file:///data/x.csv", tmp_path) == Path("/data/x.csv")
    assert not is_s3_uri("/data/x.csv")


@pytest.mark.parametrize("bad", ["s3://", "s3://bucket/../../etc/passwd"])
def test_bad_s3_paths_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InputError):
        to_local_path(bad, tmp_path)
