"""getResolvedOptions, job argv and the small pure helpers of the local Glue runtime."""

from pathlib import Path

import pytest

from glueforge.glue_runtime import install_local_awsglue

install_local_awsglue()

from awsglue.utils import GlueArgumentError, getResolvedOptions  # noqa: E402

from glueforge.errors import ConfigError, InputError  # noqa: E402
from glueforge.glue_runtime.fieldpaths import split_path  # noqa: E402
from glueforge.glue_runtime.gluetypes import spark_type  # noqa: E402
from glueforge.glue_runtime.jdbc import hash_predicates, redact_url, resolve_target  # noqa: E402
from glueforge.glue_runtime.runner import job_argv  # noqa: E402
from glueforge.settings import load_settings  # noqa: E402


def test_resolves_requested_options_and_ignores_unknown_ones() -> None:
    argv = ["job.py", "--JOB_NAME", "orders", "--source", "s3://b/k", "--unrelated", "x", "--my-opt", "7"]
    args = getResolvedOptions(argv, ["JOB_NAME", "source", "my-opt"])
    assert args["JOB_NAME"] == "orders"
    assert args["source"] == "s3://b/k"
    assert args["my_opt"] == "7"  # Glue (argparse) turns dashes into underscores
    assert "unrelated" not in args
    assert args["job_bookmark_option"] == "job-bookmark-disable"


def test_missing_option_is_named() -> None:
    with pytest.raises(GlueArgumentError, match="--target"):
        getResolvedOptions(["job.py", "--JOB_NAME", "j"], ["JOB_NAME", "target"])


def test_abbreviations_are_rejected_and_reserved_names_refused() -> None:
    with pytest.raises(GlueArgumentError):
        getResolvedOptions(["job.py", "--sour", "x"], ["source"])
    with pytest.raises(RuntimeError, match="reserved"):
        getResolvedOptions(["job.py"], ["job-bookmark-option"])


def test_tempdir_and_continuation_follow_glue() -> None:
    args = getResolvedOptions(["job.py", "--TempDir", "s3://t/", "--continuation-option", "continuation-enabled"], [])
    assert args["RedshiftTempDir"] == "s3://t/"
    assert args["job_bookmark_option"] == "job-bookmark-enable"


def test_job_argv_adds_job_name_only_when_absent() -> None:
    assert job_argv(Path("/x/orders.py"), ["--a", "1"]) == ["/x/orders.py", "--a", "1", "--JOB_NAME", "orders"]
    assert job_argv(Path("/x/orders.py"), ["--JOB_NAME", "n"]) == ["/x/orders.py", "--JOB_NAME", "n"]


def test_field_paths_with_backticks() -> None:
    assert split_path("a.`b.c`.d") == ["a", "b.c", "d"]
    assert split_path("`x``y`") == ["x`y"]
    with pytest.raises(InputError):
        split_path("a.`b")


def test_glue_type_names() -> None:
    assert spark_type("int").simpleString() == "int"
    assert spark_type("bigint").simpleString() == "bigint"
    assert spark_type("decimal").simpleString() == "decimal(10,2)"
    assert spark_type("decimal(12, 4)").simpleString() == "decimal(12,4)"
    assert spark_type("struct") is None
    with pytest.raises(InputError, match="unknown Glue type"):
        spark_type("integr")


def test_jdbc_options_resolve_named_connection_and_redact() -> None:
    settings = load_settings(databases={"src": {"url": "jdbc:postgresql://h/db", "user": "u", "password": "pw"}})
    target = resolve_target("postgresql", {"connectionName": "src", "dbtable": "public.t"}, settings)
    assert (target.url, target.user, target.password, target.dbtable) == (
        "jdbc:postgresql://h/db",
        "u",
        "pw",
        "public.t",
    )
    assert "pw" not in target.label
    with pytest.raises(ConfigError, match="unknown connection"):
        resolve_target("jdbc", {"connectionName": "nope", "dbtable": "t"}, settings)
    with pytest.raises(InputError, match="dbtable"):
        resolve_target("jdbc", {"url": "jdbc:sqlite:x"}, settings)
    assert redact_url("jdbc:sqlserver://h;user=a;password=secret") == "jdbc:sqlserver://h;user=a;password=***"


def test_hash_partitions_become_predicates() -> None:
    predicates = hash_predicates({"hashexpression": "id", "hashpartitions": "3"}, "jdbc:postgresql://h/db")
    assert predicates == ["MOD(ABS(id), 3) = 0 OR (id) IS NULL", "MOD(ABS(id), 3) = 1", "MOD(ABS(id), 3) = 2"]
    assert hash_predicates({}, "jdbc:postgresql://h/db") is None


def test_extra_py_files_go_on_sys_path(tmp_path: Path) -> None:
    from glueforge.glue_runtime.runner import _extra_py_files

    args = ["--extra-py-files", "s3://libs/py/helpers.py,/opt/lib.zip", "--x", "1"]
    assert _extra_py_files(args, tmp_path) == [str(tmp_path.resolve() / "libs" / "py"), "/opt/lib.zip"]
    assert _extra_py_files(["--x", "1"], tmp_path) == []


def test_worker_errors_are_summarised_in_one_line() -> None:
    from glueforge.glue_runtime.runner import _summary

    class PythonException(Exception):  # same name as pyspark's, raised for errors inside Spark's Python workers
        pass

    worker = PythonException("\n  An exception was thrown from the Python worker.\nTraceback ...\nKeyError: 'amount'\n")
    assert _summary(worker) == "KeyError: 'amount' (in a Spark Python worker)"
    assert _summary(ValueError("bad value\nmore")) == "ValueError: bad value"
