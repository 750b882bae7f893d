"""Glue Studio entry of the ``jdbc_upsert`` custom visual transform (thin binding): the logic lives in
``transforms.jdbc_upsert``."""

from typing import Any

try:
    from awsglue.dynamicframe import DynamicFrame
except ImportError:  # local run: glueforge's awsglue-compatible runtime
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame

from transforms.jdbc_upsert import apply


def jdbc_upsert(
    self: Any,
    table: str,
    primary_keys: str,
    connection_name: Any = None,
    url: Any = None,
    database_type: Any = None,
    user: Any = None,
    password_env: Any = None,
    password_secret_id: Any = None,
    write_partitions: Any = None,
) -> Any:
    """Upsert this frame's rows into ``table``; returns the frame unchanged."""
    params = {
        "table": table,
        "primary_keys": primary_keys,
        "connection_name": connection_name,
        "url": url,
        "database_type": database_type,
        "user": user,
        "password_env": password_env,
        "password_secret_id": password_secret_id,
        "write_partitions": write_partitions,
    }
    # Glue may render every value as a string ("" for unset optionals): the typed options parse them.
    apply(self.toDF(), glue_context=self.glue_ctx, **params)
    return self


DynamicFrame.jdbc_upsert = jdbc_upsert
