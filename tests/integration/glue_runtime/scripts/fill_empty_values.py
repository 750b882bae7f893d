# glueforge's own equivalent of the AWS sample custom visual transform that fills empty strings and nulls in a
# column; written as a Glue custom transform entry (a function set on DynamicFrame).
from pyspark.sql import functions as F

try:
    from awsglue.dynamicframe import DynamicFrame
except ImportError:  # local run: glueforge's awsglue-compatible runtime
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame


def fill_empty_null_values_txn(self, columnName, newValue):
    df = self.toDF()
    current = F.col(f"`{columnName}`")
    blank = current.isNull() | (F.trim(current.cast("string")) == "")
    filled = F.when(blank, F.lit(newValue)).otherwise(current)
    return DynamicFrame.fromDF(df.withColumn(columnName, filled), self.glue_ctx, self.name)


DynamicFrame.fill_empty_null_values_txn = fill_empty_null_values_txn
