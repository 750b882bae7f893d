"""The transform as Glue Studio uses it: `import detect_pii` + a method call in a job script, run locally."""

from __future__ import annotations

from pathlib import Path

from glueforge.glue_runtime.runner import run_script
from glueforge.settings import load_settings
from transforms.detect_pii.actions import hmac_hex

ENTRY = Path(__file__).resolve().parents[3] / "transforms" / "detect_pii" / "detect_pii.py"
SCRIPT = """
import sys
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
import detect_pii  # noqa: F401  (Studio adds the transform's .py with --extra-py-files)

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path"])
glueContext = GlueContext(SparkContext.getOrCreate())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
source = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", format="csv", connection_options={"paths": [args["input_path"]]},
    format_options={"withHeader": True}, transformation_ctx="source")
masked = source.detect_pii(entityTypesToDetect=["EMAIL", "USA_SSN"], detectionMode="cell", action="HMAC",
                           sampleFraction="1.0", thresholdFraction="0.1", hmacKeyEnvVar="JOB_PII_KEY")
glueContext.write_dynamic_frame.from_options(
    frame=masked, connection_type="s3", format="parquet", connection_options={"path": args["output_path"]})
job.commit()
"""


def test_transform_runs_in_a_glue_script(lakehouse, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("JOB_PII_KEY", "job-key-0123456789abcdef")
    script = tmp_path / "mask_people.py"
    script.write_text(SCRIPT, encoding="utf-8")
    source = lakehouse.data_root / "bucket" / "in" / "people.csv"
    source.parent.mkdir(parents=True)
    source.write_text("id,email,notes\n1,ann@example.com,SSN 536-22-1234 on file\n2,,none\n", encoding="utf-8")
    settings = load_settings(warehouse=lakehouse.warehouse, data_root=lakehouse.data_root)
    run_script(
        script,
        [
            "--JOB_NAME",
            "mask_people",
            "--input_path",
            "s3://bucket/in/people.csv",
            "--output_path",
            "s3://bucket/out/people/",
            "--extra-py-files",
            str(ENTRY),
        ],
        settings=settings,
    )
    rows = {
        str(r["id"]): r for r in lakehouse.spark.read.parquet(str(lakehouse.data_root / "bucket/out/people")).collect()
    }
    key = b"job-key-0123456789abcdef"
    assert rows["1"]["email"] == hmac_hex(key, "ann@example.com")
    assert rows["1"]["notes"] == f"SSN {hmac_hex(key, '536-22-1234')} on file"
    assert rows["2"]["notes"] == "none"
