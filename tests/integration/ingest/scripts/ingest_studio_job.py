# A Glue Studio-shaped job: a placeholder parent node feeding the incremental_jdbc_ingest custom transform.
import sys

import incremental_jdbc_ingest  # noqa: F401 - registers DynamicFrame.incremental_jdbc_ingest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "url", "table", "target"])
sc = SparkContext.getOrCreate()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Custom transforms take exactly one parent; the ingest ignores its frame.
Placeholder_node1 = DynamicFrame.fromDF(spark.createDataFrame([], "placeholder int"), glueContext, "Placeholder_node1")
# Studio renders every parameter value as a string.
Ingest_node2 = Placeholder_node1.incremental_jdbc_ingest(
    target_table=args["target"],
    cursor_column="updated_at",
    url=args["url"],
    table=args["table"],
    primary_keys="customer_id",
    lookback_seconds="60",
    partitions="0",
    null_cursor="raise",
    output="batch",
)
print("rows in batch:", Ingest_node2.count())
job.commit()
