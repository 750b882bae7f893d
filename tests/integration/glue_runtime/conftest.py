"""Helpers for the local Glue runtime tests: settings bound to the per-test lakehouse, the scripts folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture
def glue_settings(lakehouse):  # type: ignore[no-untyped-def]
    from glueforge.settings import load_settings

    return load_settings(warehouse=lakehouse.warehouse, data_root=lakehouse.data_root)


@pytest.fixture
def glue_context(lakehouse, glue_settings):  # type: ignore[no-untyped-def]
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.context import GlueContext

    return GlueContext(lakehouse.spark.sparkContext, settings=glue_settings)
