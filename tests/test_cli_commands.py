"""The command line loads only the command it runs, and still lists every command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from planner import cli


def test_help_lists_every_command_and_plugin(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert stopped.value.code == 0
    for name in [*cli.COMMAND_MODULES, "dashboard", "report", "serve", "worker", "users"]:
        assert f"    {name}" in out, name


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan", "--data", "x"], "plan"),
        (["-q", "grid", "fetch"], "grid"),
        (["report", "plan"], "report"),
        (["--help"], None),
        (["--help", "plan"], None),
        (["-q", "-h", "plan"], None),
        (["no-such-command"], None),
        ([], None),
    ],
)
def test_command_given(argv, expected):
    assert cli.command_given(argv) == expected


def test_an_unknown_command_is_refused_with_the_list_of_commands(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["no-such-command"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "invalid choice: 'no-such-command'" in err
    assert "'plan'" in err and "'dashboard'" in err


def test_plan_help_does_not_import_the_generator_or_the_dashboard():
    code = (
        "import sys\n"
        "from planner.cli import main\n"
        "try:\n"
        "    main(['plan', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('planner.generate', 'dash', 'openpyxl') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--data" in done.stdout
    assert done.stdout.strip().endswith("[]")
