"""The dashboard's pages, one package each.

Every page is split into ``_layout``, ``_callbacks``, ``_business_logic`` (pandas and xarray
only) and ``_figures`` (plain Plotly functions).

Each page package exposes ``PAGE``, a :class:`dashboards.context.Page`.
"""
