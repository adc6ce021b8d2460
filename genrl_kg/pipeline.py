"""The build: sources -> records -> triples -> validation -> store."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.graph import ReadOnlyGraphAggregate

from genrl_kg.enrich import EnrichOptions, enrich_from_arxiv
from genrl_kg.papers import PaperRecord, load_same_papers, merge_entries
from genrl_kg.rdf import GraphSet
from genrl_kg.rdf.build import BuildFacts, add_build_description
from genrl_kg.rdf.papers import ListSource, add_modality_rows, add_paper, add_sections
from genrl_kg.settings import BASE_IRI, DATA_DIR, ONTOLOGY_FILE
from genrl_kg.sources.awesome_list import read_list
from genrl_kg.sources.upstream import SourceSet, load_pin
from genrl_kg.store import build_lock, write_build_info, write_store
from genrl_kg.tables_stage import add_tables
from genrl_kg.taxonomy import Taxonomy, load_ontology
from genrl_kg.validate import validate_graph

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
SAME_PAPERS = DATA_DIR / "same-papers.csv"


@dataclass
class BuildReport:
    """What a build read, merged, skipped and wrote; the numbers add up."""

    commit: str
    list_file: str
    base: str = BASE_IRI
    entries_read: int = 0
    unique_papers: int = 0
    entries_merged: int = 0
    merges: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)
    sections: int = 0
    triples: dict[str, int] = field(default_factory=dict)
    arxiv: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    built_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return asdict(self)


@contextmanager
def _timed(report: BuildReport, stage: str, progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(stage)
    start = time.perf_counter()
    yield
    report.timings[stage] = round(report.timings.get(stage, 0.0) + time.perf_counter() - start, 4)


def reproducible_timestamp(commit: str) -> str:
    """Return the build's timestamp: $SOURCE_DATE_EPOCH, else the pinned commit's date.

    The timestamp depends on the input only, so the same input exports byte-identical Turtle.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pin = load_pin()
    return pin.date if commit == pin.commit else "1970-01-01"


def add_list(
    graphs: GraphSet, sources: SourceSet, taxonomy: Taxonomy, report: BuildReport
) -> list[tuple[PaperRecord, URIRef]]:
    """Parse the list, merge its entries and add papers, sections and the Modality table."""
    parsed = read_list(sources.list_path)
    merged = merge_entries(parsed.entries, load_same_papers(SAME_PAPERS))
    paths = {entry.section.path for entry in parsed.entries}
    sections = {path: taxonomy.resolve_section(path, graphs.base) for path in sorted(paths)}
    add_sections(graphs, sections)
    source = ListSource(sources.list_path.name, sources.commit)
    nodes = [(paper, add_paper(graphs, paper, sections, source)) for paper in merged.papers]
    add_modality_rows(graphs, parsed.modality_rows, taxonomy)
    report.entries_read = len(parsed.entries)
    report.unique_papers = len(merged.papers)
    report.entries_merged = report.entries_read - report.unique_papers
    report.merges = [
        {"key": m.key, "lines": list(m.lines), "reason": m.reason} for m in merged.merges
    ]
    report.problems = [{"line": p.line, "message": p.message} for p in parsed.problems]
    report.sections = len(sections)
    report.new_sections = [" / ".join(p) for p, s in sections.items() if not s.known]
    for path in report.new_sections:
        report.warnings.append(f"{sources.list_path.name}: new section not in the ontology: {path}")
    for problem in parsed.problems:
        report.warnings.append(f"{sources.list_path.name}:{problem.line}: {problem.message}")
    return nodes


def add_links(graphs: GraphSet, cache_dir: Path | None, report: BuildReport) -> None:
    """Add Wikidata links from cached answers (no network) and the curated concept alignment.

    Without a cache directory only the alignment is added, so a build never depends on
    whatever an earlier ``genrl-kg link wikidata`` left in the user's cache by accident.
    """
    from genrl_kg.linking_wikidata import links_from_cache

    with tempfile.TemporaryDirectory() as empty:
        links = links_from_cache(graphs, cache_dir=cache_dir or Path(empty))
    report.links = {
        "papers_linked": links.papers_linked,
        "papers_ambiguous": len(links.ambiguous),
        "authors_linked": links.authors_linked,
        "alignments": links.alignments,
    }


def build_graphs(
    sources: SourceSet,
    base: str = BASE_IRI,
    progress: Progress | None = None,
    enrich: EnrichOptions | None = None,
    strict: bool = False,
    cache_dir: Path | None = None,
) -> tuple[GraphSet, BuildReport]:
    """Turn the sources into the build's named graphs, validated, with a report."""
    report = BuildReport(commit=sources.commit, list_file=sources.list_path.name, base=base)
    graphs = GraphSet(base)
    with _timed(report, "ontology", progress):
        ontology = load_ontology(ONTOLOGY_FILE)
        for triple in ontology:
            graphs["ontology"].add(triple)
        taxonomy = Taxonomy(ontology)
    with _timed(report, "list", progress):
        papers = add_list(graphs, sources, taxonomy, report)
    records = {}
    if enrich is not None:
        with _timed(report, "arxiv", progress):
            records = enrich_from_arxiv(graphs, papers, enrich, report)
    with _timed(report, "tables", progress):
        add_tables(graphs, sources, taxonomy, papers, records, report, strict)
    with _timed(report, "links", progress):
        add_links(graphs, cache_dir, report)
    with _timed(report, "shacl", progress):
        names = ("ontology", "list", "tables", "arxiv", "links")
        validate_graph(ReadOnlyGraphAggregate([graphs[name] for name in names]))
    with _timed(report, "describe", progress):
        files = (sources.list_path.name, *(p.name for p in sources.table_paths))
        pin = load_pin()
        facts = BuildFacts(
            pin.repository, sources.commit, files, reproducible_timestamp(sources.commit)
        )
        add_build_description(graphs, facts)
    report.triples = graphs.counts()
    return graphs, report


def run_build(
    sources: SourceSet,
    store_dir: Path,
    base: str = BASE_IRI,
    progress: Progress | None = None,
    enrich: EnrichOptions | None = None,
    strict: bool = False,
    cache_dir: Path | None = None,
) -> BuildReport:
    """Build the graph from *sources* and swap it into the store at *store_dir*.

    The store's build lock is taken first, so a concurrent build or an unwritable store is
    refused before any work is done.
    """
    with build_lock(store_dir):
        graphs, report = build_graphs(sources, base, progress, enrich, strict, cache_dir)
        report.built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with _timed(report, "convert", progress):
            quads = list(graphs.iter_quads())
        with _timed(report, "load", progress):
            write_store(store_dir, quads, report.to_dict(), locked=True)
        write_build_info(store_dir, report.to_dict())  # adds the load stage's timing
    return report
