"""DynamicFrame, transforms and GlueContext I/O of the local runtime, on the shared Spark session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import Row

from glueforge.errors import InputError, NotFoundError


def _frame(glue_context: Any, rows: list[Row], name: str = "src", schema: str | None = None) -> Any:
    from awsglue.dynamicframe import DynamicFrame

    return DynamicFrame.fromDF(glue_context.spark_session.createDataFrame(rows, schema), glue_context, name)


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [r.asDict(recursive=True) for r in frame.toDF().collect()]


PEOPLE = [
    Row(id="1", name="Ann", address=Row(city="Berlin", zip="10115"), **{"a.b": "x"}),
    Row(id="2", name="Bob", address=Row(city="", zip=None), **{"a.b": "y"}),
    Row(id="x", name=None, address=None, **{"a.b": None}),
]


def test_apply_mapping_casts_renames_and_nests(glue_context: Any) -> None:
    from awsglue.transforms import ApplyMapping

    frame = _frame(glue_context, PEOPLE)
    mapped = ApplyMapping.apply(
        frame=frame,
        mappings=[
            ("id", "string", "person.id", "int"),
            ("address.city", "string", "city", "string"),
            ("`a.b`", "string", "ab", "string"),
            ("missing", "string", "gone", "string"),
        ],
        transformation_ctx="mapped",
    )
    assert mapped.name == "mapped"
    assert mapped.schema().simpleString() == "struct<person:struct<id:int>,city:string,ab:string>"
    assert _rows(mapped) == [
        {"person": {"id": 1}, "city": "Berlin", "ab": "x"},
        {"person": {"id": 2}, "city": "", "ab": "y"},
        {"person": {"id": None}, "city": None, "ab": None},
    ]


def test_field_operations(glue_context: Any) -> None:
    from awsglue.transforms import DropFields, RenameField, SelectFields

    frame = _frame(glue_context, PEOPLE)
    selected = SelectFields.apply(frame=frame, paths=["id", "address.city"])
    assert selected.schema().simpleString() == "struct<id:string,address:struct<city:string>>"
    assert _rows(selected)[2] == {"id": "x", "address": None}
    dropped = DropFields.apply(frame=frame, paths=["address.zip", "`a.b`", "not_there"])
    assert dropped.schema().simpleString() == "struct<id:string,name:string,address:struct<city:string>>"
    renamed = RenameField.apply(frame=frame, old_name="`a.b`", new_name="ab")
    assert "ab" in renamed.toDF().columns and "a.b" not in renamed.toDF().columns
    moved = frame.rename_field("address.city", "address.town")
    assert moved.schema()["address"].dataType.simpleString() == "struct<zip:string,town:string>"
    with pytest.raises(NotFoundError):
        frame.rename_field("nope", "x")


def test_resolve_choice_casts(glue_context: Any) -> None:
    from awsglue.transforms import ResolveChoice

    frame = _frame(glue_context, PEOPLE)
    resolved = ResolveChoice.apply(frame=frame, specs=[("id", "cast:long"), ("address.zip", "project:int")])
    assert resolved.schema()["id"].dataType.simpleString() == "bigint"
    assert [r["id"] for r in _rows(resolved)] == [1, 2, None]
    assert _rows(resolved)[0]["address"]["zip"] == 10115
    with pytest.raises(InputError):
        frame.resolveChoice(specs=[("id", "explode:int")])


def test_filter_map_and_drop_null_fields(glue_context: Any) -> None:
    from awsglue.transforms import DropNullFields, Filter, Map

    frame = _frame(glue_context, PEOPLE)
    kept = Filter.apply(frame=frame, f=lambda rec: rec["address"] is not None and rec["address"]["city"] != "")
    assert [r["id"] for r in _rows(kept)] == ["1"]

    def upper(rec: Any) -> Any:
        rec["name"] = (rec["name"] or "").upper()
        rec["name_length"] = len(rec["name"])
        del rec["a.b"]
        return rec

    mapped = Map.apply(frame=frame, f=upper)
    assert mapped.schema()["id"].dataType.simpleString() == "string"
    assert mapped.schema()["address"].dataType.simpleString() == "struct<city:string,zip:string>"
    assert [(r["name"], r["name_length"]) for r in _rows(mapped)] == [("ANN", 3), ("BOB", 3), ("", 0)]

    nulls = _frame(glue_context, [(1, None), (2, None)], schema="a int, b string")
    assert DropNullFields.apply(frame=nulls).toDF().columns == ["a"]


def test_join_and_collections(glue_context: Any) -> None:
    from awsglue.dynamicframe import DynamicFrameCollection
    from awsglue.transforms import Join, SelectFromCollection

    people = _frame(glue_context, [Row(id=1, name="Ann"), Row(id=2, name="Bob")])
    orders = _frame(
        glue_context, [Row(person_id=1, total=5.0), Row(person_id=1, total=7.0), Row(person_id=3, total=1.0)]
    )
    joined = Join.apply(frame1=people, frame2=orders, keys1=["id"], keys2=["person_id"])
    assert sorted((r["name"], r["total"]) for r in _rows(joined)) == [("Ann", 5.0), ("Ann", 7.0)]
    collection = DynamicFrameCollection({"people": people, "orders": orders}, glue_context)
    assert collection.keys() == ["people", "orders"]
    assert SelectFromCollection.apply(dfc=collection, key="orders").count() == 3
    assert collection["people"].count() == 2
    split = people.split_fields(["name"], "names", "ids")
    assert split.select("names").toDF().columns == ["name"] and split.select("ids").toDF().columns == ["id"]


def test_unknown_method_is_clear_and_custom_methods_still_bind(glue_context: Any) -> None:
    from awsglue.dynamicframe import DynamicFrame

    frame = _frame(glue_context, [Row(a=1)])
    with pytest.raises(AttributeError, match="not supported locally"):
        frame.relationalize  # noqa: B018
    DynamicFrame.gf_test_double = lambda self: DynamicFrame.fromDF(
        self.toDF().selectExpr("a * 2 AS a"), self.glue_ctx, "d"
    )
    try:
        assert _rows(frame.gf_test_double()) == [{"a": 2}]
    finally:
        del DynamicFrame.gf_test_double


def test_s3_csv_json_round_trip_and_catalog(glue_context: Any, lakehouse: Any) -> None:
    raw = lakehouse.data_root / "bucket" / "in"
    (raw / "sub").mkdir(parents=True)
    (raw / "sub" / "a.csv").write_text("k|v\n1|'x|y'\n2|'z'\n")
    src = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": ["s3://bucket/in/"], "recurse": True},
        format="csv",
        format_options={"withHeader": True, "separator": "|", "quoteChar": "'"},
    )
    assert sorted((r["k"], r["v"]) for r in _rows(src)) == [(1, "x|y"), (2, "z")]
    headerless = glue_context.create_dynamic_frame.from_options(
        "s3", {"paths": ["s3a://bucket/in/sub/a.csv"]}, format="csv", format_options={"separator": "|"}
    )
    assert headerless.toDF().columns == ["col0", "col1"]

    glue_context.write_dynamic_frame.from_options(
        frame=src, connection_type="s3", connection_options={"path": "s3://bucket/out/"}, format="json"
    )
    written = [
        json.loads(line)
        for f in sorted((lakehouse.data_root / "bucket" / "out").glob("*.json"))
        for line in f.read_text().splitlines()
    ]
    assert sorted(r["k"] for r in written) == [1, 2]

    glue_context.write_dynamic_frame.from_catalog(
        frame=src, database="gr_db", table_name="kv", additional_options={"partitionKeys": ["k"]}
    )
    glue_context.write_dynamic_frame.from_catalog(frame=src, database="gr_db", table_name="kv")
    back = glue_context.create_dynamic_frame.from_catalog(
        database="gr_db", table_name="kv", push_down_predicate="k = 1"
    )
    assert [r["v"] for r in _rows(back)] == ["x|y", "x|y"]
    assert glue_context.create_data_frame.from_catalog(database="gr_db", table_name="kv").count() == 4

    with pytest.raises(NotFoundError, match="s3://bucket/nothing"):
        glue_context.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/nothing"]}, format="json")
    with pytest.raises(NotFoundError, match=r"gr_db\.missing"):
        glue_context.create_dynamic_frame.from_catalog(database="gr_db", table_name="missing")
    with pytest.raises(InputError, match="unsupported format"):
        glue_context.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/in"]}, format="xml")


def test_sink_api_writes_files_and_catalog(glue_context: Any, lakehouse: Any, tmp_path: Path) -> None:
    frame = _frame(glue_context, [Row(id=1, day="d1"), Row(id=2, day="d2")])
    sink = glue_context.getSink(
        path="s3://lake/events/",
        connection_type="s3",
        updateBehavior="UPDATE_IN_DATABASE",
        partitionKeys=["day"],
        enableUpdateCatalog=True,
        transformation_ctx="sink",
    )
    sink.setCatalogInfo(catalogDatabase="gr_db", catalogTableName="events")
    sink.setFormat("glueparquet", compression="snappy")
    sink.writeFrame(frame)
    assert sorted(p.name for p in (lakehouse.data_root / "lake" / "events").glob("day=*")) == ["day=d1", "day=d2"]
    assert glue_context.create_data_frame.from_catalog(database="gr_db", table_name="events").count() == 2
