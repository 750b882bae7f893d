# Exits with the status given as --status, like a Glue job that ends early with sys.exit().
import sys

from awsglue.utils import getResolvedOptions

sys.exit(int(getResolvedOptions(sys.argv, ["status"])["status"]))
