"""The README and the manual in docs/ say what runs: their commands parse, their links resolve.

Every ``laadplan …`` line in a ``sh`` block of README.md and docs/*.md is parsed by the real
command-line parser (with the commands of ``dashboards`` and ``service`` loaded through their
entry points), so a renamed command or option breaks this test, not a reader's first try.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from planner.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MANUAL = sorted((ROOT / "docs").glob("*.md"))
MAX_README_LINES = 200


def shell_lines(path: Path) -> list[str]:
    """The command lines of the ``sh`` blocks of a Markdown file, comments removed."""
    lines, in_block, pending = [], False, ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("```"):
            in_block = raw.strip() == "```sh"
            continue
        if not in_block:
            continue
        line = pending + raw.split(" #")[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line:
            lines.append(line)
    return lines


def laadplan_commands(path: Path) -> list[str]:
    return [line for line in shell_lines(path) if line.startswith("laadplan ")]


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; move detail to docs/"
    assert any("make demo" in line for line in lines) and any("make test" in line for line in lines)


def test_the_readme_shows_commands() -> None:
    assert len(laadplan_commands(README)) >= 10


@pytest.mark.parametrize(
    "path, command",
    [(p, c) for p in [README, *MANUAL] for c in laadplan_commands(p)],
    ids=lambda value: value.name if isinstance(value, Path) else str(value)[:60],
)
def test_every_documented_command_parses(path: Path, command: str) -> None:
    argv = shlex.split(command)[1:]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on an unknown command or option
        pytest.fail(f"{path.name}: `{command}` does not parse (exit {exc.code})")
    assert callable(args.func)


def test_every_make_target_named_in_the_readme_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w.-]*):", makefile, flags=re.MULTILINE))
    named = set(
        re.findall(r"`make (?:PYTHON=\S+ …\s)?([a-z]+)", README.read_text(encoding="utf-8"))
    )
    assert {"demo", "test", "bench"} <= named
    assert named <= targets, f"README names make targets that do not exist: {named - targets}"


@pytest.mark.parametrize("path", [README, *MANUAL], ids=lambda p: p.name)
def test_every_relative_link_resolves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target and not (path.parent / target).exists():
            broken.append(target)
    assert broken == [], f"{path.name} links to missing files: {broken}"
