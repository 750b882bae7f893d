"""Glue Studio entry of the ``incremental_jdbc_ingest`` custom visual transform (thin binding).

The transform is a source in disguise: Glue gives every custom transform exactly one parent, so the job
wires a placeholder parent node whose frame is ignored. The logic lives in ``transforms.incremental_jdbc_ingest``.
"""

from typing import Any

try:
    from awsglue.dynamicframe import DynamicFrame
except ImportError:  # local run: glueforge's awsglue-compatible runtime
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame

from transforms.incremental_jdbc_ingest import apply


def incremental_jdbc_ingest(
    self: Any,
    target_table: str,
    cursor_column: str,
    connection_name: Any = None,
    url: Any = None,
    database_type: Any = None,
    user: Any = None,
    password_env: Any = None,
    password_secret_id: Any = None,
    table: Any = None,
    query: Any = None,
    primary_keys: Any = None,
    lookback_seconds: Any = None,
    upper_bound: Any = None,
    safety_lag_seconds: Any = None,
    fetch_size: Any = None,
    partitions: Any = None,
    hashfield: Any = None,
    null_cursor: Any = None,
    write_mode: Any = None,
    upsert_strategy: Any = None,
    compact_after_delete_files: Any = None,
    direct_read_max_rows: Any = None,
    delete_handling: Any = None,
    soft_delete_column: Any = None,
    state_store: Any = None,
    state_location: Any = None,
    state_key: Any = None,
    initial_watermark: Any = None,
    output: Any = None,
) -> Any:
    """Run one incremental batch; returns the rows read (or the target) as a DynamicFrame."""
    params = {
        "target_table": target_table,
        "cursor_column": cursor_column,
        "connection_name": connection_name,
        "url": url,
        "database_type": database_type,
        "user": user,
        "password_env": password_env,
        "password_secret_id": password_secret_id,
        "table": table,
        "query": query,
        "primary_keys": primary_keys,
        "lookback_seconds": lookback_seconds,
        "upper_bound": upper_bound,
        "safety_lag_seconds": safety_lag_seconds,
        "fetch_size": fetch_size,
        "partitions": partitions,
        "hashfield": hashfield,
        "null_cursor": null_cursor,
        "write_mode": write_mode,
        "upsert_strategy": upsert_strategy,
        "compact_after_delete_files": compact_after_delete_files,
        "direct_read_max_rows": direct_read_max_rows,
        "delete_handling": delete_handling,
        "soft_delete_column": soft_delete_column,
        "state_store": state_store,
        "state_location": state_location,
        "state_key": state_key,
        "initial_watermark": initial_watermark,
        "output": output,
    }
    # Glue may render every value as a string ("" for unset optionals): the typed options parse them.
    given = {name: value for name, value in params.items() if value is not None and value != ""}
    result = apply(self.toDF(), glue_context=self.glue_ctx, **given)
    return DynamicFrame.fromDF(result, self.glue_ctx, self.name)


DynamicFrame.incremental_jdbc_ingest = incremental_jdbc_ingest
