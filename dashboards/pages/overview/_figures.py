"""Overview figures: the map of demand, sites and grid, and the headline texts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboards.geo import feature_collection, outline_features, point_features
from dashboards.i18n import t
from dashboards.maps import PointLayer, make_map_figure
from dashboards.pages.overview._business_logic import Headline
from dashboards.plan_figures import TIER_COLOURS

STATUS_COLOURS = {"green": "#2ca02c", "orange": "#ff9f1c", "red": "#d62728", "unknown": "#8c8c8c"}
DEPOT_COLOUR = "#3b3b3b"


def depot_layer(depots: pd.DataFrame, lang: str) -> PointLayer:
    """Depots sized by energy per working day."""
    points = depots.assign(
        size_value=depots["energy_kwh_per_day"],
        hover=[
            f"{d} ({m}): {e:,.0f} kWh/d, {v:.1f} ZE".replace(",", " ")
            for d, m, e, v in zip(
                depots["depot_id"],
                depots["municipality"],
                depots["energy_kwh_per_day"],
                depots["ze_vehicles"],
                strict=True,
            )
        ],
    )
    return PointLayer(t("map.depots", lang), points, DEPOT_COLOUR, "circle", 22.0)


def site_layers(sites: pd.DataFrame, lang: str) -> list[PointLayer]:
    """Candidate sites (open symbols) and chosen sites (filled, larger) per tier."""
    layers = []
    for tier, colour in TIER_COLOURS.items():
        for chosen in (False, True):
            members = sites[(sites["tier"] == tier) & (sites["chosen"] == chosen)]
            if members.empty:
                continue
            points = members.assign(
                hover=[
                    f"{n} — {c} {t('q.chargers', lang).lower()}"
                    for n, c in zip(members["name"], members["chargers"], strict=True)
                ]
            )
            kind = t("map.chosen" if chosen else "map.candidate", lang)
            symbol = "diamond" if chosen else "diamond-open"
            layers.append(
                PointLayer(
                    f"{kind}: {t(f'tier.{tier}', lang)}",
                    points,
                    colour,
                    symbol,
                    11.0 if chosen else 8.0,
                )
            )
    return layers


def grid_layers(nodes: pd.DataFrame, lang: str) -> list[PointLayer]:
    """Grid nodes coloured by headroom status (substations larger)."""
    layers = []
    for status, colour in STATUS_COLOURS.items():
        members = nodes[nodes["status"] == status]
        if members.empty:
            continue
        points = members.assign(
            hover=[
                f"{n}: {h:,.0f} kVA".replace(",", " ")
                for n, h in zip(members["name"], members["headroom_kva"], strict=True)
            ]
        )
        name = f"{t('map.grid', lang)}: {t(f'status.{status}', lang)}"
        layers.append(PointLayer(name, points, colour, "square", 7.0))
    return layers


def make_overview_map(
    outlines: pd.DataFrame,
    municipalities: pd.DataFrame,
    depots: pd.DataFrame,
    sites: pd.DataFrame,
    nodes: pd.DataFrame,
    lang: str,
    focus: pd.DataFrame | None = None,
    tiles: bool = False,
) -> go.Figure:
    """The overview map: energy per municipality, grid nodes, sites and depots."""
    layers = [*grid_layers(nodes, lang), *site_layers(sites, lang), depot_layer(depots, lang)]
    values = municipalities.set_index("nis_code")["energy_kwh_per_day"]
    return make_map_figure(outlines, layers, lang, values=values, focus=focus, tiles=tiles)


def overview_geojson(
    outlines: pd.DataFrame,
    municipalities: pd.DataFrame,
    depots: pd.DataFrame,
    sites: pd.DataFrame,
    nodes: pd.DataFrame,
) -> dict[str, Any]:
    """The map's layers as one GeoJSON FeatureCollection (``layer`` property per feature)."""
    values = municipalities.set_index("nis_code")["energy_kwh_per_day"]
    features = outline_features(outlines, values)
    features += point_features(depots, "depot")
    features += point_features(sites, "site")
    features += point_features(nodes, "grid_node")
    return feature_collection(features)


def format_number(value: float, unit: str = "", digits: int = 0) -> str:
    """A number with thin grouping, e.g. ``12 345 kWh``.

    Examples
    --------
    >>> format_number(12345.6, "kWh")
    '12 346 kWh'
    """
    text = f"{value:,.{digits}f}".replace(",", " ")
    return f"{text} {unit}".strip()


def headline_texts(headline: Headline, lang: str) -> list[str]:
    """The seven KPI values as shown: vehicles, energy, peak, chargers, ladder, unmet, shortfall."""
    chargers = t("kpi.no_plan", lang)
    ladder = t("kpi.no_plan", lang)
    if headline.chargers_by_tier is not None:
        chargers = " · ".join(str(count) for count in headline.chargers_by_tier.values())
    if headline.energy_share_by_tier is not None:
        ladder = " · ".join(f"{share:.0%}" for share in headline.energy_share_by_tier.values())
    shortfall = (
        t("kpi.no_grid", lang)
        if headline.shortfall_kva is None
        else format_number(headline.shortfall_kva, "kVA")
        + ("" if headline.shortfall_from_plan else f" ({t('kpi.before_planning', lang)})")
    )
    return [
        format_number(headline.ze_vehicles),
        format_number(headline.energy_mwh_per_day, "MWh", 1),
        format_number(headline.peak_kw, "kW"),
        chargers,
        ladder,
        format_number(headline.unmet_kwh_per_day, "kWh"),
        shortfall,
    ]
