"""Glue job scripts: each runs unchanged on AWS Glue and locally via `glueforge run-script`."""
