# ruff: noqa: F403, F405 - the star import is how Glue Studio writes scripts
# Reads a JDBC table through GlueContext.from_options and appends it to the catalog.
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(
    sys.argv, ["JOB_NAME", "connection_type", "url", "user", "dbtable", "target_database", "target_table"]
)
glueContext = GlueContext(SparkContext.getOrCreate())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

options = {"url": args["url"], "dbtable": args["dbtable"], "hashexpression": "id", "hashpartitions": "3"}
if args["user"] != "-":
    options["user"] = args["user"]
source = glueContext.create_dynamic_frame.from_options(
    connection_type=args["connection_type"], connection_options=options, transformation_ctx="source"
)
typed = ResolveChoice.apply(frame=source, specs=[("id", "cast:int")], transformation_ctx="typed")
glueContext.write_dynamic_frame.from_catalog(
    frame=typed, database=args["target_database"], table_name=args["target_table"]
)
job.commit()
