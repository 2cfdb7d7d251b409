"""Escort evidence producers: Prometheus, the collector, complaints (they never judge)."""
