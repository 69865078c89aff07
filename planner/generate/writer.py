"""Write a synthetic case to a data folder, labelled as synthetic in every file it can be."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pandas as pd

from planner.generate.case import SyntheticCase
from planner.generate.sizes import GenerateError
from planner.scenario import ProjectionSettings
from planner.workflows.datafolder import CaseFile

README_NAME = "README.txt"
SCENARIO_NAME = CaseFile.SCENARIO
#: Voluntary zero-emission uptake written into the scenario (year → share).
VOLUNTARY_UPTAKE = {2027: 0.05, 2030: 0.15}


def command_line(case: SyntheticCase) -> str:
    """Return the ``laadplan generate`` command that makes this case again."""
    sizes = case.sizes
    return (
        f"laadplan generate --region {shlex.quote(case.region)} --seed {case.seed}"
        f" --needs {sizes.needs} --sites {sizes.sites}"
        f" --substations {sizes.substations} --cabins {sizes.cabins}"
    )


def tables_of(case: SyntheticCase) -> dict[str, pd.DataFrame]:
    """Return the CSV files of a case by file name, in the order they are written."""
    return {
        CaseFile.NEEDS: case.needs,
        CaseFile.SITES: case.sites,
        CaseFile.GRID: case.grid,
        CaseFile.GRID_PROFILES: case.grid_profiles,
        CaseFile.ZONES: case.zones,
    }


def write_case(case: SyntheticCase, out: Path, force: bool = False) -> dict[str, int]:
    """Write every file of the case into ``out``; return the data rows per CSV file.

    Parameters
    ----------
    case
        The generated case.
    out
        The data folder; created when missing.
    force
        Overwrite the case's files in a folder that is not empty.

    Raises
    ------
    GenerateError
        When ``out`` is a file, or a folder that is not empty and ``force`` is not given.
    """
    check_output_folder(out, force)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for name, table in tables_of(case).items():
        write_csv(table, out / name)
        rows[name] = len(table)
    (out / SCENARIO_NAME).write_text(scenario_text(case), encoding="utf-8")
    (out / README_NAME).write_text(readme_text(case, rows), encoding="utf-8")
    return rows


def check_output_folder(out: Path, force: bool) -> None:
    """Refuse to write into a file, or into a non-empty folder without ``force``.

    Raises
    ------
    GenerateError
        Saying what is in the way and how to go on.
    """
    if out.exists() and not out.is_dir():
        raise GenerateError(f"--out {out} is a file; give a folder to write the case into")
    if out.is_dir() and not force and any(out.iterdir()):
        raise GenerateError(
            f"--out {out} is not empty; choose an empty or new folder, "
            "or add --force to overwrite the case files in it"
        )


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with ``true``/``false`` booleans and empty missing values."""
    text = table.copy()
    for column in [c for c in text.columns if pd.api.types.is_bool_dtype(text[c])]:
        text[column] = text[column].map({True: "true", False: "false"})
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def scenario_text(case: SyntheticCase) -> str:
    """``scenario.toml`` for the case, with a comment saying it is synthetic."""
    projection = ProjectionSettings()
    uptake = "\n".join(f"{year} = {share}" for year, share in VOLUNTARY_UPTAKE.items())
    return (
        "# Synthetic planning case: invented organisations, depots, sites and grid.\n"
        "# Not real data.\n"
        f"# Made by: {command_line(case)}\n"
        f"name = {json.dumps(case.label + ' (synthetic)')}\n"
        "\n[projection]\n"
        f"first_year = {projection.first_year}\n"
        f"last_year = {projection.last_year}\n"
        "slot_minutes = 60\n"
        'charging_strategy = "offpeak_first"\n'
        f'offpeak_start = "{projection.offpeak_start}"\n'
        f'offpeak_end = "{projection.offpeak_end}"\n'
        "\n[projection.voluntary_uptake]\n"
        f"{uptake}\n"
    )


def readme_text(case: SyntheticCase, rows: dict[str, int]) -> str:
    """``README.txt``: what the folder is, that it is synthetic, and how it was made."""
    listing = "\n".join(f"  {name:<18} {count:>8} rows" for name, count in rows.items())
    return f"""SYNTHETIC PLANNING CASE — {case.label} — NOT REAL DATA

Every organisation, depot, fleet, candidate site and grid node in this folder is invented by
the laadplan case generator. Only the municipalities (NIS codes, names, vervoerregio's and
centrumsteden) are real Flemish reference geography; the zero-emission zones and their start
years are assumptions for testing (centrumsteden 2027, a few other cities 2028-2030).

Made by:   {command_line(case)}
Labels:    organisations SYN-ORG-…, names starting "Synthetic", grid source
           "{case.source}".

Files:
{listing}
  {SCENARIO_NAME:<18} scenario settings
  grid_profiles.csv holds the hourly base load (kVA) of every grid node;
  slot = start of the hour (HH:MM).

Municipality geography: Provincies in Cijfers / Statbel, "Bevat overheidsinformatie,
verkregen onder de Modellicentie Gratis Hergebruik Vlaanderen v1.0".
"""
