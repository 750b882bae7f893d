import sys

from awsglue.context import GlueContext
from pyspark.context import SparkContext

glueContext = GlueContext(SparkContext.getOrCreate())
raise ValueError(f"boom from {sys.argv[0]}")
