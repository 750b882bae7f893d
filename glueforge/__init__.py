"""glueforge: build, test and migrate AWS Glue ETL on a laptop, on plain PySpark + Iceberg."""

__version__ = "0.1.0"
