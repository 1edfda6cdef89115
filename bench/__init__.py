"""Benchmark of the product against a bare-Flask reference; run ``python -m bench``."""
