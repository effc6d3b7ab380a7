"""Benchmarks on generated data; every figure is reported beside a bare limit and the ratio."""
