"""transforms layer of glueforge."""
