"""Benchmarks of laadplan: ``make bench`` runs ``python -m benchmarks``."""
