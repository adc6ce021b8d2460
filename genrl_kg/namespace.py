"""RDF namespaces, prefixes and concept-scheme IRIs; GENRL mirrors ontology/genrl.ttl."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "ARXIV_CATEGORY_SCHEME",
    "BASE_MODEL_SCHEME",
    "CODE_AVAILABILITY_SCHEME",
    "CONCEPT_BASE",
    "CONCEPT_SCHEMES",
    "DCAT",
    "DCTERMS",
    "EVALUATION_SETTING_SCHEME",
    "FOAF",
    "GENRL",
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
    "bind_prefixes",
    "concept_iri",
]

# schema.org: rdflib's SDO uses https://schema.org/, the form schema.org itself publishes.
SCHEMA = SDO
WDT = Namespace("http://www.wikidata.org/prop/direct/")
VANN = Namespace("http://purl.org/vocab/vann/")

CONCEPT_BASE = "https://w3id.org/genrl-kg/"
TAXONOMY_SCHEME = URIRef(CONCEPT_BASE + "taxonomy")
BASE_MODEL_SCHEME = URIRef(CONCEPT_BASE + "base-model")
MODALITY_SCHEME = URIRef(CONCEPT_BASE + "modality")
RL_TASK_SCHEME = URIRef(CONCEPT_BASE + "rl-task")
CODE_AVAILABILITY_SCHEME = URIRef(CONCEPT_BASE + "code-availability")
EVALUATION_SETTING_SCHEME = URIRef(CONCEPT_BASE + "evaluation-setting")
ARXIV_CATEGORY_SCHEME = URIRef(CONCEPT_BASE + "arxiv-category")
CONCEPT_SCHEMES: tuple[URIRef, ...] = (
    TAXONOMY_SCHEME,
    BASE_MODEL_SCHEME,
    MODALITY_SCHEME,
    RL_TASK_SCHEME,
    CODE_AVAILABILITY_SCHEME,
    EVALUATION_SETTING_SCHEME,
    ARXIV_CATEGORY_SCHEME,
)


class GENRL(DefinedNamespace):
    """The genrl-kg ontology terms; an undefined name raises AttributeError."""

    _NS = Namespace("https://w3id.org/genrl-kg/ontology#")
    _fail = True

    # classes
    Paper: URIRef
    Framework: URIRef
    Dataset: URIRef
    FoundationModel: URIRef
    Person: URIRef
    Authorship: URIRef
    ListEntry: URIRef
    TableRow: URIRef
    Cell: URIRef
    ModalityProfile: URIRef
    Build: URIRef
    PrimaryDimension: URIRef
    SecondaryDimension: URIRef
    TaskGroup: URIRef
    TaxonomyLeaf: URIRef
    BaseModelType: URIRef
    Modality: URIRef
    RLTask: URIRef
    CodeAvailability: URIRef
    EvaluationSetting: URIRef
    ArxivCategory: URIRef

    # paper identifiers and list facts
    listedLink: URIRef
    arxivId: URIRef
    doi: URIRef
    openReviewId: URIRef
    ieeeXploreId: URIRef
    yearAdded: URIRef
    markedNew: URIRef
    mergedEntries: URIRef

    # provenance
    sourceFile: URIRef
    sourceLine: URIRef
    upstreamCommit: URIRef
    rawText: URIRef

    # taxonomy cross-links
    aboutBaseModel: URIRef
    aboutRLTask: URIRef

    # modality table
    modelType: URIRef
    inputModality: URIRef
    outputModality: URIRef
    inputModalityText: URIRef
    outputModalityText: URIRef
    primaryRole: URIRef
    tradeOff: URIRef

    # table rows
    sheet: URIRef
    rowNumber: URIRef
    tableCategory: URIRef
    citationKey: URIRef
    describesPaper: URIRef
    linkMethod: URIRef
    linkConfidence: URIRef
    resolved: URIRef
    cellText: URIRef
    column: URIRef
    columnIndex: URIRef
    introducesFramework: URIRef
    acronym: URIRef
    usesFoundationModel: URIRef
    codeAvailability: URIRef
    evaluationSetting: URIRef
    usesDataset: URIRef
    application: URIRef
    taxonomyTag: URIRef

    # arXiv metadata
    arxivVersion: URIRef
    arxivCategory: URIRef
    primaryCategory: URIRef
    authorship: URIRef
    author: URIRef
    position: URIRef
    affiliationText: URIRef
    arxivTitle: URIRef
    enriched: URIRef
    titleCheck: URIRef


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
    "tax": CONCEPT_BASE + "taxonomy/",
    "basemodel": CONCEPT_BASE + "base-model/",
    "modality": CONCEPT_BASE + "modality/",
    "rltask": CONCEPT_BASE + "rl-task/",
    "code": CONCEPT_BASE + "code-availability/",
    "evalset": CONCEPT_BASE + "evaluation-setting/",
    "arxivcat": CONCEPT_BASE + "arxiv-category/",
}


def concept_iri(scheme: str, slug: str) -> URIRef:
    """Return the fixed IRI of concept *slug* in concept scheme *scheme*.

    >>> concept_iri("base-model", "llm")
    rdflib.term.URIRef('https://w3id.org/genrl-kg/base-model/llm')
    """
    return URIRef(f"{CONCEPT_BASE}{scheme}/{slug}")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every prefix of PREFIXES on *graph* (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
    return graph
