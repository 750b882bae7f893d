"""Glue Studio entry for ``standardize_columns``: a thin binding over the glueforge DataFrame logic."""

try:
    from awsglue.dynamicframe import DynamicFrame
except ImportError:  # local run: glueforge's awsglue-compatible runtime
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame

from transforms.standardize_columns.logic import standardize_columns as _standardize


def _as_bool(value: object, default: bool) -> bool:
    # Glue Studio may pass checkbox values as strings.
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def standardize_columns(
    self: DynamicFrame, nameStyle: str = "snake", trimStrings: object = True, emptyAsNull: object = True
) -> DynamicFrame:
    df = _standardize(
        self.toDF(),
        name_style=(nameStyle or "snake"),
        trim_strings=_as_bool(trimStrings, True),
        empty_as_null=_as_bool(emptyAsNull, True),
    )
    return DynamicFrame.fromDF(df, self.glue_ctx, self.name)


DynamicFrame.standardize_columns = standardize_columns
