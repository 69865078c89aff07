"""One definition of each piece of vocabulary: no copy of a tier, category or file name drifts.

The source tree is parsed and every string literal that spells a tier, a vehicle category, a
plan file name or a case file name must sit in the module that defines it; everywhere else
imports the constant.
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import planner.rules.zones
from charging_sites import TIER_VALUES, Tier, VehicleCategory
from planner.optimisation.vocabulary import CostKey, PlanFile
from planner.workflows.datafolder import CaseFile

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "planner",
    "grid_data",
    "charging_sites",
    "dashboards",
    "service",
    "geography",
    "validation",
    "benchmarks",
)


def module_path(thing: type | ModuleType) -> str:
    """The source file defining a class or module, relative to the repository (follows moves)."""
    return Path(inspect.getfile(thing)).resolve().relative_to(ROOT).as_posix()


TIERS_MODULE = module_path(Tier)
CATEGORIES_MODULE = module_path(VehicleCategory)
PLAN_VOCABULARY_MODULE = module_path(PlanFile)
CASE_FILES_MODULE = module_path(CaseFile)

#: Literals that spell a vocabulary word but mean something else, with the reason.
ELSEWHERE_ALLOWED = {
    ("service/routes/public.py", "public"): "the OpenAPI tag of the unauthenticated routes",
    ("dashboards/i18n.py", "private"): "the English label of the tier",
    ("dashboards/i18n.py", "public"): "the English label of the tier",
    (
        module_path(planner.rules.zones),
        "zones.csv",
    ): "default source label of a zones table in messages; "
    "the rules layer does not import the data folder",
}


def string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module with its line (docstrings hold prose, not values)."""
    return list(_literals(path))


@functools.cache
def _literals(path: Path) -> tuple[tuple[int, str], ...]:
    return tuple(_walk_literals(path))


def _walk_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def misplaced(words: dict[str, set[str]]) -> list[str]:
    """``file:line 'word'`` for each literal of a word outside the modules allowed to spell it."""
    found = []
    for path in source_files():
        name = path.relative_to(ROOT).as_posix()
        for line, value in string_literals(path):
            allowed = words.get(value)
            elsewhere = allowed is not None and name not in allowed
            if elsewhere and (name, value) not in ELSEWHERE_ALLOWED:
                found.append(f"{name}:{line} {value!r}")
    return found


def test_the_source_tree_is_scanned() -> None:
    files = [p.relative_to(ROOT).as_posix() for p in source_files()]
    assert TIERS_MODULE in files and PLAN_VOCABULARY_MODULE in files and len(files) > 150
    literals = {value for _, value in string_literals(ROOT / TIERS_MODULE)}
    assert set(TIER_VALUES) <= literals


def test_tiers_are_spelled_only_in_their_enum() -> None:
    words = {tier: {TIERS_MODULE} for tier in TIER_VALUES}
    assert misplaced(words) == [], "import charging_sites.Tier / TIER_VALUES instead"


def test_vehicle_categories_are_spelled_only_in_their_enum() -> None:
    # "T" alone is too common a string to police; the other four are unambiguous.
    words = {c.value: {CATEGORIES_MODULE} for c in VehicleCategory if c != VehicleCategory.T}
    assert misplaced(words) == [], "import VehicleCategory instead"


def test_plan_file_names_and_cost_keys_are_spelled_only_in_the_plan_vocabulary() -> None:
    words = {str(key): {PLAN_VOCABULARY_MODULE} for key in (*PlanFile, *CostKey)}
    words[PlanFile.SITES] = {PLAN_VOCABULARY_MODULE, CASE_FILES_MODULE}  # also a case file
    assert misplaced(words) == [], "import planner.optimisation.vocabulary instead"


def test_case_file_names_are_spelled_only_in_the_data_folder() -> None:
    words = {str(name): {CASE_FILES_MODULE} for name in CaseFile}
    words[CaseFile.SITES] = {PLAN_VOCABULARY_MODULE, CASE_FILES_MODULE}  # also a plan file
    assert misplaced(words) == [], "import planner.workflows.datafolder.CaseFile instead"


@pytest.mark.parametrize("page", ["overview", "demand", "grid", "plan", "scenarios", "intake"])
def test_dash_pages_take_their_component_ids_from_one_module(page: str) -> None:
    folder = ROOT / "dashboards" / "pages" / page
    ids = {value for _, value in string_literals(folder / "_ids.py") if "-" in value}
    assert ids, f"{page}/_ids.py defines no ids"
    for module in ("_layout.py", "_callbacks.py"):
        spelled = [v for _, v in string_literals(folder / module) if v in ids]
        assert spelled == [], f"{page}/{module} spells ids of _ids.py: {spelled}"
