"""Benchmarks of Zbut with their data generators (`make bench`); never part of `make test`."""
