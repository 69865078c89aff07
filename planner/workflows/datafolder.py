"""The data folder: the unit every command reads.

A data folder holds the contract files by name (``needs.csv``, ``sites.csv``, ``grid.csv``,
``zones.csv``, ``access_cost.csv``, ``scenario.toml``).  Each may be overridden by its own
command-line flag (``--needs FILE`` …).  ``needs`` may also be an ``.xlsx`` workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from validation import LaadplanError

#: Contract files and their default names in a data folder.
CONTRACT_FILES: dict[str, tuple[str, ...]] = {
    "needs": ("needs.csv", "needs.xlsx"),
    "sites": ("sites.csv",),
    "grid": ("grid.csv",),
    "zones": ("zones.csv",),
    "access_cost": ("access_cost.csv",),
    "scenario": ("scenario.toml",),
}


#: Optional companion files read from the data folder when present (no flag of their own in
#: every command): base-load profiles of the grid nodes and a road edge list.
GRID_PROFILES_FILE = "grid_profiles.csv"
ROADS_FILE = "roads.csv"


class DataFolderError(LaadplanError):
    """A data folder or one of its files cannot be found."""


@dataclass(frozen=True)
class DataFolder:
    """Resolved paths of a planning case; a file that is absent is ``None``."""

    root: Path | None
    needs: Path | None = None
    sites: Path | None = None
    grid: Path | None = None
    zones: Path | None = None
    access_cost: Path | None = None
    scenario: Path | None = None

    def companion(self, file_name: str) -> Path | None:
        """Path of an optional companion file (e.g. ``grid_profiles.csv``) when present."""
        if self.root is None:
            return None
        path = self.root / file_name
        return path if path.is_file() else None

    def require(self, name: str) -> Path:
        """Return the path of a contract file that a command cannot do without.

        Raises
        ------
        DataFolderError
            Naming the file expected and the flag that overrides it.
        """
        path: Path | None = getattr(self, name)
        if path is None:
            where = f"in {self.root}" if self.root else "(no --data folder given)"
            names = " or ".join(CONTRACT_FILES[name])
            flag = "--" + name.replace("_", "-")
            raise DataFolderError(f"no {names} {where}; give a data folder with it or {flag} FILE")
        return path


def resolve_data_folder(root: Path | None, **overrides: Path | None) -> DataFolder:
    """Find the contract files of a data folder, with per-file overrides.

    Parameters
    ----------
    root
        The data folder, or ``None`` when every file comes from an override.
    **overrides
        Explicit paths by contract name (``needs=Path(...)``); ``None`` means "use the folder".

    Raises
    ------
    DataFolderError
        When the folder or an explicitly given file does not exist.
    """
    unknown = set(overrides) - set(CONTRACT_FILES)
    if unknown:
        raise DataFolderError(f"unknown contract file(s): {', '.join(sorted(unknown))}")
    if root is not None and not Path(root).is_dir():
        raise DataFolderError(f"data folder {root} does not exist or is not a folder")
    paths: dict[str, Path | None] = {}
    for name, candidates in CONTRACT_FILES.items():
        given = overrides.get(name)
        if given is not None:
            if not Path(given).is_file():
                raise DataFolderError(f"--{name.replace('_', '-')} {given}: no such file")
            paths[name] = Path(given)
            continue
        paths[name] = _first_existing(root, candidates)
    return DataFolder(root=None if root is None else Path(root), **paths)


def _first_existing(root: Path | None, candidates: tuple[str, ...]) -> Path | None:
    if root is None:
        return None
    for candidate in candidates:
        path = Path(root) / candidate
        if path.is_file():
            return path
    return None
