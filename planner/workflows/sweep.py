"""Scenario sweeps: plan one case under every combination of scenario variants.

A variants file (``scenario-variants.toml``) names axes, and per axis named values; each value
is a partial scenario (the sections of ``scenario.toml``) laid over the case's own scenario.
Every combination of one value per axis is one variant::

    # every combination of one value per axis is planned
    years = [2030, 2035]                 # optional; default: every projected year

    [axes.ladder.lexicographic]          # axis "ladder", value "lexicographic"
    optimisation = { ladder_policy = "lexicographic" }
    [axes.ladder.weighted]
    optimisation = { ladder_policy = "weighted" }

    [axes.prices.base]                   # an empty value: the case's own settings
    [axes.prices.high]
    optimisation = { energy_price_eur_per_kwh = { peak = 0.40, offpeak = 0.25 } }

Every variant's years are planned in order (what a year builds is carried into the next); a
case of several vervoerregio's is planned as one Dask task per variant and vervoerregio
(:mod:`planner.workflows.parallel`), merged per variant.  The headline figures of every variant and
year come together in one :class:`xarray.Dataset` with a dimension per axis and ``year``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from planner.optimisation.solve import options_from
from planner.optimisation.vocabulary import COST_KEYS, REPORTED_APART_KEYS
from planner.scenario import (
    SITE_TIERS,
    Scenario,
    ScenarioError,
    read_toml,
    scenario_from_mapping,
)
from planner.workflows.case import Case, prepare_plan
from planner.workflows.decompose import merge_plans
from planner.workflows.multiyear import MultiYearPlan, plan_years
from planner.workflows.parallel import Engine, TaskResults, run_tasks
from planner.workflows.plan_case import sub_cases
from planner.workflows.progress import stage

#: Keys of a variants file besides ``axes``.
TOP_LEVEL_KEYS = ("years", "axes")
#: Characters allowed in axis and value names (they name folders and dimensions).
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


class SweepError(ScenarioError):
    """A variants file that cannot be used."""


@dataclass(frozen=True)
class Variant:
    """One combination of axis values.

    Attributes
    ----------
    values
        Per axis, the value's name.
    scenario
        The case's scenario with the values' settings laid over it.
    """

    values: dict[str, str]
    scenario: Scenario

    @property
    def label(self) -> str:
        """``axis-value`` pairs joined by ``_``: a folder name and a task name."""
        return "_".join(f"{axis}-{value}" for axis, value in self.values.items()) or "base"


@dataclass(frozen=True)
class SweepGrid:
    """The variants of a variants file.

    Attributes
    ----------
    axes
        Per axis, its value names in file order.
    variants
        Every combination, the last axis varying fastest.
    years
        The years to plan (``None``: every projected year of each variant).
    """

    axes: dict[str, list[str]]
    variants: list[Variant]
    years: list[int] | None = None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep gave.

    Attributes
    ----------
    grid
        The variants.
    plans
        Per variant label, its plan (merged over vervoerregio's).
    figures
        Headline figures with a dimension per axis, ``year``, ``tier`` and ``cost``.
    tasks
        How every task went (keys ``variant label/vervoerregio``).
    """

    grid: SweepGrid
    plans: dict[str, MultiYearPlan]
    figures: xr.Dataset
    tasks: TaskResults[MultiYearPlan]


