"""Legacy EDLS metadata -> Glue Studio visual jobs (CreateJob requests, scripts, reports), deploy and local runs.

Flow: ``reader`` (SQLAlchemy) -> ``legacy_model`` (typed) -> ``handlers`` (one per step type) -> ``dag``
(node graph + validation) -> ``job_request`` (CreateJob + botocore validation) -> ``migrator`` (files) ->
``report`` / ``deploy`` / ``executor`` (run a migrated job locally on PySpark).
"""
