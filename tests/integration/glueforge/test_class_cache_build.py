"""Building the JVM class archive for real, then starting a session that must map it (``-Xshare:on``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from glueforge import local_fs

REPO = Path(__file__).resolve().parents[3]

SESSION_WITH_SHARING_REQUIRED = """
from glueforge.session import get_spark, local_spark_conf
from glueforge.settings import load_settings
settings = load_settings(warehouse={warehouse!r})
options = local_spark_conf(settings)["spark.driver.extraJavaOptions"]
assert "-XX:SharedArchiveFile=" in options, options
# -Xshare:on makes the JVM refuse to start when it cannot map the archive.
required = options.replace("-Xshare:auto", "-Xshare:on")
spark = get_spark(settings.model_copy(update={{"spark_conf": {{"spark.driver.extraJavaOptions": required}}}}))
print("rows", spark.range(5).count())
"""


def test_build_writes_a_whole_archive_that_a_new_session_maps(tmp_path: Path) -> None:
    env = {**os.environ, "GLUEFORGE_CACHE_DIR": str(tmp_path / "cache")}
    built = subprocess.run(
        [sys.executable, "-m", "glueforge.class_cache"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr[-2000:]
    built_files = sorted((tmp_path / "cache" / "jvm").iterdir(), key=lambda p: p.suffix)
    # the local file system's jar (first: it is on the classpath the archive is for; it needs javac) and the
    # archive; no partial file
    assert [p.suffix for p in built_files] == ([".jar", ".jsa"] if local_fs.find_javac() else [".jsa"])
    assert built_files[-1].stat().st_size > 10 * 2**20
    assert "JVM class cache:" in built.stdout

    script = SESSION_WITH_SHARING_REQUIRED.format(warehouse=str(tmp_path / "wh"))
    session = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert session.returncode == 0, session.stderr[-2000:]
    assert "rows 5" in session.stdout
