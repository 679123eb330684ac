"""Benchmarks and the data generator behind them (see bench/README.md)."""
