"""Local stand-in for AWS Glue's ``awsglue`` package (glueforge). Never installed as a top-level package:
``glueforge.glue_runtime.install_local_awsglue()`` puts it on ``sys.path`` only when no real awsglue exists."""

LOCAL_RUNTIME = True

from awsglue.dynamicframe import DynamicFrame  # noqa: E402 - Glue's package exports it too

__all__ = ["DynamicFrame"]
