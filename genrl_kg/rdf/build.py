"""Triples that describe the build itself as a dataset (VoID, DCAT, PROV), with true counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from genrl_kg import __version__
from genrl_kg.rdf import QuadSet
from genrl_kg.rdf.terms import (
    DCAT,
    DCTERMS,
    GENRL,
    PROV,
    RDF,
    RDFS,
    VOID,
    XSD,
    integer,
    iri,
    path_segment,
    text,
)
from genrl_kg.settings import ONTOLOGY_IRI, PROJECT_URL

__all__ = ["BuildFacts", "add_build_description", "count_quads", "recount"]

TITLE = "genrl-kg: generative AI and RL in robotics"
DESCRIPTION = (
    "Papers, taxonomy and table facts of the survey 'The Duality of Generative AI and "
    "Reinforcement Learning in Robotics' and its awesome list, as a knowledge graph."
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class BuildFacts:
    """What the dataset description says about its sources, all of it checked.

    *commit* and *created* are None for a local copy whose commit is unknown: then the
    description says "local copy" and invents no URL or date.
    """

    repository: str
    commit: str | None
    source_files: tuple[str, ...]
    created: str | None  # ISO 8601 date or dateTime of the commit, never the clock


def add_build_description(quads: QuadSet, facts: BuildFacts) -> None:
    """Describe the dataset, its named graphs that hold triples, and their counts."""
    g = quads["build"]
    dataset = quads.iri("dataset")
    activity = quads.iri("build")
    g.add(dataset, RDF.type, VOID.Dataset)
    g.add(dataset, RDF.type, DCAT.Dataset)
    g.add(dataset, DCTERMS.title, text(TITLE, "en"))
    g.add(dataset, DCTERMS.description, text(DESCRIPTION, "en"))
    g.add(dataset, DCTERMS.license, iri(LICENSE))
    g.add(dataset, VOID.vocabulary, iri(ONTOLOGY_IRI))
    g.add(dataset, DCTERMS.conformsTo, iri(ONTOLOGY_IRI))
    g.add(dataset, DCAT.landingPage, iri(PROJECT_URL))
    if facts.created is not None:
        datatype = XSD.dateTime if "T" in facts.created else XSD.date
        g.add(dataset, DCTERMS.created, ox.Literal(facts.created, datatype=datatype))
    g.add(dataset, PROV.wasGeneratedBy, activity)
    g.add(activity, RDF.type, GENRL.Build)
    g.add(activity, RDF.type, PROV.Activity)
    g.add(activity, PROV.wasAssociatedWith, iri(f"{PROJECT_URL}#genrl-kg-{__version__}"))
    if facts.commit is not None:
        repository = f"https://github.com/{facts.repository}"
        g.add(dataset, DCTERMS.source, iri(f"{repository}/tree/{facts.commit}"))
        g.add(activity, GENRL.upstreamCommit, text(facts.commit))
        for name in facts.source_files:
            source = f"{repository}/blob/{facts.commit}/{path_segment(name)}"
            g.add(activity, PROV.used, iri(source))
    else:
        # The list's home, not a commit: the copy's commit is unknown.
        g.add(dataset, DCTERMS.source, iri(f"https://github.com/{facts.repository}"))
        g.add(activity, RDFS.comment, text("built from a local copy of the list", "en"))
        for name in facts.source_files:
            g.add(activity, GENRL.sourceFile, text(name))
    counts = {name: n for name, n in quads.counts().items() if n or name == "build"}
    for name in counts:
        g.add(dataset, VOID.subset, quads[name].name)
        g.add(quads[name].name, RDF.type, VOID.Dataset)
    for triple in count_quads(counts, quads.base, len(g)):
        g.add(*triple)


def count_quads(
    counts: Mapping[str, int], base: str, build_size: int
) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.Literal]]:
    """Return the ``void:triples`` statements for graphs of *counts* and the whole dataset.

    *build_size* is the build graph's size without any ``void:triples``; its own count
    includes the statements returned here.
    """
    dataset = iri(f"{base}dataset")
    out = [
        (iri(f"{base}graph/{name}"), VOID.triples, integer(count))
        for name, count in counts.items()
        if name != "build"
    ]
    own = build_size + len(out) + 2
    out.append((iri(f"{base}graph/build"), VOID.triples, integer(own)))
    total = sum(v for k, v in counts.items() if k != "build") + own
    out.append((dataset, VOID.triples, integer(total)))
    return out


def recount(quads: Iterable[ox.Quad], base: str, names: Iterable[str]) -> list[ox.Quad]:
    """Return *quads* with the build graph's ``void:triples`` recomputed from the quads.

    Called whenever a named graph is swapped, so the live description never states the
    counts of an earlier version of the data.
    """
    build = iri(f"{base}graph/build")
    kept = [q for q in quads if not (q.graph_name == build and q.predicate == VOID.triples)]
    counts = dict.fromkeys(names, 0)
    by_iri = {f"{base}graph/{name}": name for name in counts}
    for quad in kept:
        name = by_iri.get(getattr(quad.graph_name, "value", ""))
        if name is not None:
            counts[name] += 1
    fresh = count_quads(counts, base, counts.get("build", 0))
    return kept + [ox.Quad(s, p, o, build) for s, p, o in fresh]
