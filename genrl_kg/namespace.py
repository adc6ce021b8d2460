"""Namespaces, prefixes and concept-scheme IRIs as plain strings; GENRL mirrors the ontology.

No RDF library is imported here: the build's hot path turns these strings into pyoxigraph
terms (``genrl_kg.rdf.terms``), and rdflib users wrap them in ``URIRef`` or call
:func:`bind_prefixes`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ARXIV_CATEGORY_SCHEME",
    "BASE_MODEL_SCHEME",
    "CITO",
    "CODE_AVAILABILITY_SCHEME",
    "CONCEPT_BASE",
    "CONCEPT_SCHEMES",
    "DCAT",
    "DCTERMS",
    "EVALUATION_SETTING_SCHEME",
    "FOAF",
    "GENRL",
    "GENRL_TERMS",
    "MODALITY_SCHEME",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "RL_TASK_SCHEME",
    "SCHEMA",
    "SKOS",
    "TAXONOMY_SCHEME",
    "VANN",
    "VOID",
    "WDT",
    "XSD",
    "Namespace",
    "bind_prefixes",
    "concept_iri",
]


class Namespace:
    """A namespace IRI whose attributes and items are the IRIs of its terms, as strings.

    With *terms*, only those names exist and any other raises AttributeError.

    >>> ex = Namespace("https://example.org/", terms=("Paper", "title"))
    >>> ex.Paper, ex.title, str(ex)
    ('https://example.org/Paper', 'https://example.org/title', 'https://example.org/')
    >>> ex.Papr
    Traceback (most recent call last):
    AttributeError: 'Papr' is not a term of https://example.org/
    """

    __slots__ = ("_iri", "_terms")

    def __init__(self, iri: str, terms: tuple[str, ...] | None = None) -> None:
        """Create the namespace *iri*, closed to *terms* when they are given."""
        self._iri = iri
        self._terms = frozenset(terms) if terms is not None else None

    def term(self, name: str) -> str:
        """Return the IRI of term *name*, or raise AttributeError for a closed namespace."""
        if self._terms is not None and name not in self._terms:
            raise AttributeError(f"{name!r} is not a term of {self._iri}")
        return self._iri + name

    def __getattr__(self, name: str) -> str:
        """Return the IRI of term *name*."""
        if name.startswith("__"):
            raise AttributeError(name)
        return self.term(name)

    def __getitem__(self, name: str) -> str:
        """Return the IRI of term *name* (``WDT["P818"]``)."""
        return self.term(name)

    def __str__(self) -> str:
        """Return the namespace IRI."""
        return self._iri

    def __repr__(self) -> str:
        """Show the namespace IRI."""
        return f"Namespace({self._iri!r})"

    def __dir__(self) -> list[str]:
        """List the terms of a closed namespace."""
        return sorted(self._terms or ())


GENRL_TERMS = (
    # classes
    "Paper",
    "Framework",
    "Dataset",
    "FoundationModel",
    "Person",
    "Authorship",
    "ListEntry",
    "TableRow",
    "Cell",
    "ModalityProfile",
    "Build",
    "PrimaryDimension",
    "SecondaryDimension",
    "TaskGroup",
    "TaxonomyLeaf",
    "BaseModelType",
    "Modality",
    "RLTask",
    "CodeAvailability",
    "EvaluationSetting",
    "ArxivCategory",
    # paper identifiers and list facts
    "listedLink",
    "arxivId",
    "doi",
    "openReviewId",
    "ieeeXploreId",
    "yearAdded",
    "markedNew",
    "mergedEntries",
    # provenance
    "sourceFile",
    "sourceLine",
    "upstreamCommit",
    "rawText",
    # taxonomy cross-links
    "aboutBaseModel",
    "aboutRLTask",
    # modality table
    "modelType",
    "inputModality",
    "outputModality",
    "inputModalityText",
    "outputModalityText",
    "primaryRole",
    "tradeOff",
    # table rows
    "sheet",
    "rowNumber",
    "tableCategory",
    "citationKey",
    "describesPaper",
    "linkMethod",
    "linkConfidence",
    "resolved",
    "cellText",
    "column",
    "columnIndex",
    "introducesFramework",
    "acronym",
    "usesFoundationModel",
    "codeAvailability",
    "evaluationSetting",
    "usesDataset",
    "application",
    "taxonomyTag",
    # arXiv metadata
    "arxivVersion",
    "arxivCategory",
    "primaryCategory",
    "authorship",
    "author",
    "position",
    "affiliationText",
    "arxivTitle",
    "enriched",
    "titleCheck",
    # the list's history
    "ListVersion",
    "DelistedPaper",
    "ListChange",
    "SectionMove",
    "Retitle",
    "commit",
    "entryCount",
    "paperCount",
    "firstListed",
    "firstListedIn",
    "lastListedIn",
    "delistedOn",
    "change",
    "inVersion",
    "fromSection",
    "toSection",
    "fromTitle",
    "toTitle",
    # facts per paper, with their evidence
    "Evidence",
    "baseModel",
    "arxivMonth",
    "evidence",
    "evidenceProperty",
    "evidenceValue",
    "evidenceMethod",
    "evidenceText",
    "confidence",
    # scholarly metadata from OpenAlex
    "Venue",
    "PublishedVersion",
    "Institution",
    "citedByCount",
    "citedByCountDate",
    "publishedVersion",
    "venue",
    "openAccessUrl",
    "affiliation",
)

GENRL = Namespace("https://w3id.org/genrl-kg/ontology#", GENRL_TERMS)
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
# schema.org: the https form schema.org itself publishes.
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VANN = Namespace("http://purl.org/vocab/vann/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
CITO = Namespace("http://purl.org/spar/cito/")

CONCEPT_BASE = "https://w3id.org/genrl-kg/"
TAXONOMY_SCHEME = CONCEPT_BASE + "taxonomy"
BASE_MODEL_SCHEME = CONCEPT_BASE + "base-model"
MODALITY_SCHEME = CONCEPT_BASE + "modality"
RL_TASK_SCHEME = CONCEPT_BASE + "rl-task"
CODE_AVAILABILITY_SCHEME = CONCEPT_BASE + "code-availability"
EVALUATION_SETTING_SCHEME = CONCEPT_BASE + "evaluation-setting"
ARXIV_CATEGORY_SCHEME = CONCEPT_BASE + "arxiv-category"
CONCEPT_SCHEMES: tuple[str, ...] = (
    TAXONOMY_SCHEME,
    BASE_MODEL_SCHEME,
    MODALITY_SCHEME,
    RL_TASK_SCHEME,
    CODE_AVAILABILITY_SCHEME,
    EVALUATION_SETTING_SCHEME,
    ARXIV_CATEGORY_SCHEME,
)

PREFIXES: dict[str, str] = {
    "genrl": str(GENRL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "void": str(VOID),
    "dcat": str(DCAT),
    "vann": str(VANN),
    "wdt": str(WDT),
    "cito": str(CITO),
    "tax": CONCEPT_BASE + "taxonomy/",
    "basemodel": CONCEPT_BASE + "base-model/",
    "modality": CONCEPT_BASE + "modality/",
    "rltask": CONCEPT_BASE + "rl-task/",
    "code": CONCEPT_BASE + "code-availability/",
    "evalset": CONCEPT_BASE + "evaluation-setting/",
    "arxivcat": CONCEPT_BASE + "arxiv-category/",
}


def concept_iri(scheme: str, slug: str) -> str:
    """Return the fixed IRI of concept *slug* in concept scheme *scheme*.

    >>> concept_iri("base-model", "llm")
    'https://w3id.org/genrl-kg/base-model/llm'
    """
    return f"{CONCEPT_BASE}{scheme}/{slug}"


def bind_prefixes(graph: Any) -> Any:
    """Bind every prefix of PREFIXES on an rdflib *graph* (replacing its defaults); return it."""
    from rdflib import Namespace as RdflibNamespace

    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, RdflibNamespace(iri), override=True, replace=True)
    return graph
