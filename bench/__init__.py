"""Benchmarks for the claims checker: `python -m bench.run` (see bench/README.md)."""
