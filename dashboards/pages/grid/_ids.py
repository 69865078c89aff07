"""Component ids of the Grid page, shared by its layout and its callbacks."""

from __future__ import annotations

CONGESTION = "gr-congestion"
CURVE = "gr-curve"
HEATMAP = "gr-heatmap"
HIDDEN = "gr-hidden"
MAP = "gr-map"
NODE = "gr-node"
REQUESTS = "gr-requests"
SHARED = "gr-shared"
YEAR = "gr-year"
