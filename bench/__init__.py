"""Benchmark tooling: a dev-only Django app (the synthetic corpus, `generate_synthetic`), never in an install."""
