"""Glue job: copy a legacy CRM contacts table over JDBC into the lakehouse with standardized columns.

Runs unchanged on AWS Glue (with the transform's .py in --extra-py-files) and locally:
    glueforge run-script pipelines/jobs/crm_contacts.py --JOB_NAME crm_contacts \
        --source_url jdbc:sqlite:/path/crm.db --source_table contacts --target_database demo --target_table crm_contacts
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *  # noqa: F403 - the shape Glue Studio generates
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

import transforms.standardize_columns.standardize_columns  # noqa: F401 - registers DynamicFrame.standardize_columns

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source_url", "source_table", "target_database", "target_table"])
sc = SparkContext.getOrCreate()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

contacts = glueContext.create_dynamic_frame.from_options(
    connection_type="jdbc",
    connection_options={"url": args["source_url"], "dbtable": args["source_table"]},
    transformation_ctx="contacts",
)
standardized = contacts.standardize_columns(nameStyle="snake", trimStrings="true", emptyAsNull="true")
glueContext.write_dynamic_frame.from_catalog(
    frame=standardized,
    database=args["target_database"],
    table_name=args["target_table"],
    transformation_ctx="write_contacts",
)
job.commit()
