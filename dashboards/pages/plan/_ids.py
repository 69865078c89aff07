"""Component ids of the Plan page, shared by its layout and its callbacks."""

from __future__ import annotations

LADDER = "pl-ladder"
MAP = "pl-map"
MUNICIPALITIES = "pl-municipalities"
MUNICIPALITY_CHART = "pl-municipality-chart"
NONE = "pl-none"
REINFORCEMENT = "pl-reinforcement"
SITES = "pl-sites"
SOURCE = "pl-source"
STATUS = "pl-status"
UNMET = "pl-unmet"
YEAR = "pl-year"

#: The element holding each of the page's tables, by table name.
TABLES = {
    "sites": SITES,
    "municipalities": MUNICIPALITIES,
    "reinforcement": REINFORCEMENT,
    "unmet": UNMET,
}

# What a vervoerregio hands in (dashboards/pages/plan/_handin.py).
EXEMPTIONS = "pl-exemptions"
REPORT_BUTTON = "pl-report-pdf"
REPORT_DOWNLOAD = "pl-report-download"
REPORT_REGION = "pl-report-region"
REPORT_STATUS = "pl-report-status"
