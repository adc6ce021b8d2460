"""Compare two versions of the list, each a commit of its history, a source folder or a store."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from genrl_kg.build.awesome_list import SAME_PAPERS
from genrl_kg.errors import SourceError
from genrl_kg.identifiers import LinkId, classify_link
from genrl_kg.papers import PaperRecord, load_same_papers, merge_entries
from genrl_kg.settings import BASE_IRI
from genrl_kg.sources.awesome_list import Heading, read_list
from genrl_kg.sources.history import History, ListDiff, diff_versions, find_version, parse_version
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import database_path, open_store, read_build_info
from genrl_kg.taxonomy import Taxonomy, load_taxonomy

__all__ = ["COMMIT", "FOLDER", "STORE", "Side", "compare_sides", "read_side", "side_kind"]

LOG = logging.getLogger(__name__)
COMMIT, FOLDER, STORE = "commit", "folder", "store"
SectionPath = tuple[str, ...]
_PREFIXES = """
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_PAPER_FACTS = {
    "title": "?paper dcterms:title ?value",
    "alternative": "?paper dcterms:alternative ?value",
    "link": "?paper genrl:listedLink ?value",
    "subject": "?paper dcterms:subject ?value",
}
_CONCEPTS = (
    _PREFIXES
    + """
SELECT ?concept ?label ?broader WHERE {
  ?concept skos:prefLabel ?label .
  OPTIONAL { ?concept skos:broader ?broader }
}
"""
)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: what it is, how to name it, and its papers."""

    kind: str
    label: str
    papers: tuple[PaperRecord, ...]
    commit_index: int = -1


def side_kind(argument: str) -> str:
    """Return what *argument* names: a store (``DIR/current/db``), a source folder, or a commit.

    >>> side_kind("3a091cc")
    'commit'
    """
    path = Path(argument)
    if database_path(path).is_dir():
        return STORE
    return FOLDER if path.is_dir() else COMMIT


def _heading(path: SectionPath) -> Heading:
    """Return a heading standing for the section *path* (as read from a store)."""
    return Heading(len(path) + 1, path[-1], path[-1], None, 0, path, frozenset())


def _links(urls: Sequence[str]) -> tuple[LinkId, ...]:
    """Return the identifiers of the listed links *urls*, as the list stage classifies them."""
    found: list[LinkId] = []
    for url in urls:
        try:
            link = classify_link(url)
        except ValueError:
            continue
        if link not in found:
            found.append(link)
    return tuple(found)


def _facts(store: ox.Store, pattern: str) -> dict[str, list[str]]:
    """Return the values of *pattern* for every current paper, sorted, by paper IRI."""
    query = f"{_PREFIXES}SELECT ?paper ?value WHERE {{ ?paper a genrl:Paper . {pattern} }}"
    results = store.query(query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    found: dict[str, list[str]] = {}
    for row in results:
        found.setdefault(str(row["paper"].value), []).append(str(row["value"].value))
    return {k: sorted(v) for k, v in found.items()}


def _concept_paths(store: ox.Store) -> dict[str, SectionPath]:
    """Return every concept's label path from the top of its scheme down."""
    labels: dict[str, str] = {}
    broader: dict[str, str] = {}
    results = store.query(_CONCEPTS, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    for row in results:
        concept = str(row["concept"].value)
        labels.setdefault(concept, str(row["label"].value))
        if row["broader"] is not None:
            parent = str(row["broader"].value)
            broader[concept] = min(parent, broader.get(concept, parent))
    paths: dict[str, SectionPath] = {}
    for concept in labels:
        chain: list[str] = []
        node = concept
        while node in labels and node not in chain and len(chain) < 20:
            chain.append(node)
            node = broader.get(node, "")
        paths[concept] = tuple(labels[c] for c in reversed(chain))
    return paths


def read_store_papers(store_dir: Path) -> tuple[PaperRecord, ...]:
    """Return the current papers of a store with titles, identifiers and concept sections."""
    store = open_store(store_dir)
    base = str(read_build_info(store_dir).get("base") or BASE_IRI)
    facts = {name: _facts(store, pattern) for name, pattern in _PAPER_FACTS.items()}
    paths = _concept_paths(store)
    papers = []
    for iri, titles in sorted(facts["title"].items()):
        key = iri.removeprefix(f"{base}paper/") if iri.startswith(base) else iri
        sections = sorted({paths[s] for s in facts["subject"].get(iri, []) if s in paths})
        links = facts["link"].get(iri, [])
        papers.append(
            PaperRecord(
                key=key,
                title=titles[0],
                titles=(titles[0], *facts["alternative"].get(iri, [])),
                link_ids=_links(links),
                listed_links=tuple(links),
                sections=tuple(_heading(p) for p in sections),
                entries=(),
                year_added=None,
                flags=frozenset(),
            )
        )
    return tuple(papers)


def _concept_path(taxonomy: Taxonomy, path: SectionPath, base: str) -> SectionPath:
    """Return the label path of the concept a list section *path* resolves to."""
    section = taxonomy.resolve_section(path, base)
    if not section.known:
        above = _concept_path(taxonomy, path[:-1], base) if len(path) > 1 else ()
        return (*above, section.label)
    chain, node = [section.iri], taxonomy.broader(section.iri)
    while node is not None and node not in chain:
        chain.append(node)
        node = taxonomy.broader(node)
    return tuple(taxonomy.label(c) for c in reversed(chain))


def _as_concepts(papers: Sequence[PaperRecord], base: str) -> tuple[PaperRecord, ...]:
    """Return *papers* with their sections as concept label paths, as a store has them."""
    taxonomy = load_taxonomy()
    logger = logging.getLogger("genrl_kg.taxonomy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        out = []
        known: dict[SectionPath, SectionPath] = {}
        for paper in papers:
            for heading in paper.sections:
                if heading.path and heading.path not in known:
                    known[heading.path] = _concept_path(taxonomy, heading.path, base)
            paths = sorted({known[h.path] for h in paper.sections if h.path})
            out.append(dataclasses.replace(paper, sections=tuple(map(_heading, paths))))
        return tuple(out)
    finally:
        logger.setLevel(level)


def read_side(argument: str, history: History | None) -> Side:
    """Return the papers *argument* names: a store, a source folder or a commit of *history*."""
    kind = side_kind(argument)
    if kind == STORE:
        return Side(STORE, f"store {argument}", read_store_papers(Path(argument)))
    same = load_same_papers(SAME_PAPERS)
    if kind == FOLDER:
        parsed = read_list(local_source(Path(argument)).list_path)
        return Side(FOLDER, argument, merge_entries(parsed.entries, same).papers)
    if history is None:
        raise SourceError(
            f"{argument}: not a folder or a store; to compare commits give --history DIR "
            "(or build with --history first)"
        )
    version = find_version(history, argument)
    if version.readme is None:
        raise SourceError(f"{argument}: commit {version.short()} has no {history.list_name}")
    papers = parse_version(version, history.list_name, same).papers
    label = f"{argument} ({version.date:%Y-%m-%d})"
    return Side(COMMIT, label, papers, history.versions.index(version))


def _between(history: History, old: Side, new: Side) -> list[tuple[PaperRecord, ...]]:
    """Return the papers of the list versions between two commits, in the diff's direction."""
    same = load_same_papers(SAME_PAPERS)
    low, high = sorted((old.commit_index, new.commit_index))
    middle = [v for v in history.versions[low + 1 : high] if v.list_changed and v.readme]
    if old.commit_index > new.commit_index:
        middle.reverse()
    return [parse_version(v, history.list_name, same).papers for v in middle]


def compare_sides(old: Side, new: Side, history: History | None, base: str = BASE_IRI) -> ListDiff:
    """Compare two sides by the taxonomy concepts of their sections (a renamed heading is no move)."""
    old_papers = old.papers if old.kind == STORE else _as_concepts(old.papers, base)
    new_papers = new.papers if new.kind == STORE else _as_concepts(new.papers, base)
    via: list[tuple[PaperRecord, ...]] = []
    if history is not None and old.kind == COMMIT and new.kind == COMMIT:
        via = _between(history, old, new)
    return diff_versions(old_papers, new_papers, old.label, new.label, via=via)
