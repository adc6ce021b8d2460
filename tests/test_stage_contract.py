"""The build's stage contract: every stage has one shape, and adding one is one module.

docs/DESIGN.md ("Adding a source") describes the recipe; these tests hold it: each stage module
of ``genrl_kg/build`` defines ``STAGE``, returns its own report dataclass and never imports the
orchestrator; a stage defined outside the package runs, reports and is read back typed.
"""

from __future__ import annotations

import ast
import importlib
import json
from dataclasses import dataclass, is_dataclass
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT
from test_queries import FIXTURE_LIST

from genrl_kg.build import STAGES, BuildContext, Stage, StageReport, read_report, run_build
from genrl_kg.errors import ValidationError
from genrl_kg.rdf import terms as t
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import current_path, open_store, read_build_info

BUILD_DIR = PROJECT_ROOT / "genrl_kg" / "build"
NOT_STAGES = {"__init__", "context", "pipeline", "load", "wikidata"}


def _stage_modules() -> list[str]:
    return sorted(p.stem for p in BUILD_DIR.glob("*.py") if p.stem not in NOT_STAGES)


@pytest.mark.parametrize("name", _stage_modules())
def test_each_stage_module_has_one_stage_of_the_contract(name: str) -> None:
    module = importlib.import_module(f"genrl_kg.build.{name}")
    stage = module.STAGE
    assert isinstance(stage, Stage)
    assert issubclass(stage.report, StageReport) and is_dataclass(stage.report)
    assert stage in STAGES
    tree = ast.parse((BUILD_DIR / f"{name}.py").read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "genrl_kg.build.pipeline" not in imported and "genrl_kg.build" not in imported


def test_the_orchestrator_runs_each_stage_once_by_a_unique_name() -> None:
    names = [stage.name for stage in STAGES]
    assert len(names) == len(set(names)) == len(_stage_modules())
    assert names[0] == "list" and names[-2:] == ["shacl", "describe"]


@dataclass
class CountReport(StageReport):
    """What the toy stage counted."""

    papers: int = 0
    titles: list[str] | None = None


def _count_papers(ctx: BuildContext) -> CountReport:
    return CountReport(len(ctx.papers), sorted(p.record.title for p in ctx.papers))


def _source(root: Path) -> Path:
    (root / "source").mkdir()
    (root / "source" / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    return root / "source"


def test_a_stage_added_outside_the_package_runs_and_reports(tmp_path: Path) -> None:
    toy = Stage("count", _count_papers, CountReport)
    report = run_build(local_source(_source(tmp_path)), tmp_path / "store", stages=(*STAGES, toy))
    section = report.section(CountReport)
    store = open_store(tmp_path / "store")
    query = "SELECT (COUNT(?p) AS ?n) { ?p a <https://w3id.org/genrl-kg/ontology#Paper> }"
    expected = int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)  # type: ignore[index,arg-type]
    assert section.papers == expected > 0
    info = read_build_info(tmp_path / "store")
    assert info["count"]["papers"] == expected
    typed = read_report(json.loads(json.dumps(info)), stages=(*STAGES, toy))
    assert typed.section(CountReport) == section


def _second_title(ctx: BuildContext) -> CountReport:
    first = ctx.papers[0]
    ctx.quads["list"].add(first.node, t.DCTERMS.title, t.text("Another title"))
    return CountReport()


def test_a_violation_names_the_line_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    source = local_source(_source(tmp_path))
    run_build(source, tmp_path / "store")
    live = current_path(tmp_path / "store").resolve()
    broken = Stage("break", _second_title, CountReport)
    stages = (*STAGES[:-2], broken, *STAGES[-2:])  # before validation
    with pytest.raises(ValidationError) as caught:
        run_build(source, tmp_path / "store", stages=stages)
    first_line = next(
        n for n, line in enumerate(FIXTURE_LIST.splitlines(), 1) if "[[paper]]" in line
    )
    assert f"README.md:{first_line}: " in str(caught.value)
    assert "dcterms:title" in str(caught.value)
    assert current_path(tmp_path / "store").resolve() == live
