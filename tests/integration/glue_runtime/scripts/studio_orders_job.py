# ruff: noqa: F403, F405 - the star import is how Glue Studio writes scripts
# A job in the shape Glue Studio generates: CSV from S3 -> ApplyMapping -> Filter -> S3 parquet + Data Catalog.
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source_path", "target_path", "target_database", "target_table"])
sc = SparkContext.getOrCreate()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Script generated for node Amazon S3
AmazonS3_node1 = glueContext.create_dynamic_frame.from_options(
    format_options={"quoteChar": '"', "withHeader": True, "separator": ",", "optimizePerformance": False},
    connection_type="s3",
    format="csv",
    connection_options={"paths": [args["source_path"]], "recurse": True},
    transformation_ctx="AmazonS3_node1",
)

# Script generated for node Change Schema
ChangeSchema_node2 = ApplyMapping.apply(
    frame=AmazonS3_node1,
    mappings=[
        ("order_id", "string", "order_id", "int"),
        ("customer", "string", "customer_name", "string"),
        ("amount", "string", "amount", "double"),
        ("country", "string", "country", "string"),
    ],
    transformation_ctx="ChangeSchema_node2",
)

# Script generated for node Filter
Filter_node3 = Filter.apply(
    frame=ChangeSchema_node2,
    f=lambda row: row["amount"] is not None and row["amount"] >= 10.0,
    transformation_ctx="Filter_node3",
)

# Script generated for node Amazon S3
AmazonS3_node4 = glueContext.write_dynamic_frame.from_options(
    frame=Filter_node3,
    connection_type="s3",
    format="glueparquet",
    connection_options={"path": args["target_path"], "partitionKeys": ["country"]},
    format_options={"compression": "snappy"},
    transformation_ctx="AmazonS3_node4",
)

# Script generated for node AWS Glue Data Catalog
DataCatalog_node5 = glueContext.write_dynamic_frame.from_catalog(
    frame=Filter_node3,
    database=args["target_database"],
    table_name=args["target_table"],
    transformation_ctx="DataCatalog_node5",
)

job.commit()
