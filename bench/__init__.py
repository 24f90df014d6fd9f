"""Benchmarks: scripts printing figures beside the engines' own floor (docs/PERFORMANCE.md)."""
