"""Overview figures: the map of demand, sites and grid, the roll-out, and the headline texts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboards.formatting import format_number, format_quantity, format_share, locale_layout
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
            f"{d} ({m}): {format_quantity(e, t('unit.kwh_day', lang), lang)}, "
            f"{format_number(v, lang)} {t('unit.ze', lang)}"
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
                    f"{n} — {format_number(c, lang)} {t('col.chargers', lang).lower()}"
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
                f"{n}: {format_quantity(h, 'kVA', lang)}"
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


def headline_texts(headline: Headline, lang: str) -> list[str]:
    """The seven KPI values as shown: vehicles, energy, peak, chargers, ladder, unmet, shortfall."""
    chargers = t("kpi.no_plan", lang)
    ladder = t("kpi.no_plan", lang)
    if headline.chargers_by_tier is not None:
        counts = headline.chargers_by_tier.values()
        chargers = " · ".join(format_number(count, lang) for count in counts)
    if headline.energy_share_by_tier is not None:
        shares = headline.energy_share_by_tier.values()
        ladder = " · ".join(format_share(share, lang) for share in shares)
    shortfall = (
        t("kpi.no_grid", lang)
        if headline.shortfall_kva is None
        else format_quantity(headline.shortfall_kva, "kVA", lang)
        + ("" if headline.shortfall_from_plan else f" ({t('kpi.before_planning', lang)})")
    )
    return [
        format_number(headline.ze_vehicles, lang),
        format_quantity(headline.energy_mwh_per_day, t("unit.mwh_day", lang), lang, 1),
        format_quantity(headline.peak_kw, "kW", lang),
        chargers,
        ladder,
        format_quantity(headline.unmet_kwh_per_day, t("unit.kwh_day", lang), lang, 1),
        shortfall,
    ]


#: Marker of the year chosen on the slider in the roll-out chart.
CHOSEN_YEAR_COLOUR = "rgba(0, 0, 0, 0.08)"


def make_rollout_figure(rollout: pd.DataFrame, year: int | None, lang: str) -> go.Figure:
    """Chargers per tier and year (stacked bars) and installed kW (line, right axis).

    The year chosen on the slider is shaded and named above the bars.  Years are categories,
    written ``2030``.
    """
    figure = go.Figure()
    for tier, colour in TIER_COLOURS.items():
        rows = rollout[rollout["tier"] == tier]
        figure.add_trace(
            go.Bar(
                x=rows["year"].astype(str),
                y=rows["chargers"],
                name=f"{t(f'tier.{tier}', lang)} ({t('col.chargers', lang).lower()})",
                marker_color=colour,
                customdata=rows["sites"],
                hovertemplate=f"%{{y:,.0f}} ({t('col.sites', lang).lower()}: %{{customdata}})"
                "<extra></extra>",
            )
        )
    installed = rollout.groupby("year", as_index=False)["installed_kw"].sum()
    figure.add_trace(
        go.Scatter(
            x=installed["year"].astype(str),
            y=installed["installed_kw"],
            name=t("q.installed_kw", lang),
            mode="lines+markers",
            line={"color": "#333333"},
            yaxis="y2",
            hovertemplate="%{y:,.0f} kW<extra></extra>",
        )
    )
    years = [str(y) for y in dict.fromkeys(rollout["year"])]
    if year is not None and str(year) in years:
        at = years.index(str(year))  # a category's position (a shape reads "2029" as a number)
        figure.add_vrect(
            x0=at - 0.5,
            x1=at + 0.5,
            fillcolor=CHOSEN_YEAR_COLOUR,
            line_width=0,
            layer="below",
            annotation_text=str(year),
            annotation_position="top",
        )
    figure.update_layout(
        barmode="stack",
        title=t("overview.rollout", lang),
        xaxis={"title": t("q.year", lang), "type": "category"},
        yaxis={"title": t("q.chargers", lang), "tickformat": ",d"},
        yaxis2={
            "title": t("q.installed_kw", lang),
            "overlaying": "y",
            "side": "right",
            "tickformat": ",d",
            "tickmode": "auto",
            "rangemode": "tozero",
            "showgrid": False,
        },
        margin={"l": 60, "r": 70, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        height=380,
        **locale_layout(lang),
    )
    return figure
