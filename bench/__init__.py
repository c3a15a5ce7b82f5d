"""Benchmarks: `make bench` prints figures; targets are checked by reading them, never by tests."""
