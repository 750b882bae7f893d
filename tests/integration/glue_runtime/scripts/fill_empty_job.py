# A Glue job that imports the custom transform module and calls its method on a DynamicFrame.
import sys

import fill_empty_values  # noqa: F401 - registers DynamicFrame.fill_empty_null_values_txn
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source_path", "target_database", "target_table", "fill_value"])
glueContext = GlueContext(SparkContext())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

people = glueContext.create_dynamic_frame.from_options(
    connection_type="s3",
    format="json",
    connection_options={"paths": [args["source_path"]]},
    transformation_ctx="people",
)
filled = people.fill_empty_null_values_txn("city", args["fill_value"])
glueContext.write_dynamic_frame.from_catalog(
    frame=filled, database=args["target_database"], table_name=args["target_table"]
)
job.commit()
