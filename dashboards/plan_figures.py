"""The plan on a map, shared by the Plan and Scenarios pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from charging_sites import Tier
from dashboards.formatting import format_number
from dashboards.geo import feature_collection, point_features
from dashboards.i18n import t
from dashboards.maps import PointLayer, make_map_figure

TIER_COLOURS = {Tier.PRIVATE: "#1b9e77", Tier.SEMI_PUBLIC: "#d95f02", Tier.PUBLIC: "#7570b3"}
REINFORCEMENT_COLOUR = "#d62728"


def plan_layers(sites: pd.DataFrame, reinforcement: pd.DataFrame, lang: str) -> list[PointLayer]:
    """Chosen sites per tier (sized by chargers) and reinforced grid nodes (sized by kVA)."""
    layers = []
    for tier, colour in TIER_COLOURS.items():
        members = sites[sites["tier"] == tier] if not sites.empty else sites
        if members.empty:
            continue
        points = members.assign(
            size_value=members["chargers"],
            hover=[
                f"{n}: {format_number(c, lang)} {t('col.chargers', lang).lower()}"
                for n, c in zip(members["name"], members["chargers"], strict=True)
            ],
        )
        name = f"{t('map.chosen', lang)}: {t(f'tier.{tier}', lang)} ({t('map.chosen_size', lang)})"
        layers.append(
            PointLayer(
                name,
                points,
                colour,
                "diamond",
                18.0,
            )
        )
    if not reinforcement.empty:
        points = reinforcement.assign(
            size_value=reinforcement["total_kva"],
            hover=[
                f"{n}: +{format_number(k, lang)} kVA"
                for n, k in zip(reinforcement["name"], reinforcement["total_kva"], strict=True)
            ],
        )
        layers.append(
            PointLayer(t("q.reinforcement_kva", lang), points, REINFORCEMENT_COLOUR, "square", 20.0)
        )
    return layers


def make_plan_map(
    outlines: pd.DataFrame,
    sites: pd.DataFrame,
    reinforcement: pd.DataFrame,
    lang: str,
    tiles: bool = False,
) -> go.Figure:
    """The plan on the map."""
    layers = plan_layers(sites, reinforcement, lang)
    located = (
        pd.concat([layer.points[["nis_code"]] for layer in layers if "nis_code" in layer.points])
        if layers
        else None
    )
    focus = None
    if located is not None and not located.empty:
        focus = outlines[outlines["nis_code"].isin(set(located["nis_code"].astype(str)))]
    return make_map_figure(outlines, layers, lang, focus=focus, tiles=tiles)


def plan_geojson(sites: pd.DataFrame, reinforcement: pd.DataFrame) -> dict[str, Any]:
    """Chosen sites and reinforced nodes as GeoJSON."""
    return feature_collection(
        point_features(sites, "chosen_site") + point_features(reinforcement, "reinforcement")
    )
