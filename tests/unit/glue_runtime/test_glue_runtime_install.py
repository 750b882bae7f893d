"""install_local_awsglue() must never shadow a real awsglue (as on Glue); it must provide one when absent."""

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from glueforge.glue_runtime import install_local_awsglue
local = install_local_awsglue()
import awsglue
print(local, getattr(awsglue, "REAL", False), getattr(awsglue, "LOCAL_RUNTIME", False))
"""


def _probe(extra_path: Path | None) -> str:
    env_path = [str(extra_path)] if extra_path else []
    code = f"import sys; sys.path[:0] = {env_path!r}\n" + PROBE
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip()


def test_real_awsglue_wins(tmp_path: Path) -> None:
    fake = tmp_path / "glue_libs" / "awsglue"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("REAL = True\n")
    assert _probe(fake.parent) == "False True False"


def test_local_runtime_is_installed_when_no_real_one() -> None:
    assert _probe(None) == "True False True"


def test_wheel_has_no_top_level_awsglue() -> None:
    import glueforge.glue_runtime as runtime

    local_root = Path(runtime.__file__).parent / "_local"
    assert (local_root / "awsglue" / "__init__.py").is_file()
    assert not (local_root / "__init__.py").exists()  # not a package, so setuptools' find never picks it up as one
