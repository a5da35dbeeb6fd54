"""Zbut: the software of an outsourced sales department."""
