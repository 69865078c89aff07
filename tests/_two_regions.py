"""A generated Flanders case of two vervoerregio's, for one year (workflow tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

import geography

#: The year planned.
YEAR = 2030
#: The two vervoerregio's kept from the Flanders-wide generated case (most needs there).
REGIONS = ("7", "8")


def make_two_region_case(folder: Path, needs: int = 90, sites: int = 45) -> Path:
    """A generated Flanders case cut down to the needs and sites of :data:`REGIONS`.

    ``needs`` and ``sites`` are those of the whole generated case, before the cut.
    """
    subprocess.run(
        [sys.executable, "-m", "planner.cli", "-q", "generate", "--region", "all",
         "--seed", "5", "--out", str(folder), "--needs", str(needs), "--sites", str(sites),
         "--substations", "4", "--cabins", "40", "--force"],
        check=True, capture_output=True,
    )  # fmt: skip
    region_of = geography.municipalities().set_index("nis_code")["vervoerregio_code"].astype(str)
    for name in ("needs.csv", "sites.csv"):
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        kept = table[table["nis_code"].map(region_of).isin(REGIONS)]
        kept.to_csv(folder / name, index=False)
    scenario = (folder / "scenario.toml").read_text(encoding="utf-8")
    scenario = scenario.replace("first_year = 2027", f"first_year = {YEAR}")
    scenario = scenario.replace("last_year = 2035", f"last_year = {YEAR}")
    (folder / "scenario.toml").write_text(scenario, encoding="utf-8")
    return folder
