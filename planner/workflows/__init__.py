"""Workflows: reading a case, the grid overlay, planning year by year, Dask and sweeps."""
