"""Ops dashboard: consumer lag, CDC freshness and stock across the stores.

Run with ``python -m ops.dashboard``; ``shopctl up`` does.
"""
