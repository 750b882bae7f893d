"""pipelines layer of glueforge."""
