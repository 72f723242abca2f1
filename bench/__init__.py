"""Benchmarks: each prints absolute figures next to a ratio against this machine's raw limit
measured in the same run. Run with `make bench` (or `python -m bench NAME`)."""
