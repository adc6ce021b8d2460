"""Read what the Wikidata exports need from the store: papers, their items, authors, aligned topics."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from genrl_kg.errors import StoreError

__all__ = [
    "OPENALEX_WORK",
    "PREFIXES",
    "WD",
    "Author",
    "BuildSource",
    "PaperFacts",
    "Subject",
    "qid_of",
    "read_build_source",
    "read_concept_labels",
    "read_papers",
]

log = logging.getLogger(__name__)

WD = "http://www.wikidata.org/entity/"
OPENALEX_WORK = "https://openalex.org/"
_QID = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
PREFIXES = """\
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX cito: <http://purl.org/spar/cito/>
"""


def qid_of(iri: str) -> str | None:
    """Return the Q-id of a Wikidata entity IRI, else None.

    >>> qid_of("http://www.wikidata.org/entity/Q42"), qid_of("https://www.wikidata.org/wiki/Q42")
    ('Q42', None)
    """
    match = _QID.match(iri)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Author:
    """One author of a paper: position (1-based), our person IRI, the name as listed."""

    position: int
    person: str
    name: str


@dataclass(frozen=True)
class Subject:
    """A topic of a paper (a section it is filed under, a base model it uses): our concept, its label,
    and the Wikidata item it is aligned to with skos:exactMatch (if any)."""

    concept: str
    label: str
    qid: str | None


@dataclass
class PaperFacts:
    """Everything the exports say about one paper."""

    iri: str
    title: str = ""
    qids: list[str] = field(default_factory=list)
    arxiv: str | None = None
    primary_category: str | None = None
    doi: str | None = None
    issued: str | None = None  # YYYY-MM-DD
    authors: list[Author] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    openalex: str | None = None  # OpenAlex work id W…
    cites: list[str] = field(default_factory=list)  # IRIs of the list's papers it cites


@dataclass(frozen=True)
class BuildSource:
    """Where the graph came from: the list file at its commit, and the build date."""

    reference_url: str
    created: str  # YYYY-MM-DD


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)  # every caller passes a SELECT
    out = []
    for solution in results:
        row = {}
        for var in results.variables:
            term = solution[var]
            if term is not None:
                row[var.value] = term.value
        out.append(row)
    return out


def read_build_source(store: ox.Store) -> BuildSource:
    """Return the list file URL at its commit (dcterms:source of the dataset as fallback) and date."""
    rows = _rows(
        store,
        """SELECT ?source ?file ?created WHERE {
          ?dataset dcterms:source ?source .
          OPTIONAL { ?dataset dcterms:created ?created }
          OPTIONAL { ?dataset prov:wasGeneratedBy ?build . ?build prov:used ?file
                     FILTER(STRENDS(STR(?file), "/README.md")) }
        } ORDER BY ?source ?file LIMIT 1""",
    )
    if not rows:
        raise StoreError(
            "the store has no build description (dcterms:source of the dataset); rebuild it"
        )
    row = rows[0]
    return BuildSource(row.get("file") or row["source"], (row.get("created") or "")[:10])


def read_papers(store: ox.Store, *, linked_only: bool = False) -> list[PaperFacts]:
    """Return the facts of every paper (or only those with an owl:sameAs Wikidata item), sorted."""
    papers: dict[str, PaperFacts] = {}
    for row in _rows(
        store,
        """SELECT ?paper (MIN(?t) AS ?title) (MIN(?a) AS ?arxiv) (MIN(?d) AS ?doi)
                  (MIN(?i) AS ?issued) (MIN(?pcn) AS ?primary) (MIN(?w) AS ?openalex) WHERE {
          ?paper a genrl:Paper .
          OPTIONAL { ?paper dcterms:title ?t }
          OPTIONAL { ?paper wdt:P818 ?a }
          OPTIONAL { ?paper wdt:P356 ?d }
          OPTIONAL { ?paper dcterms:issued ?i }
          OPTIONAL { ?paper genrl:primaryCategory ?pc . ?pc skos:notation ?pcn }
          OPTIONAL { ?paper wdt:P10283 ?w }
        } GROUP BY ?paper""",
    ):
        papers[row["paper"]] = PaperFacts(
            row["paper"],
            row.get("title", ""),
            [],
            row.get("arxiv"),
            row.get("primary"),
            row.get("doi"),
            (row.get("issued") or "")[:10] or None,
            openalex=row.get("openalex"),
        )
    for row in _rows(
        store, "SELECT ?paper ?item WHERE { ?paper a genrl:Paper ; owl:sameAs ?item }"
    ):
        qid = qid_of(row["item"])
        if qid and row["paper"] in papers:
            papers[row["paper"]].qids.append(qid)
    for row in _rows(
        store,
        """SELECT ?paper ?person ?pos (MIN(?n) AS ?name) WHERE {
          ?paper genrl:authorship ?a . ?a genrl:author ?person ; genrl:position ?pos .
          OPTIONAL { ?person schema:name ?n }
        } GROUP BY ?paper ?person ?pos""",
    ):
        if row["paper"] in papers and row["pos"].isdigit():
            author = Author(int(row["pos"]), row["person"], row.get("name", ""))
            papers[row["paper"]].authors.append(author)
    for row in _rows(
        store,
        "SELECT ?paper ?cited WHERE { ?paper a genrl:Paper ; cito:cites ?cited . ?cited a genrl:Paper }",
    ):
        if row["paper"] in papers and row["cited"] != row["paper"]:
            papers[row["paper"]].cites.append(row["cited"])
    for row in _rows(
        store,
        f"""SELECT ?paper ?concept (MIN(?l) AS ?label) (MIN(?m) AS ?match) WHERE {{
          ?paper a genrl:Paper .
          {{ ?paper dcterms:subject ?concept }} UNION {{ ?paper genrl:baseModel ?concept }}
          OPTIONAL {{ ?concept skos:prefLabel ?l }}
          OPTIONAL {{ ?concept skos:exactMatch ?m FILTER(STRSTARTS(STR(?m), "{WD}Q")) }}
        }} GROUP BY ?paper ?concept""",
    ):
        if row["paper"] in papers:
            subject = Subject(row["concept"], row.get("label", ""), qid_of(row.get("match", "")))
            papers[row["paper"]].subjects.append(subject)
    out = []
    for paper in sorted(papers.values(), key=lambda p: p.iri):
        paper.qids.sort()
        paper.authors.sort(key=lambda a: (a.position, a.person))
        paper.subjects.sort(key=lambda s: s.concept)
        paper.cites.sort()
        if not linked_only or paper.qids:
            out.append(paper)
    return out


def read_concept_labels(store: ox.Store) -> dict[str, tuple[list[tuple[str, str]], str | None]]:
    """Return each SKOS concept's labels as (text, language) pairs and its English-ish definition."""
    concepts: dict[str, tuple[list[tuple[str, str]], str | None]] = {}
    results = store.query(
        PREFIXES
        + "SELECT ?c ?label ?def WHERE { ?c skos:prefLabel ?label OPTIONAL { ?c skos:definition ?def } }",
        use_default_graph_as_union=True,
    )
    assert isinstance(results, ox.QuerySolutions)  # a SELECT query
    for solution in results:
        concept = solution["c"]
        if not isinstance(concept, ox.NamedNode):
            continue
        labels, definition = concepts.setdefault(concept.value, ([], None))
        label, text = solution["label"], solution["def"]
        if isinstance(label, ox.Literal) and (label.value, label.language or "en") not in labels:
            labels.append((label.value, label.language or "en"))
        if isinstance(text, ox.Literal) and (definition is None or text.value < definition):
            concepts[concept.value] = (labels, text.value)
    return {k: (sorted(v[0]), v[1]) for k, v in sorted(concepts.items())}
