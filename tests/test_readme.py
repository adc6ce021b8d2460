"""The README stays true: its query table is generated, its commands exist."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import PROJECT_ROOT

from genrl_kg.cli import cli
from genrl_kg.queries import load_saved_queries, queries_markdown_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_query_table_is_generated_from_the_headers() -> None:
    block = re.search(r"<!-- queries:start -->\n(.*)\n<!-- queries:end -->", README, re.S)
    assert block is not None
    assert block.group(1) == queries_markdown_table(load_saved_queries())


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in quickstart.splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["make build", "make test"]


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"`genrl-kg (\w[\w-]*)", README))
    assert documented <= set(cli.commands), documented - set(cli.commands)
    for name in documented:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
