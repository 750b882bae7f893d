"""Benchmarks: each module is runnable as `python -m bench.<module>` and prints ratios vs a baseline."""
