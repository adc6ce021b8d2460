"""Triples that describe the build itself as a dataset (VoID, DCAT, PROV)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, VOID, XSD

from genrl_kg import __version__
from genrl_kg.namespace import GENRL
from genrl_kg.rdf import GraphSet
from genrl_kg.settings import ONTOLOGY_IRI, PROJECT_URL


@dataclass(frozen=True)
class BuildFacts:
    """What the dataset description says: sources, commit and a reproducible timestamp."""

    repository: str
    commit: str
    source_files: tuple[str, ...]
    created: str  # ISO 8601 date or dateTime, derived from the input, not the clock


def add_build_description(graphs: GraphSet, facts: BuildFacts) -> None:
    """Describe the dataset, its named graphs and their triple counts in the build graph."""
    g = graphs["build"]
    dataset = graphs.iri("dataset")
    activity = graphs.iri("build")
    upstream = URIRef(f"https://github.com/{facts.repository}/tree/{facts.commit}")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add(
        (dataset, DCTERMS.title, Literal("genrl-kg: generative AI and RL in robotics", lang="en"))
    )
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Papers, taxonomy and table facts of the survey 'The Duality of Generative AI and "
                "Reinforcement Learning in Robotics' and its awesome list, as a knowledge graph.",
                lang="en",
            ),
        )
    )
    g.add((dataset, DCTERMS.source, upstream))
    g.add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, DCAT.landingPage, URIRef(PROJECT_URL)))
    datatype = XSD.dateTime if "T" in facts.created else XSD.date
    g.add((dataset, DCTERMS.created, Literal(facts.created, datatype=datatype)))
    g.add((dataset, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, GENRL.Build))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, GENRL.upstreamCommit, Literal(facts.commit)))
    g.add((activity, PROV.wasAssociatedWith, URIRef(f"{PROJECT_URL}#genrl-kg-{__version__}")))
    for name in facts.source_files:
        source = URIRef(f"https://github.com/{facts.repository}/blob/{facts.commit}/{name}")
        g.add((activity, PROV.used, source))
    _add_counts(graphs, dataset)


def _add_counts(graphs: GraphSet, dataset: URIRef) -> None:
    g = graphs["build"]
    counts = graphs.counts()
    for name, graph in graphs.graphs.items():
        subset = graph.identifier
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        if name != "build":
            g.add((subset, VOID.triples, Literal(counts[name], datatype=XSD.integer)))
    # The build graph's own size includes the two triples added below.
    own = len(g) + 2
    g.add((g.identifier, VOID.triples, Literal(own, datatype=XSD.integer)))
    total = sum(v for k, v in counts.items() if k != "build") + own
    g.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
