"""Triples for the list's history: versions, first listings, delisted papers, moves, retitles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime as Datetime

import pyoxigraph as ox

from genrl_kg.identifiers import LinkId
from genrl_kg.papers import PaperRecord
from genrl_kg.rdf import Graph, QuadSet
from genrl_kg.rdf.terms import (
    DCTERMS,
    GENRL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    datetime,
    integer,
    iri,
    text,
)
from genrl_kg.sources.history import Move, PaperHistory, Retitle, VersionRef
from genrl_kg.taxonomy import SectionConcept

__all__ = [
    "Sections",
    "add_changes",
    "add_delisted_paper",
    "add_first_listed",
    "add_past_sections",
    "add_versions",
    "change_iri",
    "concepts_of",
    "version_iri",
    "xsd_datetime",
]

Sections = Mapping[tuple[str, ...], SectionConcept]
_IDENTIFIERS = {
    "arxiv": GENRL.arxivId,
    "doi": GENRL.doi,
    "openreview": GENRL.openReviewId,
    "ieee": GENRL.ieeeXploreId,
}


def xsd_datetime(value: Datetime) -> ox.Literal:
    """Return a commit date as an xsd:dateTime literal, keeping its own UTC offset.

    >>> from datetime import datetime, timedelta, timezone
    >>> xsd_datetime(datetime(2025, 3, 7, 12, 0, tzinfo=timezone(timedelta(hours=-5)))).value
    '2025-03-07T12:00:00-05:00'
    """
    return datetime(value.isoformat(timespec="seconds"))


def version_iri(quads: QuadSet, commit: str) -> ox.NamedNode:
    """Return the IRI of the list version at git commit *commit*."""
    return quads.iri("list-version", commit)


def change_iri(quads: QuadSet, commit: str, kind: str, key: str) -> ox.NamedNode:
    """Return the IRI of the *kind* change (``section-move``, ``retitle``) of paper *key*.

    >>> change_iri(QuadSet("https://example.org/"), "ab12", "retitle", "arxiv/2303.04137").value
    'https://example.org/list-change/ab12/retitle/arxiv/2303.04137'
    """
    return quads.iri("list-change", commit, kind, key)


def add_versions(quads: QuadSet, versions: Sequence[VersionRef]) -> dict[str, ox.NamedNode]:
    """Add every version of the list (oldest first); return their nodes by commit."""
    g = quads["history"]
    nodes: dict[str, ox.NamedNode] = {}
    previous: ox.NamedNode | None = None
    for version in versions:
        node = nodes[version.commit] = version_iri(quads, version.commit)
        g.add(node, RDF.type, GENRL.ListVersion)
        g.add(node, RDFS.label, text(f"the list at {version.commit[:7]}"))
        g.add(node, GENRL.commit, text(version.commit))
        if version.upstream_commit:
            g.add(node, GENRL.upstreamCommit, text(version.upstream_commit))
        g.add(node, DCTERMS.date, xsd_datetime(version.date))
        g.add(node, GENRL.entryCount, integer(version.entries))
        g.add(node, GENRL.paperCount, integer(version.papers))
        if previous is not None:
            g.add(node, PROV.wasRevisionOf, previous)
        previous = node
    return nodes


def add_first_listed(
    quads: QuadSet, node: ox.NamedNode, paper: PaperHistory, versions: Mapping[str, ox.NamedNode]
) -> None:
    """Say when and in which version the list first named the paper at *node*."""
    g = quads["history"]
    g.add(node, GENRL.firstListed, xsd_datetime(paper.first_listed.date))
    g.add(node, GENRL.firstListedIn, versions[paper.first_listed.commit])


def _add_identifiers(g: Graph, node: ox.NamedNode, links: Iterable[LinkId]) -> None:
    """Add the identifiers a delisted paper was listed with (no Wikidata properties)."""
    for link in links:
        predicate = _IDENTIFIERS.get(link.kind)
        if predicate is not None:
            g.add(node, predicate, text(link.value))


def add_delisted_paper(
    quads: QuadSet,
    paper: PaperHistory,
    record: PaperRecord | None,
    versions: Mapping[str, ox.NamedNode],
) -> ox.NamedNode:
    """Add a paper the newest version no longer lists: never a genrl:Paper, with its dates."""
    assert paper.delisted is not None
    g = quads["history"]
    node = quads.iri("paper", paper.key)
    g.add(node, RDF.type, GENRL.DelistedPaper)
    g.add(node, DCTERMS.title, text(paper.title))
    add_first_listed(quads, node, paper, versions)
    g.add(node, GENRL.lastListedIn, versions[paper.last_listed.commit])
    g.add(node, GENRL.delistedOn, xsd_datetime(paper.delisted.date))
    if record is not None:
        if record.link_ids:
            g.add(node, SCHEMA.url, iri(record.link_ids[0].canonical_url))
        _add_identifiers(g, node, record.link_ids)
    return node


def concepts_of(paths: Iterable[tuple[str, ...]], sections: Sections) -> set[str]:
    """Return the concept IRIs of section *paths* (paths with no concept are left out)."""
    return {sections[p].iri for p in paths if p in sections}


def _add_move(
    quads: QuadSet,
    node: ox.NamedNode,
    key: str,
    move: Move,
    sections: Sections,
    version: ox.NamedNode,
) -> bool:
    """Add one section move of paper *key*; return False if only heading texts changed."""
    before = concepts_of(move.old_sections, sections)
    after = concepts_of(move.new_sections, sections)
    if before == after:
        return False
    g = quads["history"]
    change = change_iri(quads, move.version.commit, "section-move", key)
    g.add(change, RDF.type, GENRL.SectionMove)
    g.add(change, GENRL.inVersion, version)
    for concept in sorted(before - after):
        g.add(change, GENRL.fromSection, iri(concept))
    for concept in sorted(after - before):
        g.add(change, GENRL.toSection, iri(concept))
    g.add(node, GENRL.change, change)
    return True


def _add_retitle(
    quads: QuadSet, node: ox.NamedNode, key: str, retitle: Retitle, version: ox.NamedNode
) -> None:
    """Add one title change of paper *key*."""
    g = quads["history"]
    change = change_iri(quads, retitle.version.commit, "retitle", key)
    g.add(change, RDF.type, GENRL.Retitle)
    g.add(change, GENRL.inVersion, version)
    g.add(change, GENRL.fromTitle, text(retitle.old_title))
    g.add(change, GENRL.toTitle, text(retitle.new_title))
    g.add(node, GENRL.change, change)


def add_changes(
    quads: QuadSet,
    node: ox.NamedNode,
    paper: PaperHistory,
    sections: Sections,
    versions: Mapping[str, ox.NamedNode],
) -> tuple[int, int]:
    """Add the paper's section moves and retitles; return how many of each were added."""
    moves = sum(
        _add_move(quads, node, paper.key, m, sections, versions[m.version.commit])
        for m in paper.moves
    )
    for retitle in paper.retitles:
        _add_retitle(quads, node, paper.key, retitle, versions[retitle.version.commit])
    return moves, len(paper.retitles)


def add_past_sections(quads: QuadSet, sections: Sections, defined: set[str]) -> int:
    """Add the concepts minted for sections only earlier versions had; return how many.

    They stay out of the taxonomy scheme (no skos:inScheme), so the current taxonomy tree and
    its counts do not show them; *defined* are concept IRIs that already have triples.
    """
    g = quads["history"]
    added = 0
    for path, section in sorted(sections.items()):
        if section.known or section.iri in defined:
            continue
        defined.add(section.iri)
        node = iri(section.iri)
        g.add(node, RDF.type, SKOS.Concept)
        g.add(node, SKOS.prefLabel, text(section.label, "en"))
        where = " / ".join(path)
        g.add(
            node,
            SKOS.definition,
            text(f"A section of earlier versions of the list: {where}.", "en"),
        )
        if section.broader is not None:
            g.add(node, SKOS.broader, iri(section.broader))
        added += 1
    return added
