"""Stages of the ``make demo`` pipeline, one module per capability."""
