"""Demand: charging profiles, the projection per year and slot, and its totals."""
