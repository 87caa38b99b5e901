"""README's quick start is what CI runs, and every command documents itself with an example."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from citekg.cli import cli

REPO = Path(__file__).resolve().parents[1]


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)[:2]


def test_docs_ci_runs_the_readme_quick_start() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci_lines


def test_docs_ci_ends_with_the_test_command() -> None:
    ci_lines = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert ci_lines[-1] == _quick_start_commands()[1]


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_docs_every_command_has_help_with_an_example(name: str) -> None:
    command = cli.commands[name]
    assert isinstance(command, click.Command)
    assert command.help and "Example:" in command.help


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_docs_readme_lists_every_command(name: str) -> None:
    assert f"`citekg {name}" in (REPO / "README.md").read_text(encoding="utf-8")
