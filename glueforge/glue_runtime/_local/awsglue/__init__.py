"""Local stand-in for AWS Glue's ``awsglue`` package (glueforge)."""
