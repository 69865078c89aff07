"""Intake: the needs table companies report, its schema and its reader."""
