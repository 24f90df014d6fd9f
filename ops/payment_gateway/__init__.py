"""Simulated card payment gateway, run as its own process next to the storefront API."""
