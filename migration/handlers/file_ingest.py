"""FILE_INGEST -> ``S3CsvSource`` / ``S3JsonSource`` / ``S3ParquetSource``; SFTP -> a custom transform if registered."""

from __future__ import annotations

from typing import Any

from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.legacy_model import FileIngestConfig

SEPARATORS = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab", "\u0001": "ctrla"}
QUOTES = {'"': "quote", "'": "single_quote", None: "disabled"}
SOURCE_NODES = {"csv": "S3CsvSource", "json": "S3JsonSource", "parquet": "S3ParquetSource"}
SFTP_TRANSFORM = "sftp_ingest"  # Glue has no SFTP node; a transform of this name is used once one exists


def output_schemas(config: FileIngestConfig) -> list[dict[str, Any]] | None:
    if not config.schema_:
        return None
    return [{"Columns": [{"Name": c.name, "Type": c.type} for c in config.schema_]}]


@handler("FILE_INGEST")
def file_ingest(ctx: StepContext) -> str:
    config = ctx.parse(FileIngestConfig)
    ctx.no_inputs()
    if config.source.type == "sftp":
        return sftp_ingest(ctx, config)
    if not config.source.path.startswith("s3://"):
        raise StepError(f"source.path {config.source.path!r} is not an s3:// URI")
    fields: dict[str, Any] = {"Name": ctx.name(), "Paths": [config.source.path], "Recurse": True}
    if config.format == "csv":
        options = config.options
        if options.delimiter not in SEPARATORS:
            raise StepError(f"csv delimiter {options.delimiter!r} has no Glue equivalent (use , ; | tab or \\u0001)")
        if options.quote not in QUOTES:
            raise StepError(f"csv quote {options.quote!r} has no Glue equivalent (use \" ' or null)")
        fields.update(
            Separator=SEPARATORS[options.delimiter], QuoteChar=QUOTES[options.quote], WithHeader=options.header
        )
        if options.compression:
            fields["CompressionType"] = options.compression
    elif config.format == "json" and config.options.compression:
        fields["CompressionType"] = config.options.compression
    if config.source.pattern and config.source.pattern not in ("*", "**"):
        ctx.warn(
            f"file pattern {config.source.pattern!r} is not expressible in a Glue S3 source: "
            "every file under the prefix is read"
        )
    schemas = output_schemas(config)
    if schemas:
        fields["OutputSchemas"] = schemas
    return ctx.add(SOURCE_NODES[config.format], fields)


def sftp_ingest(ctx: StepContext, config: FileIngestConfig) -> str:
    source = config.source
    if not ctx.custom.catalog.has(SFTP_TRANSFORM):
        raise StepError(
            f"SFTP sources have no native Glue node and no custom transform {SFTP_TRANSFORM!r} is registered"
        )
    placeholder = ctx.add(
        "S3CsvSource",
        {
            "Name": ctx.name("placeholder (SFTP read happens in the transform)"),
            "Paths": [f"s3://{ctx.options.script_bucket}/placeholders/empty/"],
            "Separator": "comma",
            "QuoteChar": "quote",
        },
    )
    return ctx.custom_node(
        SFTP_TRANSFORM,
        node_name=ctx.name(),
        input_id=placeholder,
        values={
            "host": source.host,
            "port": source.port,
            "path": source.path,
            "pattern": source.pattern,
            "secretId": source.secret_ref,
            "format": config.format,
        },
    )
