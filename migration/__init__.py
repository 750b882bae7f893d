"""migration layer of glueforge."""