def load_sweep_grid(path: Path, base: Mapping[str, Any]) -> SweepGrid:
    """Read a variants file and lay every variant over the case's scenario.

    Parameters
    ----------
    path
        The variants file.
    base
        The case's ``scenario.toml`` as parsed TOML (``{}`` for the defaults).

    Raises
    ------
    SweepError
        Naming the file, the axis and value and what is wrong; every variant is checked
        before any work starts.
    """
    raw = read_toml(path, SweepError)
    unknown = sorted(set(raw) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise SweepError(
            f"{path}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(TOP_LEVEL_KEYS)}"
        )
    axes = _axes(path, raw.get("axes", {}))
    variants = [
        _variant(path, base, axes, dict(zip(axes, combination, strict=True)))
        for combination in itertools.product(*(list(values) for values in axes.values()))
    ]
    return SweepGrid(
        axes={axis: list(values) for axis, values in axes.items()},
        variants=variants,
        years=_years(path, raw.get("years")),
    )


def _axes(path: Path, raw: object) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(raw, dict) or not raw:
        raise SweepError(
            f"{path}: [axes] must name at least one axis with named values, e.g. "
            '[axes.ladder.weighted] optimisation = { ladder_policy = "weighted" }'
        )
    axes: dict[str, dict[str, dict[str, Any]]] = {}
    for axis, values in raw.items():
        if not NAME_PATTERN.match(axis) or axis in ("year", "tier", "cost"):
            raise SweepError(
                f"{path}: axis '{axis}': use letters, digits, '-' and '_' and not "
                "year, tier or cost"
            )
        if not isinstance(values, dict) or not values:
            raise SweepError(f"{path}: axis '{axis}' has no values; give [axes.{axis}.NAME]")
        for name, settings in values.items():
            if not NAME_PATTERN.match(name) or not isinstance(settings, dict):
                raise SweepError(
                    f"{path}: [axes.{axis}.{name}]: a value needs a name of letters, digits, "
                    "'-' and '_' and a table of scenario sections"
                )
        axes[axis] = values
    return axes


def _variant(
    path: Path,
    base: Mapping[str, Any],
    axes: Mapping[str, Mapping[str, Mapping[str, Any]]],
    values: dict[str, str],
) -> Variant:
    merged: dict[str, Any] = dict(base)
    for axis, value in values.items():
        merged = _laid_over(merged, axes[axis][value])
    label = ", ".join(f"{axis} = {value}" for axis, value in values.items())
    try:
        scenario = scenario_from_mapping(merged, source=f"{path} ({label})")
    except ScenarioError as exc:
        raise SweepError(str(exc)) from exc
    return Variant(values, scenario)


def _laid_over(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` laid over ``base``: tables merged key by key, other values replaced.

    Examples
    --------
    >>> _laid_over({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    {'a': {'x': 1, 'y': 3}, 'b': 1}
    """
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _laid_over(merged[key], value)
        else:
            merged[key] = value
    return merged


def _years(path: Path, raw: object) -> list[int] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)
    ):
        raise SweepError(f"{path}: years = {raw!r}: give a list of whole years, e.g. [2030, 2035]")
    return sorted(set(raw))


def run_sweep(
    base: Case,
    grid: SweepGrid,
    engine: Engine | None = None,
    decompose: bool = True,
) -> SweepResult:
    """Plan every variant: one task per variant and vervoerregio, merged per variant.

    Raises
    ------
    SweepError
        When a year of the variants file is not projected by a variant.
    """
    arguments: dict[str, tuple[Any, ...]] = {}
    cases = {}
    with stage(f"preparing {len(grid.variants)} variant(s)"):
        for variant in grid.variants:
            case = prepare_plan(base.with_scenario(variant.scenario))
            years = _variant_years(variant, grid.years, case.years)
            cases[variant.label] = (case, sub_cases(case, decompose))
            options = options_from(variant.scenario.optimisation)
            for part in cases[variant.label][1]:
                arguments[f"{variant.label}/{part.region}"] = (part.case, years, options)
    tasks = run_tasks(plan_years, arguments, engine, label="sweep")
    plans: dict[str, MultiYearPlan] = {}
    for variant in grid.variants:
        case, parts = cases[variant.label]
        results = {p.region: tasks.values.get(f"{variant.label}/{p.region}") for p in parts}
        if all(plan is None for plan in results.values()):
            continue  # every task of the variant failed: reported, no figures
        only = results[parts[0].region]
        gap = case.scenario.optimisation.mip_gap
        plans[variant.label] = only if len(parts) == 1 and only else merge_plans(case, results, gap)
    figures = sweep_figures(grid, plans)
    return SweepResult(grid, plans, figures, tasks)


def _variant_years(
    variant: Variant, years: Sequence[int] | None, projected: list[int]
) -> list[int]:
    if years is None:
        return projected
    missing = [year for year in years if year not in projected]
    if missing:
        raise SweepError(
            f"variant {variant.label}: year(s) {', '.join(map(str, missing))} not projected; "
            f"valid: {projected[0]}–{projected[-1]}"
        )
    return list(years)


def plan_figures(plan: MultiYearPlan) -> xr.Dataset:
    """A plan's headline figures per year (dimensions ``year``, ``tier``, ``cost``)."""
    years = plan.years
    summaries = [result.summary() for result in plan.results]

    def per_year(key: str) -> xr.DataArray:
        values = [np.nan if s[key] is None else float(s[key]) for s in summaries]
        return xr.DataArray(values, dims="year", coords={"year": years})

    cost_keys = [*COST_KEYS, *REPORTED_APART_KEYS]
    data = {
        "objective_eur": per_year("objective_eur"),
        "unmet_kwh_per_day": per_year("unmet_kwh_per_day"),
        "sites_open": per_year("sites_open"),
        "chargers": per_year("chargers"),
        "reinforcement_kva": per_year("reinforcement_kva"),
        "solve_s": per_year("solve_s"),
        "status": xr.DataArray([s["status"] for s in summaries], dims="year"),
        "energy_share": xr.DataArray(
            [[s["energy_share_by_tier"].get(t, np.nan) for t in SITE_TIERS] for s in summaries],
            dims=("year", "tier"),
            coords={"tier": list(SITE_TIERS)},
        ),
        "cost_eur_per_year": xr.DataArray(
            [[_number(s["costs_eur_per_year"].get(k)) for k in cost_keys] for s in summaries],
            dims=("year", "cost"),
            coords={"cost": cost_keys},
        ),
    }
    return xr.Dataset(data, coords={"year": years})


def _number(value: object) -> float:
    return np.nan if value is None else float(value)  # type: ignore[arg-type]


def sweep_figures(grid: SweepGrid, plans: Mapping[str, MultiYearPlan]) -> xr.Dataset:
    """Every variant's :func:`plan_figures`, merged along one dimension per axis.

    A variant without a plan (its tasks failed) is absent: its figures are NaN.
    """
    parts = []
    for variant in grid.variants:
        plan = plans.get(variant.label)
        if plan is None:
            continue
        figures = plan_figures(plan)
        for axis, value in variant.values.items():
            figures = figures.expand_dims({axis: [value]})
        parts.append(figures)
    if not parts:
        return xr.Dataset()
    merged = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    order = {axis: values for axis, values in grid.axes.items()}
    merged = merged.reindex(order)
    merged["status"] = merged["status"].fillna("no plan")
    merged["objective_eur"].attrs["units"] = "EUR per year"
    merged["unmet_kwh_per_day"].attrs["units"] = "kWh per working day"
    merged["reinforcement_kva"].attrs["units"] = "kVA"
    return merged
