"""The orchestrator: the only place that knows the order of the stages.

list -> arXiv -> OpenAlex -> tables -> history -> facts -> links -> validate -> describe,
then load. The tables come after arXiv and OpenAlex because the row linker uses their first
authors and years as evidence; the facts come after the tables and arXiv, whose tags and
abstracts are their evidence.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from genrl_kg.build import (
    arxiv,
    awesome_list,
    describe,
    facts,
    history,
    links,
    openalex,
    tables,
    validate,
)
from genrl_kg.build.arxiv import ArxivReport
from genrl_kg.build.awesome_list import ListReport
from genrl_kg.build.context import BuildContext, BuildOptions, Progress, Stage, StageReport
from genrl_kg.build.links import LinksReport
from genrl_kg.build.load import load_quads
from genrl_kg.build.tables import TablesReport
from genrl_kg.rdf import QuadSet
from genrl_kg.sources.upstream import SourceSet
from genrl_kg.store import build_lock, write_build_info
from genrl_kg.taxonomy import load_ontology, load_taxonomy

__all__ = ["STAGES", "BuildReport", "build_graphs", "read_report", "run_build"]

STAGES: tuple[Stage[Any], ...] = (
    awesome_list.STAGE,
    arxiv.STAGE,
    openalex.STAGE,
    tables.STAGE,
    history.STAGE,
    facts.STAGE,
    links.STAGE,
    validate.STAGE,
    describe.STAGE,
)
R = TypeVar("R", bound=StageReport)


@dataclass
class BuildReport:
    """What a build read, merged, skipped and wrote: one typed section per stage."""

    commit: str
    list_file: str
    base: str
    sections: dict[str, StageReport] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    built_at: str = ""

    def section(self, kind: type[R]) -> R:
        """Return the section of type *kind* (an empty one if that stage did not run)."""
        found = next((s for s in self.sections.values() if isinstance(s, kind)), None)
        return found if found is not None else kind()

    @property
    def list_report(self) -> ListReport:
        """Return the list stage's section: entries, merges, problems, sections."""
        return self.section(ListReport)

    @property
    def entries_read(self) -> int:
        """Return the number of list entries read."""
        return self.section(ListReport).entries_read

    @property
    def unique_papers(self) -> int:
        """Return the number of papers the entries became."""
        return self.section(ListReport).unique_papers

    @property
    def arxiv(self) -> ArxivReport:
        """Return the arXiv stage's section."""
        return self.section(ArxivReport)

    @property
    def tables(self) -> TablesReport:
        """Return the tables stage's section."""
        return self.section(TablesReport)

    @property
    def links(self) -> LinksReport:
        """Return the links stage's section."""
        return self.section(LinksReport)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data: the list's figures on top, a key per stage."""
        data: dict[str, Any] = {
            "commit": self.commit,
            "list_file": self.list_file,
            "base": self.base,
            "triples": dict(self.triples),
            "timings": dict(self.timings),
            "warnings": list(self.warnings),
            "built_at": self.built_at,
        }
        for name, section in self.sections.items():
            if isinstance(section, ListReport):
                data.update(asdict(section))
            else:
                data[name] = asdict(section)
        return data


def read_report(data: dict[str, Any], stages: Sequence[Stage[Any]] = STAGES) -> BuildReport:
    """Return the typed report of a build from its JSON form (``build.json``)."""
    report = BuildReport(
        commit=str(data.get("commit", "")),
        list_file=str(data.get("list_file", "")),
        base=str(data.get("base", "")),
        triples=dict(data.get("triples", {})),
        timings=dict(data.get("timings", {})),
        warnings=list(data.get("warnings", [])),
        built_at=str(data.get("built_at", "")),
    )
    for stage in stages:
        part = data if stage.report is ListReport else data.get(stage.name)
        if isinstance(part, dict) and part:
            report.sections[stage.name] = _from_dict(stage.report, part)
    return report


def _from_dict(kind: type[Any], data: dict[str, Any]) -> Any:
    """Rebuild the dataclass *kind* from *data*, nested dataclass lists included."""
    hints = get_type_hints(kind)
    values = {}
    for f in fields(kind):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        item = getattr(hint, "__args__", (None,))[0]
        if isinstance(value, list) and is_dataclass(item):
            value = [_from_dict(item, v) if isinstance(v, dict) else v for v in value]  # type: ignore[arg-type]
        values[f.name] = value
    return kind(**values)


@contextmanager
def _timed(report: BuildReport, stage: str, progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(stage)
    start = time.perf_counter()
    yield
    report.timings[stage] = round(report.timings.get(stage, 0.0) + time.perf_counter() - start, 4)


def build_graphs(
    sources: SourceSet,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    stages: Iterable[Stage[Any]] = STAGES,
) -> tuple[QuadSet, BuildReport]:
    """Run the stages over *sources*; return the validated quads and the report."""
    options = options or BuildOptions()
    report = BuildReport(sources.commit, sources.list_path.name, options.base)
    quads = QuadSet(options.base)
    with _timed(report, "ontology", progress):
        graph = quads["ontology"]
        for triple in load_ontology():
            graph.add(triple.subject, triple.predicate, triple.object)  # type: ignore[arg-type]
        ctx = BuildContext(sources, options, quads, load_taxonomy(), progress)
    for stage in stages:
        if stage.wanted(options):
            with _timed(report, stage.name, progress):
                report.sections[stage.name] = stage.run(ctx)
    report.triples = quads.counts()
    report.warnings = ctx.warnings
    return quads, report


def run_build(
    sources: SourceSet,
    store_dir: Path,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    stages: Iterable[Stage[Any]] = STAGES,
) -> BuildReport:
    """Build the graph from *sources* and swap it into the store at *store_dir*.

    The store's build lock is taken first, so a concurrent build or an unwritable store is
    refused before any work is done.
    """
    with build_lock(store_dir):
        quads, report = build_graphs(sources, options, progress, stages)
        report.built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with _timed(report, "load", progress):
            load_quads(quads, store_dir, report.to_dict())
        write_build_info(store_dir, report.to_dict())  # adds the load stage's timing
    return report
