"""SHACL with pyrudof: one violation per constraint of shapes.ttl, checked against pyshacl too.

Every constraint of every shape is read from the shapes file (rdflib), so a new shape or a new
constraint without a case here fails ``test_every_constraint_has_a_case``. Each case edits a small
valid fixture (made here with pyoxigraph, serialised as N-Triples as the build does) so that it
breaks that one constraint. The expected results are written by hand from the shapes, and both
engines must report exactly them: pyrudof through :func:`genrl_kg.shacl.find_violations`,
pyshacl directly. Where one broken constraint cannot stand alone, the case says why.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import SH

from genrl_kg import settings
from genrl_kg.errors import ValidationError
from genrl_kg.paperfacts import normalize_code_url
from genrl_kg.shacl import MAX_REPORTED, find_violations, rudof, validate
from genrl_kg.sources.openalex import parse_orcid, parse_ror

B = "https://w3id.org/genrl-kg/"
G = B + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
WDT = "http://www.wikidata.org/prop/direct/"
SHACL = "http://www.w3.org/ns/shacl#"
BLANK = "_:"  # any blank node (labels differ between engines)

PAPER = ox.NamedNode(B + "paper/arxiv/2303.04137")
PAPER2 = ox.NamedNode(B + "paper/title/a-minimal-paper")
ENTRY = ox.NamedNode(B + "list-entry/42")
ENTRY2 = ox.NamedNode(B + "list-entry/43")
LEAF = ox.NamedNode(B + "taxonomy/leaf")
OTHER = ox.NamedNode(B + "base-model/other")  # a concept, but of another scheme
ROW = ox.NamedNode(B + "table-row/t/2")  # resolved
ROW_OPEN = ox.NamedNode(B + "table-row/t/3")  # not resolved
NEW = ox.NamedNode(B + "taxonomy/new")
BNODE = ox.BlankNode("b0")
# graph/facts
EVIDENCE = ox.NamedNode(B + "evidence/baseModel/other/table-tag/0123456789abcdef")
EVIDENCE2 = ox.NamedNode(B + "evidence/inputModality/vision/modality-profile/fedcba9876543210")
MODALITY = ox.NamedNode(B + "modality/vision")
CODE = ox.NamedNode(B + "code-availability/available")
PROFILE = ox.NamedNode(B + "modality-profile/vlms")
REPOSITORY = ox.NamedNode("https://github.com/real-stanford/diffusion_policy")
# graph/history
V1 = ox.NamedNode(B + "list-version/" + "a" * 40)
V2 = ox.NamedNode(B + "list-version/" + "b" * 40)
DELISTED = ox.NamedNode(B + "paper/arxiv/2401.04334")
PAST = ox.NamedNode(B + "taxonomy/past-section")  # a section of earlier versions only
MOVE = ox.NamedNode(B + "list-change/bbbb/section-move/arxiv/2303.04137")
RETITLE = ox.NamedNode(B + "list-change/bbbb/retitle/arxiv/2401.04334")
# graph/openalex
PUBLISHED = ox.NamedNode(B + "published-version/arxiv/2303.04137")
VENUE = ox.NamedNode(B + "venue/robotics-science-and-systems")
PERSON = ox.NamedNode(B + "person/ada-lovelace")
AUTHORSHIP = ox.NamedNode(B + "authorship/arxiv/2303.04137/1")
INSTITUTION = ox.NamedNode(B + "institution/ror/00f54p054")
WORK = ox.NamedNode("https://openalex.org/W4323650343")

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal
Result = tuple[str, str | None, str]
Expected = tuple[Result, ...]  # sorted, so that a repeated result counts


def iri(name: str) -> ox.NamedNode:
    """Return the IRI for a short name such as ``dcterms:title``."""
    prefix, local = name.split(":", 1)
    spaces = {"genrl": G, "dcterms": DCT, "skos": SKOS, "wdt": WDT, "xsd": XSD}
    spaces |= {"rdf": str(RDF), "rdfs": str(RDFS), "schema": "https://schema.org/"}
    spaces |= {"prov": "http://www.w3.org/ns/prov#", "cito": "http://purl.org/spar/cito/"}
    return ox.NamedNode(spaces[prefix] + local)


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    """Return a literal, typed with a short datatype name such as ``xsd:integer``."""
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=iri(datatype) if datatype else None)


def n(value: int) -> ox.Literal:
    """Return an ``xsd:integer`` literal."""
    return lit(str(value), "xsd:integer")


Edits = tuple[tuple[Node, str, tuple[Value, ...]], ...]


def node(subject: Node, **values: Value) -> Edits:
    """Return the edits that describe a whole new *subject* (keys are short names with ``__``)."""
    return tuple((subject, key.replace("__", ":"), (value,)) for key, value in values.items())


def concept(subject: Node, scheme: Value) -> Edits:
    """Return the edits of a concept with a label and a definition in *scheme*."""
    return node(
        subject,
        skos__inScheme=scheme,
        skos__prefLabel=lit("Concept", lang="en"),
        skos__definition=lit("A concept.", lang="en"),
    )


def fixture() -> dict[tuple[Node, str], tuple[Value, ...]]:
    """Return the valid fixture: two concepts, two entries, two papers, two table rows."""
    taxonomy, base_model = ox.NamedNode(B + "taxonomy"), ox.NamedNode(B + "base-model")
    arxiv = ox.NamedNode("https://arxiv.org/abs/2303.04137")
    entry = {"genrl__sourceFile": lit("README.md"), "genrl__upstreamCommit": lit("3a091cc5")}
    row = {"genrl__sourceFile": lit("Tables.xlsx"), "genrl__sheet": lit("Sheet1")}
    edits = (
        *concept(LEAF, taxonomy),
        *concept(OTHER, base_model),
        *node(ENTRY, rdf__type=iri("genrl:ListEntry"), genrl__sourceLine=n(42), **entry),
        *node(ENTRY, dcterms__subject=LEAF),
        *node(ENTRY2, rdf__type=iri("genrl:ListEntry"), genrl__sourceLine=n(43), **entry),
        *node(ENTRY2, dcterms__subject=LEAF),
        *node(PAPER, rdf__type=iri("genrl:Paper"), dcterms__title=lit("Paper one")),
        *node(PAPER, dcterms__subject=LEAF, prov__wasDerivedFrom=ENTRY),
        *node(PAPER, wdt__P818=lit("2303.04137"), genrl__arxivId=lit("2303.04137")),
        *node(PAPER, wdt__P356=lit("10.48550/ARXIV.2303.04137")),
        *node(PAPER, genrl__doi=lit("10.48550/arxiv.2303.04137")),
        *node(PAPER, genrl__yearAdded=lit("2024", "xsd:gYear"), genrl__mergedEntries=n(1)),
        *node(PAPER, genrl__markedNew=lit("true", "xsd:boolean")),
        *node(PAPER, schema__url=arxiv, genrl__listedLink=arxiv),
        *node(PAPER2, rdf__type=iri("genrl:Paper"), dcterms__title=lit("Paper two")),
        *node(PAPER2, dcterms__subject=LEAF, prov__wasDerivedFrom=ENTRY2),
        *node(ROW, rdf__type=iri("genrl:TableRow"), genrl__rowNumber=n(2), **row),
        *node(ROW, genrl__resolved=lit("true", "xsd:boolean"), genrl__describesPaper=PAPER),
        *node(ROW, genrl__linkConfidence=lit("0.9", "xsd:decimal")),
        *node(ROW_OPEN, rdf__type=iri("genrl:TableRow"), genrl__rowNumber=n(3), **row),
        *node(ROW_OPEN, genrl__resolved=lit("false", "xsd:boolean")),
    )
    return apply({}, edits + facts_fixture() + history_fixture() + openalex_fixture())


def dt(value: str) -> ox.Literal:
    """Return an ``xsd:dateTime`` literal."""
    return lit(value, "xsd:dateTime")


def evidence(subject: Node, *, source: Node = ROW, **values: Value) -> Edits:
    """Return the edits of an evidence node (*values*: its property, value, method, text)."""
    return node(
        subject,
        rdf__type=iri("genrl:Evidence"),
        genrl__confidence=lit("0.81", "xsd:decimal"),
        prov__wasDerivedFrom=source,
        **values,
    )


def facts_fixture() -> Edits:
    """Return graph/facts of the valid fixture: PAPER's facts, two evidence nodes, concepts."""
    return (
        *node(OTHER, rdf__type=iri("genrl:BaseModelType")),
        *node(MODALITY, rdf__type=iri("genrl:Modality")),
        *node(CODE, rdf__type=iri("genrl:CodeAvailability")),
        *node(PROFILE, rdf__type=iri("genrl:ModalityProfile")),
        *node(PAPER, genrl__arxivMonth=lit("2023-03", "xsd:gYearMonth"), genrl__baseModel=OTHER),
        *node(PAPER, genrl__inputModality=MODALITY, genrl__outputModality=MODALITY),
        *node(PAPER, genrl__codeAvailability=CODE, schema__codeRepository=REPOSITORY),
        (PAPER, "genrl:evidence", (EVIDENCE, EVIDENCE2)),
        *evidence(EVIDENCE, genrl__evidenceProperty=iri("genrl:baseModel")),
        *node(EVIDENCE, genrl__evidenceValue=OTHER, genrl__evidenceMethod=lit("table-tag")),
        *node(EVIDENCE, genrl__evidenceText=lit("Diffusion Model")),
        *evidence(EVIDENCE2, source=PROFILE, genrl__evidenceProperty=iri("genrl:inputModality")),
        *node(EVIDENCE2, genrl__evidenceValue=MODALITY),
        *node(EVIDENCE2, genrl__evidenceMethod=lit("modality-profile")),
        *node(EVIDENCE2, genrl__evidenceText=lit("VLMs: Visual + Text")),
    )


def version(subject: Node, commit: str, date: str, count: int) -> Edits:
    """Return the edits of a list version with *count* entries and papers."""
    return node(
        subject,
        rdf__type=iri("genrl:ListVersion"),
        genrl__commit=lit(commit),
        genrl__upstreamCommit=lit(commit[:7]),
        dcterms__date=dt(date),
        genrl__entryCount=n(count),
        genrl__paperCount=n(count),
    )


def history_fixture() -> Edits:
    """Return graph/history of the valid fixture: two versions, a delisted paper, two changes."""
    move, retitle = iri("genrl:SectionMove"), iri("genrl:Retitle")
    return (
        *node(move, rdfs__subClassOf=iri("genrl:ListChange")),
        *node(retitle, rdfs__subClassOf=iri("genrl:ListChange")),
        *node(LEAF, rdf__type=iri("skos:Concept")),
        *node(PAST, rdf__type=iri("skos:Concept")),
        *version(V1, "a" * 40, "2024-08-27T15:16:13+02:00", 1),
        *version(V2, "b" * 40, "2025-03-07T01:10:42+05:30", 2),
        *node(V2, prov__wasRevisionOf=V1),
        *node(PAPER, genrl__firstListed=dt("2024-08-27T15:16:13+02:00"), genrl__firstListedIn=V1),
        *node(PAPER, genrl__change=MOVE),
        *node(MOVE, rdf__type=move, genrl__inVersion=V2, genrl__fromSection=PAST),
        *node(MOVE, genrl__toSection=LEAF),
        *node(DELISTED, rdf__type=iri("genrl:DelistedPaper"), dcterms__title=lit("Gone")),
        *node(DELISTED, genrl__firstListed=dt("2024-08-27T15:16:13+02:00")),
        *node(DELISTED, genrl__firstListedIn=V1, genrl__lastListedIn=V1),
        *node(DELISTED, genrl__delistedOn=dt("2025-03-07T01:10:42+05:30")),
        *node(DELISTED, schema__url=ox.NamedNode("https://arxiv.org/abs/2401.04334")),
        *node(DELISTED, genrl__arxivId=lit("2401.04334")),
        *node(DELISTED, genrl__doi=lit("10.48550/arxiv.2401.04334"), genrl__change=RETITLE),
        *node(RETITLE, rdf__type=retitle, genrl__inVersion=V2, genrl__fromTitle=lit("Gone")),
        *node(RETITLE, genrl__toTitle=lit("Gone for good")),
    )


def openalex_fixture() -> Edits:
    """Return graph/openalex of the valid fixture: PAPER's work, venue, person, institution."""
    return (
        *node(PAPER, wdt__P10283=lit("W4323650343"), genrl__citedByCount=n(50)),
        *node(PAPER, genrl__citedByCountDate=lit("2026-11-30", "xsd:date")),
        *node(PAPER, genrl__publishedVersion=PUBLISHED, cito__cites=PAPER2),
        *node(PAPER, genrl__openAccessUrl=ox.NamedNode("https://arxiv.org/pdf/2303.04137")),
        *node(PUBLISHED, rdf__type=iri("genrl:PublishedVersion"), prov__wasDerivedFrom=WORK),
        *node(PUBLISHED, dcterms__identifier=lit("10.15607/rss.2023.xix.026")),
        *node(PUBLISHED, schema__url=ox.NamedNode("https://doi.org/10.15607/RSS.2023.XIX.026")),
        *node(PUBLISHED, genrl__venue=VENUE),
        *node(
            VENUE, rdf__type=iri("genrl:Venue"), schema__name=lit("Robotics: Science and Systems")
        ),
        *node(VENUE, dcterms__type=lit("conference")),
        *node(PERSON, rdf__type=iri("genrl:Person"), wdt__P496=lit("0000-0002-1694-233X")),
        *node(AUTHORSHIP, rdf__type=iri("genrl:Authorship"), genrl__affiliation=INSTITUTION),
        *node(INSTITUTION, rdf__type=iri("genrl:Institution")),
        *node(INSTITUTION, schema__name=lit("Stanford University"), wdt__P6782=lit("00f54p054")),
        *node(INSTITUTION, schema__addressCountry=lit("US")),
        *node(INSTITUTION, prov__wasDerivedFrom=ox.NamedNode("https://openalex.org/I97018004")),
    )


def apply(
    graph: dict[tuple[Node, str], tuple[Value, ...]], edits: Edits
) -> dict[tuple[Node, str], tuple[Value, ...]]:
    """Return *graph* with each (subject, property) set to the edit's values (none: removed)."""
    out = dict(graph)
    for subject, name, values in edits:
        if values:
            out[(subject, name)] = values
        else:
            out.pop((subject, name), None)
    return out


def ntriples(edits: Edits = ()) -> bytes:
    """Return the fixture with *edits*, as pyoxigraph's N-Triples (the build's serialiser)."""
    graph = apply(fixture(), edits)
    triples = [
        ox.Triple(subject, iri(name), value)
        for (subject, name), values in graph.items()
        for value in values
    ]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


@cache
def shapes_file() -> Path:
    """Return the shipped shapes file as a path on disk."""
    with as_file(settings.SHAPES_FILE) as path:
        return Path(path)


@cache
def shapes_graph() -> Graph:
    """Return the shapes graph, parsed once, for pyshacl and for enumerating constraints."""
    return Graph().parse(shapes_file(), format="turtle")


def short(term: str) -> str:
    """Return a blank node as ``_:`` and anything else unchanged."""
    return BLANK if term.startswith("_:") else term


def canon(results: Iterable[Result]) -> Expected:
    """Return *results* sorted (None paths first), duplicates kept."""
    return tuple(sorted(results, key=lambda r: (r[0], r[1] or "", r[2])))


def with_pyrudof(data: bytes) -> Expected:
    """Return (focus, path, component local name) of each pyrudof result."""
    found = rudof.find_violations(data)
    return canon((short(v.focus), v.path, v.component.removeprefix(SHACL)) for v in found)


def with_engine(data: bytes) -> Expected:
    """Return (focus, path, component local name) of each result of the build's own engine."""
    found = find_violations(data)
    return canon((short(v.focus), v.path, v.component.removeprefix(SHACL)) for v in found)


def with_pyshacl(data: bytes) -> Expected:
    """Return (focus, path, component local name) of each top-level pyshacl result."""
    import pyshacl

    graph = Graph().parse(data=data, format="nt")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph(), inference="none")
    results = []
    for result in report.objects(None, SH.result):  # top level only, not sh:detail
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        component = str(report.value(result, SH.sourceConstraintComponent))
        focus_text = BLANK if isinstance(focus, BNode) else str(focus)
        results.append((focus_text, str(path) if path else None, component.removeprefix(SHACL)))
    return canon(results)


@dataclass(frozen=True)
class Case:
    """Edits to the valid fixture and the results both engines must give."""

    edits: Edits
    expected: tuple[tuple[str, str | None, str], ...]
    why: str = ""


def one(focus: Node | str, path: str | None, component: str) -> tuple[tuple[str, str | None, str]]:
    """Return one expected result; *path* is a short name, *component* a local name."""
    focus_text = focus if isinstance(focus, str) else focus.value
    return ((focus_text, iri(path).value if path else None, component + "ConstraintComponent"),)


def breaking(subject: Node, name: str, *values: Value, component: str) -> Case:
    """Return the case that sets *name* of *subject* to *values* and breaks one *component*."""
    return Case(((subject, name, values),), one(subject, name, component))


def blank_node_case(*edits: Edits) -> Case:
    """Return the case of a node that is valid but blank (the shape asks for an IRI)."""
    return Case(tuple(e for group in edits for e in group), one(BLANK, None, "NodeKind"))


ENTRY_PROPS = node(
    BNODE,
    rdf__type=iri("genrl:ListEntry"),
    genrl__sourceFile=lit("README.md"),
    genrl__sourceLine=n(7),
    genrl__upstreamCommit=lit("3a091cc5"),
)
ROW_PROPS = node(
    BNODE,
    rdf__type=iri("genrl:TableRow"),
    genrl__sourceFile=lit("T.xlsx"),
    genrl__sheet=lit("S"),
    genrl__rowNumber=n(9),
    genrl__resolved=lit("false", "xsd:boolean"),
)
PAPER_PROPS = node(
    BNODE, rdf__type=iri("genrl:Paper"), dcterms__title=lit("Blank"), dcterms__subject=LEAF
)
EN = {"lang": "en"}


def string_cases(shape: str, subject: Node, name: str, good: str) -> dict[str, Case]:
    """Return the minCount 1 / maxCount 1 / datatype xsd:string cases of one property."""
    return {
        f"{shape} {name} sh:minCount": breaking(subject, name, component="MinCount"),
        f"{shape} {name} sh:maxCount": breaking(
            subject, name, lit(good), lit(good + "x"), component="MaxCount"
        ),
        f"{shape} {name} sh:datatype": breaking(
            subject, name, lit(good, **EN), component="Datatype"
        ),
    }


def counter_cases(shape: str, subject: Node, name: str, minimum: int = 1) -> dict[str, Case]:
    """Return the minCount/maxCount/datatype/minInclusive *minimum* cases of one integer."""
    return {
        f"{shape} {name} sh:minCount": breaking(subject, name, component="MinCount"),
        f"{shape} {name} sh:maxCount": breaking(subject, name, n(1), n(2), component="MaxCount"),
        # a decimal >= 1: only the datatype fails (an xsd:int would also trip pyrudof's range
        # check, see test_derived_integer_types_flag_the_same_nodes)
        f"{shape} {name} sh:datatype": breaking(
            subject, name, lit("4.0", "xsd:decimal"), component="Datatype"
        ),
        f"{shape} {name} sh:minInclusive": breaking(
            subject, name, n(minimum - 1), component="MinInclusive"
        ),
    }


PARAMETERS = {"cls": "class", "in_": "in", "or_": "or"}  # keywords for sh:class, sh:in, sh:or


def cases(shape: str, subject: Node, name: str, **broken: tuple[Value, ...]) -> dict[str, Case]:
    """Return, per parameter of one property shape, the values of *name* that break it alone.

    Keywords are the parameters' local names (``cls``, ``in_``, ``or_`` for class, in, or);
    no values removes the property.
    """
    out = {}
    for keyword, values in broken.items():
        parameter = PARAMETERS.get(keyword, keyword)
        component = parameter[0].upper() + parameter[1:]
        out[f"{shape} {name} sh:{parameter}"] = breaking(
            subject, name, *values, component=component
        )
    return out


def with_node(case: Case, *edits: Edits) -> Case:
    """Return *case* with the (valid) nodes of *edits* added to the graph as well."""
    return Case(tuple(e for group in edits for e in group) + case.edits, case.expected, case.why)


def dec(value: str) -> ox.Literal:
    """Return an ``xsd:decimal`` literal."""
    return lit(value, "xsd:decimal")


ARXIV_BAD, DOI_UPPER, DOI_LOWER = "2303.04137v2", "10.48550/ARXIV.2303.04137", "10.48550/arxiv.x"
T1, T2 = "2024-08-27T15:16:13+02:00", "2025-03-07T01:10:42+05:30"
URL_A, URL_B = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b")
PUB2, VENUE2 = ox.NamedNode(B + "published-version/other"), ox.NamedNode(B + "venue/arxiv")
ORCID, OPENALEX_I = "0000-0002-1694-233X", ox.NamedNode("https://openalex.org/I555")
FACTS_CASES: dict[str, Case] = {
    "EvidenceShape sh:nodeKind": blank_node_case(
        evidence(BNODE, genrl__evidenceProperty=iri("genrl:arxivMonth")),
        node(BNODE, genrl__evidenceValue=lit("2023-03", "xsd:gYearMonth")),
        node(BNODE, genrl__evidenceMethod=lit("identifier"), genrl__evidenceText=lit("2303")),
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "genrl:evidenceProperty",
        minCount=(),
        maxCount=(iri("genrl:baseModel"), iri("genrl:arxivMonth")),
        in_=(iri("dcterms:title"),),
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "genrl:evidenceValue",
        minCount=(),
        maxCount=(OTHER, MODALITY),
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "genrl:evidenceMethod",
        minCount=(),
        maxCount=(lit("section"), lit("table-tag")),
        in_=(lit("table-tag", **EN),),  # the same text, another term
    ),
    "EvidenceShape genrl:evidenceMethod sh:in #2": breaking(
        EVIDENCE, "genrl:evidenceMethod", lit("guess"), component="In"
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "genrl:evidenceText",
        minCount=(),
        maxCount=(lit("a"), lit("b")),
        datatype=(lit("Diffusion Model", **EN),),
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "genrl:confidence",
        minCount=(),
        maxCount=(dec("0.5"), dec("0.6")),
        datatype=(lit("0.5", "xsd:double"),),
        minInclusive=(dec("-0.1"),),
        maxInclusive=(dec("1.5"),),
    ),
    **cases(
        "EvidenceShape",
        EVIDENCE,
        "prov:wasDerivedFrom",
        maxCount=(ROW, ROW_OPEN),
        or_=(PAPER,),
    ),
}
HISTORY_CASES: dict[str, Case] = {
    "ListVersionShape sh:nodeKind": blank_node_case(version(BNODE, "c" * 40, T1, 0)),
    **cases(
        "ListVersionShape",
        V1,
        "genrl:commit",
        minCount=(),
        maxCount=(lit("a" * 40), lit("c" * 40)),
        datatype=(lit("a" * 40, **EN),),
        pattern=(lit("A" * 40),),
    ),
    **cases(
        "ListVersionShape",
        V1,
        "genrl:upstreamCommit",
        maxCount=(lit("aaaaaaa"), lit("ccccccc")),
        datatype=(lit("aaaaaaa", "xsd:token"),),
        pattern=(lit("aaaaaa"),),  # six digits: shorter than git abbreviates
    ),
    **cases(
        "ListVersionShape",
        V1,
        "dcterms:date",
        minCount=(),
        maxCount=(dt(T1), dt(T2)),
        datatype=(lit("2024-08-27", "xsd:date"),),
    ),
    **counter_cases("ListVersionShape", V1, "genrl:entryCount", minimum=0),
    **counter_cases("ListVersionShape", V1, "genrl:paperCount", minimum=0),
    **cases("ListVersionShape", V2, "prov:wasRevisionOf", maxCount=(V1, V2), cls=(ENTRY,)),
    "DelistedPaperShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:DelistedPaper"), dcterms__title=lit("Blank")),
        node(BNODE, genrl__firstListed=dt(T1), genrl__firstListedIn=V1, genrl__lastListedIn=V1),
        node(BNODE, genrl__delistedOn=dt(T2)),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "dcterms:title",
        minCount=(),
        maxCount=(lit("A"), lit("B")),
        datatype=(lit("A", **EN),),
        minLength=(lit(""),),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:firstListed",
        minCount=(),
        maxCount=(dt(T1), dt(T2)),
        datatype=(lit(T1),),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:firstListedIn",
        minCount=(),
        maxCount=(V1, V2),
        cls=(PAPER,),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:lastListedIn",
        minCount=(),
        maxCount=(V1, V2),
        cls=(MOVE,),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:delistedOn",
        minCount=(),
        maxCount=(dt(T1), dt(T2)),
        datatype=(lit("2025-03-07", "xsd:date"),),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "schema:url",
        maxCount=(URL_A, URL_B),
        nodeKind=(lit("https://arxiv.org/abs/2401.04334"),),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:arxivId",
        datatype=(lit("2401.04334", **EN),),
        pattern=(lit("2401.04334v1"),),
    ),
    **cases(
        "DelistedPaperShape",
        DELISTED,
        "genrl:doi",
        datatype=(lit(DOI_LOWER, **EN),),
        pattern=(lit(DOI_UPPER),),
    ),
    **cases("DelistedPaperShape", DELISTED, "genrl:change", cls=(V2,)),
    "SectionMoveShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:SectionMove"), genrl__inVersion=V2, genrl__toSection=LEAF)
    ),
    **cases(
        "SectionMoveShape",
        MOVE,
        "genrl:inVersion",
        minCount=(),
        maxCount=(V1, V2),
        cls=(ENTRY,),
    ),
    **cases("SectionMoveShape", MOVE, "genrl:fromSection", cls=(ENTRY,)),
    **cases("SectionMoveShape", MOVE, "genrl:toSection", cls=(ENTRY,)),
    "SectionMoveShape sh:or": Case(
        ((MOVE, "genrl:fromSection", ()), (MOVE, "genrl:toSection", ())), one(MOVE, None, "Or")
    ),
    "RetitleShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:Retitle"), genrl__inVersion=V2),
        node(BNODE, genrl__fromTitle=lit("A"), genrl__toTitle=lit("B")),
    ),
    **cases(
        "RetitleShape",
        RETITLE,
        "genrl:inVersion",
        minCount=(),
        maxCount=(V1, V2),
        cls=(DELISTED,),
    ),
    **string_cases("RetitleShape", RETITLE, "genrl:fromTitle", "Gone"),
    **string_cases("RetitleShape", RETITLE, "genrl:toTitle", "Gone for good"),
}
OPENALEX_CASES: dict[str, Case] = {
    "PublishedVersionShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:PublishedVersion"), prov__wasDerivedFrom=WORK)
    ),
    **cases(
        "PublishedVersionShape",
        PUBLISHED,
        "prov:wasDerivedFrom",
        minCount=(),
        maxCount=(WORK, ox.NamedNode("https://openalex.org/W1")),
        nodeKind=(lit(WORK.value),),
        pattern=(ox.NamedNode("https://openalex.org/A5023888391"),),  # an author, no work
    ),
    **cases(
        "PublishedVersionShape",
        PUBLISHED,
        "dcterms:identifier",
        maxCount=(lit("10.15607/a"), lit("10.15607/b")),
        datatype=(lit("10.15607/a", **EN),),
        pattern=(lit("10.15607/RSS.2023.XIX.026"),),
    ),
    **cases(
        "PublishedVersionShape",
        PUBLISHED,
        "schema:url",
        maxCount=(URL_A, URL_B),
        nodeKind=(lit(URL_A.value),),
    ),
    "PublishedVersionShape genrl:venue sh:maxCount": with_node(
        breaking(PUBLISHED, "genrl:venue", VENUE, VENUE2, component="MaxCount"),
        node(VENUE2, rdf__type=iri("genrl:Venue"), schema__name=lit("arXiv")),
    ),
    **cases("PublishedVersionShape", PUBLISHED, "genrl:venue", cls=(INSTITUTION,)),
    "VenueShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:Venue"), schema__name=lit("Blank"))
    ),
    **cases(
        "VenueShape",
        VENUE,
        "schema:name",
        minCount=(),
        datatype=(lit("RSS", **EN),),
        minLength=(lit(""),),
    ),
    **cases("VenueShape", VENUE, "dcterms:type", datatype=(lit("conference", **EN),)),
    "PersonShape sh:nodeKind": blank_node_case(node(BNODE, rdf__type=iri("genrl:Person"))),
    **cases(
        "PersonShape",
        PERSON,
        "wdt:P496",
        maxCount=(lit(ORCID), lit("0000-0002-1825-0097")),
        datatype=(lit(ORCID, "xsd:token"),),
        pattern=(lit(ORCID.lower()),),  # a lower-case check character
    ),
    "PersonShape wdt:P496 sh:pattern #2": breaking(
        PERSON, "wdt:P496", lit("https://orcid.org/" + ORCID), component="Pattern"
    ),
    "AuthorshipShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:Authorship"), genrl__affiliation=INSTITUTION)
    ),
    **cases("AuthorshipShape", AUTHORSHIP, "genrl:affiliation", cls=(VENUE,)),
    "InstitutionShape sh:nodeKind": blank_node_case(
        node(BNODE, rdf__type=iri("genrl:Institution"), schema__name=lit("Lab")),
        node(BNODE, prov__wasDerivedFrom=OPENALEX_I),
    ),
    **cases(
        "InstitutionShape",
        INSTITUTION,
        "schema:name",
        minCount=(),
        maxCount=(lit("Stanford University"), lit("Stanford")),
        datatype=(lit("Stanford", **EN),),
        minLength=(lit(""),),
    ),
    **cases(
        "InstitutionShape",
        INSTITUTION,
        "wdt:P6782",
        maxCount=(lit("00f54p054"), lit("05a28rw58")),
        datatype=(lit("00f54p054", "xsd:token"),),
        pattern=(lit("https://ror.org/00f54p054"),),  # the URL, not the bare id
    ),
    "InstitutionShape wdt:P6782 sh:pattern #2": breaking(
        INSTITUTION,
        "wdt:P6782",
        lit("0abcdei12"),
        component="Pattern",  # i: not Crockford
    ),
    **cases(
        "InstitutionShape",
        INSTITUTION,
        "schema:addressCountry",
        maxCount=(lit("US"), lit("CH")),
        datatype=(lit("US", **EN),),
        pattern=(lit("us"),),
    ),
    **cases(
        "InstitutionShape",
        INSTITUTION,
        "prov:wasDerivedFrom",
        minCount=(),
        nodeKind=(lit(OPENALEX_I.value),),
        pattern=(ox.NamedNode("https://ror.org/00f54p054"),),
    ),
}
CASES: dict[str, Case] = {
    # --- PaperShape
    "PaperShape sh:nodeKind": blank_node_case(PAPER_PROPS, node(BNODE, prov__wasDerivedFrom=ENTRY)),
    "PaperShape dcterms:title sh:minCount": breaking(PAPER, "dcterms:title", component="MinCount"),
    "PaperShape dcterms:title sh:maxCount": breaking(
        PAPER, "dcterms:title", lit("A"), lit("B"), component="MaxCount"
    ),
    "PaperShape dcterms:title sh:datatype": breaking(
        PAPER, "dcterms:title", lit("A", **EN), component="Datatype"
    ),
    "PaperShape dcterms:title sh:minLength": breaking(
        PAPER, "dcterms:title", lit(""), component="MinLength"
    ),
    "PaperShape dcterms:subject sh:minCount": breaking(
        PAPER, "dcterms:subject", component="MinCount"
    ),
    "PaperShape dcterms:subject sh:nodeKind": Case(
        ((PAPER, "dcterms:subject", (lit("leaf"),)),),
        one(PAPER, "dcterms:subject", "NodeKind") + one(PAPER, "dcterms:subject", "Node"),
        why="a non-IRI subject also fails sh:node (TaxonomyConceptRefShape asks for an IRI "
        "too); a blank concept would fail ConceptShape's sh:nodeKind as well",
    ),
    "PaperShape dcterms:subject sh:node": breaking(
        PAPER, "dcterms:subject", OTHER, component="Node"
    ),
    "PaperShape wdt:P818 sh:maxCount": breaking(
        PAPER, "wdt:P818", lit("2303.04137"), lit("2303.04138"), component="MaxCount"
    ),
    "PaperShape wdt:P818 sh:datatype": breaking(
        PAPER, "wdt:P818", lit("2303.04137", **EN), component="Datatype"
    ),
    "PaperShape wdt:P818 sh:pattern": breaking(
        PAPER, "wdt:P818", lit(ARXIV_BAD), component="Pattern"
    ),
    "PaperShape genrl:arxivId sh:maxCount": breaking(
        PAPER, "genrl:arxivId", lit("2303.04137"), lit("hep-th/9901001"), component="MaxCount"
    ),
    "PaperShape genrl:arxivId sh:datatype": breaking(
        PAPER, "genrl:arxivId", lit("2303.04137", "xsd:token"), component="Datatype"
    ),
    "PaperShape genrl:arxivId sh:pattern": breaking(
        PAPER,
        "genrl:arxivId",
        lit("2303.\uff104137"),
        component="Pattern",  # a fullwidth digit
    ),
    "PaperShape wdt:P356 sh:datatype": breaking(
        PAPER, "wdt:P356", lit(DOI_UPPER, **EN), component="Datatype"
    ),
    "PaperShape wdt:P356 sh:pattern": breaking(
        PAPER, "wdt:P356", lit(DOI_LOWER), component="Pattern"
    ),
    "PaperShape genrl:doi sh:datatype": breaking(
        PAPER, "genrl:doi", lit(DOI_LOWER, **EN), component="Datatype"
    ),
    "PaperShape genrl:doi sh:pattern": breaking(
        PAPER, "genrl:doi", lit(DOI_UPPER), component="Pattern"
    ),
    "PaperShape genrl:yearAdded sh:maxCount": breaking(
        PAPER,
        "genrl:yearAdded",
        lit("2024", "xsd:gYear"),
        lit("2025", "xsd:gYear"),
        component="MaxCount",
    ),
    "PaperShape genrl:yearAdded sh:datatype": breaking(
        PAPER, "genrl:yearAdded", n(2024), component="Datatype"
    ),
    "PaperShape genrl:markedNew sh:maxCount": breaking(
        PAPER,
        "genrl:markedNew",
        lit("true", "xsd:boolean"),
        lit("false", "xsd:boolean"),
        component="MaxCount",
    ),
    "PaperShape genrl:markedNew sh:datatype": breaking(
        PAPER, "genrl:markedNew", lit("true"), component="Datatype"
    ),
    "PaperShape genrl:mergedEntries sh:maxCount": breaking(
        PAPER, "genrl:mergedEntries", n(1), n(2), component="MaxCount"
    ),
    "PaperShape genrl:mergedEntries sh:datatype": breaking(
        PAPER, "genrl:mergedEntries", lit("2.0", "xsd:decimal"), component="Datatype"
    ),
    "PaperShape genrl:mergedEntries sh:minInclusive": breaking(
        PAPER, "genrl:mergedEntries", n(0), component="MinInclusive"
    ),
    "PaperShape schema:url sh:maxCount": breaking(
        PAPER,
        "schema:url",
        ox.NamedNode("https://arxiv.org/abs/2303.04137"),
        ox.NamedNode("https://example.org/paper"),
        component="MaxCount",
    ),
    "PaperShape schema:url sh:nodeKind": breaking(
        PAPER, "schema:url", lit("https://arxiv.org/abs/2303.04137"), component="NodeKind"
    ),
    "PaperShape genrl:listedLink sh:nodeKind": breaking(
        PAPER, "genrl:listedLink", lit("mailto:someone@example.org"), component="NodeKind"
    ),
    "PaperShape prov:wasDerivedFrom sh:minCount": breaking(
        PAPER, "prov:wasDerivedFrom", component="MinCount"
    ),
    "PaperShape prov:wasDerivedFrom sh:class": breaking(
        PAPER, "prov:wasDerivedFrom", PAPER2, component="Class"
    ),
    # PaperShape: the facts of graph/facts
    **cases(
        "PaperShape",
        PAPER,
        "genrl:arxivMonth",
        maxCount=(lit("2023-03", "xsd:gYearMonth"), lit("2023-04", "xsd:gYearMonth")),
        datatype=(lit("2023-03"),),
    ),
    **cases("PaperShape", PAPER, "genrl:baseModel", cls=(MODALITY,)),
    **cases("PaperShape", PAPER, "genrl:inputModality", cls=(OTHER,)),
    **cases("PaperShape", PAPER, "genrl:outputModality", cls=(CODE,)),
    **cases("PaperShape", PAPER, "genrl:codeAvailability", cls=(MODALITY,)),
    **cases(
        "PaperShape",
        PAPER,
        "schema:codeRepository",
        nodeKind=(lit(REPOSITORY.value),),
        pattern=(ox.NamedNode("https://github.com/real-stanford"),),  # an owner, no repository
    ),
    **cases("PaperShape", PAPER, "genrl:evidence", cls=(ROW,)),
    # PaperShape: graph/history
    **cases(
        "PaperShape",
        PAPER,
        "genrl:firstListed",
        maxCount=(dt(T1), dt(T2)),
        datatype=(lit("2024-08-27", "xsd:date"),),
    ),
    **cases("PaperShape", PAPER, "genrl:firstListedIn", maxCount=(V1, V2), cls=(ENTRY,)),
    **cases("PaperShape", PAPER, "genrl:change", cls=(V1,)),
    # PaperShape: graph/openalex
    **cases(
        "PaperShape",
        PAPER,
        "wdt:P10283",
        maxCount=(lit("W1"), lit("W2")),
        datatype=(lit("W4323650343", **EN),),
        pattern=(lit("W0123"),),
    ),
    **cases(
        "PaperShape",
        PAPER,
        "genrl:citedByCount",
        maxCount=(n(1), n(2)),
        datatype=(dec("5.0"),),
        minInclusive=(n(-1),),
    ),
    **cases(
        "PaperShape",
        PAPER,
        "genrl:citedByCountDate",
        maxCount=(lit("2026-11-30", "xsd:date"), lit("2026-12-01", "xsd:date")),
        datatype=(dt("2026-11-30T00:00:00Z"),),
    ),
    "PaperShape genrl:publishedVersion sh:maxCount": with_node(
        breaking(PAPER, "genrl:publishedVersion", PUBLISHED, PUB2, component="MaxCount"),
        node(PUB2, rdf__type=iri("genrl:PublishedVersion"), prov__wasDerivedFrom=WORK),
    ),
    **cases("PaperShape", PAPER, "genrl:publishedVersion", cls=(VENUE,)),
    **cases(
        "PaperShape",
        PAPER,
        "genrl:openAccessUrl",
        maxCount=(URL_A, URL_B),
        nodeKind=(lit("https://arxiv.org/pdf/2303.04137"),),
    ),
    **cases("PaperShape", PAPER, "cito:cites", cls=(DELISTED,)),  # a delisted paper: no Paper
    # --- TaxonomyConceptRefShape: no target; reached only through sh:node from a subject
    "TaxonomyConceptRefShape sh:nodeKind": breaking(
        ENTRY, "dcterms:subject", lit("leaf"), component="Node"
    ),
    "TaxonomyConceptRefShape skos:inScheme sh:hasValue": breaking(
        ENTRY, "dcterms:subject", OTHER, component="Node"
    ),
    # --- ListEntryShape
    "ListEntryShape sh:nodeKind": blank_node_case(ENTRY_PROPS),
    **string_cases("ListEntryShape", ENTRY, "genrl:sourceFile", "README.md"),
    **counter_cases("ListEntryShape", ENTRY, "genrl:sourceLine"),
    **string_cases("ListEntryShape", ENTRY, "genrl:upstreamCommit", "3a091cc5"),
    "ListEntryShape dcterms:subject sh:node": breaking(
        ENTRY, "dcterms:subject", ox.NamedNode(B + "taxonomy/undescribed"), component="Node"
    ),
    # --- TableRowShape (the open row: sh:or holds through resolved false)
    "TableRowShape sh:nodeKind": blank_node_case(ROW_PROPS),
    **string_cases("TableRowShape", ROW_OPEN, "genrl:sourceFile", "T.xlsx"),
    **string_cases("TableRowShape", ROW_OPEN, "genrl:sheet", "Sheet1"),
    **counter_cases("TableRowShape", ROW_OPEN, "genrl:rowNumber"),
    # the resolved row: sh:or holds through one paper and one confidence
    "TableRowShape genrl:resolved sh:minCount": breaking(
        ROW, "genrl:resolved", component="MinCount"
    ),
    "TableRowShape genrl:resolved sh:maxCount": breaking(
        ROW,
        "genrl:resolved",
        lit("true", "xsd:boolean"),
        lit("false", "xsd:boolean"),
        component="MaxCount",
    ),
    "TableRowShape genrl:resolved sh:datatype": breaking(
        ROW, "genrl:resolved", lit("true"), component="Datatype"
    ),
    "TableRowShape genrl:describesPaper sh:maxCount": breaking(
        ROW_OPEN, "genrl:describesPaper", PAPER, PAPER2, component="MaxCount"
    ),
    "TableRowShape genrl:describesPaper sh:class": breaking(
        ROW, "genrl:describesPaper", ENTRY, component="Class"
    ),
    "TableRowShape genrl:linkConfidence sh:maxCount": breaking(
        ROW_OPEN,
        "genrl:linkConfidence",
        lit("0.5", "xsd:decimal"),
        lit("0.6", "xsd:decimal"),
        component="MaxCount",
    ),
    "TableRowShape genrl:linkConfidence sh:datatype": breaking(
        ROW, "genrl:linkConfidence", lit("0.5", "xsd:double"), component="Datatype"
    ),
    "TableRowShape genrl:linkConfidence sh:minInclusive": breaking(
        ROW, "genrl:linkConfidence", lit("-0.1", "xsd:decimal"), component="MinInclusive"
    ),
    "TableRowShape genrl:linkConfidence sh:maxInclusive": breaking(
        ROW, "genrl:linkConfidence", lit("1.5", "xsd:decimal"), component="MaxInclusive"
    ),
    "TableRowShape sh:or": Case(((ROW, "genrl:describesPaper", ()),), one(ROW, None, "Or")),
    "TableRowShape sh:or #2": Case(((ROW, "genrl:linkConfidence", ()),), one(ROW, None, "Or")),
    # --- ConceptShape (targets: subjects of skos:inScheme)
    "ConceptShape sh:nodeKind": blank_node_case(concept(BNODE, ox.NamedNode(B + "taxonomy"))),
    "ConceptShape skos:prefLabel sh:minCount": breaking(
        LEAF, "skos:prefLabel", component="MinCount"
    ),
    "ConceptShape skos:prefLabel sh:uniqueLang": breaking(
        LEAF, "skos:prefLabel", lit("Leaf", **EN), lit("Blatt", **EN), component="UniqueLang"
    ),
    "ConceptShape skos:definition sh:minCount": breaking(
        LEAF, "skos:definition", component="MinCount"
    ),
    "ConceptShape skos:inScheme sh:nodeKind": Case(
        concept(NEW, lit("taxonomy")), one(NEW, "skos:inScheme", "NodeKind")
    ),
    **FACTS_CASES,
    **HISTORY_CASES,
    **OPENALEX_CASES,
}
# Constraints no graph can break, with the reason; test_unreachable_constraints checks it.
UNREACHABLE = {
    "ConceptShape skos:inScheme sh:minCount": "the shape targets the subjects of skos:inScheme",
}
# Terms of a shape that select or describe, and constrain nothing.
NOT_CONSTRAINTS = {
    SH.path,
    SH.name,
    SH.message,
    SH.description,
    SH.severity,
    SH.property,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    RDF.type,
    RDFS.label,
    RDFS.comment,
}


def constraint_keys(graph: Graph) -> set[str]:
    """Return 'Shape [path] sh:parameter' for every constraint of every shape in *graph*."""
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.objects(None, SH.node))
    keys = set()
    for shape in shapes:
        name = graph.qname(str(shape)).split(":", 1)[1]
        for parameter in set(graph.predicates(shape)) - NOT_CONSTRAINTS:
            keys.add(f"{name} {graph.qname(str(parameter))}")
        for prop in graph.objects(shape, SH.property):
            path = graph.qname(str(graph.value(prop, SH.path)))
            for parameter in set(graph.predicates(prop)) - NOT_CONSTRAINTS:
                keys.add(f"{name} {path} {graph.qname(str(parameter))}")
    return keys


def test_every_constraint_has_a_case() -> None:
    """Each constraint of shapes.ttl has a case (or a stated reason it cannot be broken)."""
    keys = constraint_keys(shapes_graph())
    covered = {key.split(" #")[0] for key in CASES} | set(UNREACHABLE)
    assert keys - covered == set(), "constraints without a case"
    assert covered - keys == set(), "cases for constraints that no longer exist"
    assert len(keys) == 216  # counted by hand in shapes.ttl (15 node shapes, 81 property shapes)


def test_the_fixture_is_valid_for_both_engines() -> None:
    """The unedited fixture conforms for pyrudof and for pyshacl."""
    data = ntriples()
    assert data.count(b"\n") == 132  # the fixture's triples, counted by hand
    assert with_pyrudof(data) == ()
    assert with_pyshacl(data) == ()
    assert with_engine(data) == ()


@pytest.mark.parametrize("key", sorted(CASES))
def test_one_broken_constraint(key: str) -> None:
    """The build's engine, pyrudof and pyshacl report exactly the expected results."""
    case = CASES[key]
    data = ntriples(case.edits)
    expected = canon(case.expected)
    assert with_engine(data) == expected
    assert with_pyrudof(data) == expected
    assert with_pyshacl(data) == expected


def test_unreachable_constraints() -> None:
    """A constraint listed as unbreakable is a minCount on the very predicate the shape targets."""
    graph = shapes_graph()
    for key in UNREACHABLE:
        shape_name, path_name, parameter = key.split()
        shape = URIRef(str(graph.namespace_manager.expand_curie(f"shapes:{shape_name}")))
        path = graph.namespace_manager.expand_curie(path_name)
        assert graph.value(shape, SH.targetSubjectsOf) == path
        assert parameter == "sh:minCount"


def test_shapes_reached_by_sh_node_ask_for_a_node_kind() -> None:
    """pyrudof 0.3.35 skips property shapes on a literal: a shape reached by sh:node must
    reject literals itself (sh:nodeKind), or a literal value passes pyrudof only."""
    graph = shapes_graph()
    for shape in set(graph.objects(None, SH.node)):
        assert graph.value(shape, SH.nodeKind) in (SH.IRI, SH.BlankNodeOrIRI), shape


def test_subclass_instances_are_targets_and_members_for_both() -> None:
    """sh:targetClass and sh:class follow rdfs:subClassOf in the data, in both engines."""
    sub_entry, sub_paper = iri("genrl:SubEntry"), iri("genrl:SubPaper")
    odd = ox.NamedNode(B + "paper/title/odd")
    edits = (
        (ENTRY, "rdf:type", (sub_entry,)),  # still a ListEntry: sh:class holds
        (sub_entry, "rdfs:subClassOf", (iri("genrl:ListEntry"),)),
        (sub_paper, "rdfs:subClassOf", (iri("genrl:Paper"),)),
        (odd, "rdf:type", (sub_paper,)),  # a Paper with nothing: three minCounts
    )
    data = ntriples(edits)
    expected = canon(
        one(odd, "dcterms:title", "MinCount")
        + one(odd, "dcterms:subject", "MinCount")
        + one(odd, "prov:wasDerivedFrom", "MinCount")
    )
    assert with_pyrudof(data) == expected
    assert with_pyshacl(data) == expected
    assert with_engine(data) == expected


def test_doi_patterns_agree_on_every_space_and_control_character() -> None:
    """Both engines reject a DOI holding any of Python's or Unicode's white space or C0/C1
    controls alike (Python's \\s has U+001C-U+001F, Rust's not: the shapes list them)."""
    candidates = [c for c in range(1, 0xA1) if not chr(c).isalnum()]
    candidates += [0x1680, *range(0x2000, 0x200C), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
    edits: list[tuple[Node, str, tuple[Value, ...]]] = []
    for code in candidates:
        paper = ox.NamedNode(f"{B}paper/doi/{code:x}")
        edits += node(paper, rdf__type=iri("genrl:Paper"), dcterms__title=lit("T"))
        edits += node(paper, dcterms__subject=LEAF, prov__wasDerivedFrom=ENTRY)
        edits += node(paper, wdt__P356=lit(f"10.1234/AB{chr(code)}C"))
        edits += node(paper, genrl__doi=lit(f"10.1234/ab{chr(code)}c"))
    data = ntriples(tuple(edits))
    rudof, shacl = with_pyrudof(data), with_pyshacl(data)
    assert rudof == shacl
    flagged = {int(focus.rsplit("/", 1)[1], 16) for focus, _, _ in rudof}
    spaces = {c for c in candidates if chr(c).isspace()}
    assert flagged == spaces
    assert len(flagged) == 29  # 12 below U+00A1 (U+001C-U+001F included), 17 above
    assert {0x1C, 0x1F, 0x20, 0xA0, 0x3000} <= flagged and 0x1B not in flagged


def test_a_trailing_newline_breaks_the_identifier_patterns() -> None:
    """pyrudof anchors ``$`` at the very end (as XPath does); Python's ``$`` (pyshacl) also
    matches before a final newline, so pyshacl alone would let these values through."""
    data = ntriples(
        (
            (PAPER, "wdt:P818", (lit("2303.04137\n"),)),
            (PAPER, "genrl:doi", (lit("10.48550/arxiv.2303.04137\n"),)),
        )
    )
    expected = canon(one(PAPER, "wdt:P818", "Pattern") + one(PAPER, "genrl:doi", "Pattern"))
    assert with_pyrudof(data) == expected
    assert with_engine(data) == expected  # XPath's $, as the SHACL specification asks
    assert with_pyshacl(data) == ()  # the pyshacl gap this choice closes


@pytest.mark.parametrize(
    ("subject", "name", "value"),
    [
        (ENTRY, "genrl:sourceLine", lit("many", "xsd:integer")),
        (ROW, "genrl:linkConfidence", lit("high", "xsd:decimal")),
        (PAPER, "genrl:firstListed", lit("yesterday", "xsd:dateTime")),
    ],
)
def test_an_ill_typed_literal_fails_its_datatype_in_every_engine(
    subject: Node, name: str, value: ox.Literal
) -> None:
    """A literal whose form is not of its datatype is ill-typed: sh:datatype rejects it.

    (A range check on an ill-typed number also fails in the engine, as the specification says
    of a comparison that does not return true; the other engines differ there, not here.)
    """
    data = ntriples(((subject, name, (value,)),))
    datatype = one(subject, name, "Datatype")[0]
    assert datatype in with_engine(data)
    assert datatype in with_pyrudof(data)
    assert datatype in with_pyshacl(data)


GOOD_LINKS = (
    "http://www.GitHub.com/real-stanford/diffusion_policy.git/tree/main/x",
    "gitlab.com/group/subgroup/project/-/blob/main/README.md",
    "https://huggingface.co/spaces/org/demo/blob/main/app.py",
    "https://huggingface.co/openvla/openvla-7b",
)
BAD_REPOSITORIES = (
    "http://github.com/a/b",
    "https://www.github.com/a/b",
    "https://github.com.evil.org/a/b",
    "https://github.com/a",
    "https://github.com/a/b/",
    "https://gitlab.com/a/b?tab=readme",
    "https://g\u0131thub.com/a/b",  # a dotless i
)
GOOD_ORCIDS, BAD_ORCIDS = ("0000-0002-1825-0097", ORCID), ("0000-0002-1825-009", "0000000218250097")
GOOD_RORS, BAD_RORS = (
    ("03yrm5c26", "057zh3y96"),
    ("03yrm5c2", "03YRM5C26", "13yrm5c26", "0lyrm5c26"),
)


def test_identifier_patterns_take_what_the_readers_make_and_agree_on_the_rest() -> None:
    """Repository URLs from normalize_code_url and ids parse_orcid/parse_ror accept pass all
    three engines; each lookalike fails its pattern once, in all three alike."""
    repositories = [normalize_code_url(link) for link in GOOD_LINKS]
    assert None not in repositories
    assert [parse_orcid(o) for o in GOOD_ORCIDS] == list(GOOD_ORCIDS)
    assert [parse_ror(r) for r in GOOD_RORS] == list(GOOD_RORS)
    edits: list[tuple[Node, str, tuple[Value, ...]]] = []
    for number, url in enumerate([*repositories, *BAD_REPOSITORIES]):
        paper = ox.NamedNode(f"{B}paper/title/code-{number}")
        edits += node(paper, rdf__type=iri("genrl:Paper"), dcterms__title=lit("T"))
        edits += node(paper, dcterms__subject=LEAF, prov__wasDerivedFrom=ENTRY)
        edits += node(paper, schema__codeRepository=ox.NamedNode(str(url)))
    for number, orcid in enumerate(GOOD_ORCIDS + BAD_ORCIDS):
        edits += node(ox.NamedNode(f"{B}person/p{number}"), rdf__type=iri("genrl:Person"))
        edits += node(ox.NamedNode(f"{B}person/p{number}"), wdt__P496=lit(orcid))
    for number, ror in enumerate(GOOD_RORS + BAD_RORS):
        institution = ox.NamedNode(f"{B}institution/i{number}")
        edits += node(institution, rdf__type=iri("genrl:Institution"), schema__name=lit("I"))
        edits += node(institution, wdt__P6782=lit(ror), prov__wasDerivedFrom=OPENALEX_I)
    data = ntriples(tuple(edits))
    bad = [(f"{B}paper/title/code-{n}", "schema:codeRepository") for n in range(4, 11)]
    bad += [(f"{B}person/p{n}", "wdt:P496") for n in (2, 3)]
    bad += [(f"{B}institution/i{n}", "wdt:P6782") for n in range(2, 6)]
    expected = canon(r for focus, path in bad for r in one(focus, path, "Pattern"))
    assert len(expected) == 13  # 7 repositories, 2 ORCID iDs, 4 ROR ids
    assert with_engine(data) == expected
    assert with_pyrudof(data) == expected
    assert with_pyshacl(data) == expected


def test_derived_integer_types_flag_the_same_nodes() -> None:
    """An ``xsd:int`` count fails sh:datatype in both engines; pyrudof adds a range result
    (it cannot compare xsd:int with xsd:integer), so the verdict agrees, the count does not."""
    data = ntriples(((ENTRY, "genrl:sourceLine", (lit("42", "xsd:int"),)),))
    datatype = one(ENTRY, "genrl:sourceLine", "Datatype")
    assert with_pyshacl(data) == canon(datatype)
    assert with_pyrudof(data) == canon(datatype + one(ENTRY, "genrl:sourceLine", "MinInclusive"))


def test_shapes_look_one_hop_from_the_focus_node() -> None:
    """find_violations validates in chunks holding each subject's triples and its objects'
    triples: every path is one predicate, and a shape reached by sh:node looks no further."""
    graph = shapes_graph()
    assert all(isinstance(path, URIRef) for path in graph.objects(None, SH.path))
    for shape in set(graph.objects(None, SH.node)):
        inner = [shape, *graph.objects(shape, SH.property)]
        assert not any((s, p, None) in graph for s in inner for p in (SH.node, SH["class"]))


def broken_graph() -> bytes:
    """Return the fixture with violations on papers, entries, rows and concepts at once."""
    cafe = ox.NamedNode(B + "paper/title/caf\u00e9")  # a non-ASCII focus node
    edits: Edits = (
        (PAPER, "wdt:P818", (lit(ARXIV_BAD),)),
        (PAPER2, "prov:wasDerivedFrom", (PAPER,)),
        (ENTRY, "dcterms:subject", (OTHER,)),
        (ENTRY2, "genrl:sourceLine", (n(0),)),
        (ROW, "genrl:describesPaper", ()),
        (LEAF, "skos:definition", ()),
        *node(cafe, rdf__type=iri("genrl:Paper"), dcterms__subject=LEAF),
        *node(cafe, prov__wasDerivedFrom=ENTRY),
    )
    return ntriples(edits)


def test_chunks_of_any_size_give_the_same_results() -> None:
    """Validating one subject at a time, three at a time or all at once finds the same."""
    data = broken_graph()
    whole = rudof.find_violations(data, chunk_subjects=10_000)
    assert len(whole) == 7  # one per edit above; the added paper lacks only its title
    assert rudof.find_violations(data, chunk_subjects=1) == whole
    assert rudof.find_violations(data, chunk_subjects=3) == whole
    engine = find_violations(data)
    assert [(v.focus, v.path, v.component) for v in engine] == [
        (v.focus, v.path, v.component) for v in whole
    ]
    assert with_pyshacl(data) == canon(
        (short(v.focus), v.path, v.component.removeprefix(SHACL)) for v in whole
    )


def test_only_validates_the_named_focus_nodes() -> None:
    """*only* limits the results to the named focus nodes, whatever else is broken."""
    data = broken_graph()
    found = find_violations(data, only={PAPER.value, LEAF.value, B + "paper/unknown"})
    assert [(v.focus, v.component.removeprefix(SHACL)) for v in found] == [
        (PAPER.value, "PatternConstraintComponent"),
        (LEAF.value, "MinCountConstraintComponent"),
    ]
    assert find_violations(data, only=set()) == []


def test_violation_fields_name_shape_message_and_value() -> None:
    """A result carries the shape's sh:message, the offending value and its severity."""
    (violation,) = find_violations(ntriples(((PAPER, "wdt:P818", (lit(ARXIV_BAD),)),)))
    assert violation.message == "wdt:P818 must be one versionless arXiv identifier"
    assert violation.value == f'"{ARXIV_BAD}"'
    assert violation.severity == "Violation"
    assert violation.shape is None  # an anonymous property shape
    (or_result,) = find_violations(ntriples(((ROW, "genrl:describesPaper", ()),)))
    assert or_result.shape == "https://w3id.org/genrl-kg/shapes#TableRowShape"
    assert or_result.message.startswith("a resolved table row needs exactly one")


def test_validate_names_the_source_line_of_each_violation() -> None:
    """The report counts all violations, shows ten, each led by the line *where* gives."""
    edits: list[tuple[Node, str, tuple[Value, ...]]] = []
    lines = {}
    for line in range(100, 112):  # twelve papers without a title
        paper = ox.NamedNode(f"{B}paper/title/untitled-{line}")
        edits += node(paper, rdf__type=iri("genrl:Paper"), dcterms__subject=LEAF)
        edits += node(paper, prov__wasDerivedFrom=ENTRY)
        lines[paper.value] = f"README.md:{line}"
    with pytest.raises(ValidationError) as caught:
        validate(ntriples(tuple(edits)), where=lines.get)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("SHACL validation failed: 12 violation(s): README.md:100: ")
    assert message.count("README.md:") == MAX_REPORTED
    assert message.endswith(" (and 2 more)")
    assert "untitled-100 dcterms:title: a paper needs exactly one non-empty" in message


def test_validate_passes_a_valid_graph_and_an_empty_one() -> None:
    """A conforming graph and an empty one raise nothing."""
    validate(ntriples())
    validate(b"")
    assert find_violations(b"\n") == []


def test_malformed_data_and_missing_shapes_are_one_line_errors(tmp_path: Path) -> None:
    """Bad N-Triples or an unreadable shapes file give a ValidationError that names them."""
    with pytest.raises(ValidationError, match=r"^cannot read the data graph \(N-Triples\): "):
        find_violations(b"<https://example.org/a> <https://example.org/b> .\n")
    missing = tmp_path / "nope.ttl"
    with pytest.raises(ValidationError, match=r"cannot read the SHACL shapes .*nope\.ttl"):
        find_violations(ntriples(), missing)


def test_other_shapes_files_are_used(tmp_path: Path) -> None:
    """The shapes come from *shapes_path* when given."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        f"<urn:s> a sh:NodeShape ; sh:targetClass <{G}Paper> ;\n"
        f'  sh:property [ sh:path <{G}arxivId> ; sh:minCount 1 ; sh:message "needs an id" ] .\n',
        encoding="utf-8",
    )
    (violation,) = find_violations(ntriples(), shapes)
    assert (violation.focus, violation.message) == (PAPER2.value, "needs an id")


PROJECT_ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / "3a091cc571bb16dd9e20809563b2fb788c90ed79"


BUNDLE = PROJECT_ROOT.parent / "shared" / "upstream" / "history.bundle"
LIST_VERSION_TYPE = f"<{RDF.type}> <{G}ListVersion> .".encode()


def real_build_arguments(kind: str, tmp_path: Path) -> list[str]:
    """Return the build arguments of the pinned snapshot or of the history clone (or skip)."""
    if kind == "snapshot":
        if not (UPSTREAM / "README.md").is_file():
            pytest.skip("upstream snapshot not found (needs ../shared/upstream/<commit>)")
        return ["--source", str(UPSTREAM)]
    if not BUNDLE.is_file():
        pytest.skip("history bundle not found (needs ../shared/upstream/history.bundle)")
    clone = tmp_path / "history"
    git = ["git", "clone", "-q", "-b", "main", str(BUNDLE), str(clone)]
    subprocess.run(git, check=True, capture_output=True, timeout=120)
    return ["--history", str(clone)]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["snapshot", "history"])
def test_the_real_graph_passes_all_engines(kind: str, tmp_path: Path) -> None:
    """The pinned list (or the newest version of its history, with graph/history), built
    offline and exported as N-Triples, conforms for pyrudof, pyshacl and the build's engine."""
    cli = shutil.which("genrl-kg", path=str(Path(sys.executable).parent)) or "genrl-kg"
    store, out = tmp_path / "store", tmp_path / "graph.nt"
    build = [cli, "build", *real_build_arguments(kind, tmp_path), "--offline"]
    build += ["--store", str(store), "--cache", str(tmp_path / "cache")]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    export = [cli, "export", "--store", str(store), "--format", "nt", "-o", str(out)]
    subprocess.run(export, check=True, capture_output=True, timeout=300)
    data = out.read_bytes()
    assert data.count(b"\n") > 10_000
    # 121 README versions in the bundle (counted in the shared notes); none without history
    assert data.count(LIST_VERSION_TYPE) == (121 if kind == "history" else 0)
    assert data.count(f"<{G}Evidence> .".encode()) > 0  # graph/facts is validated too
    assert with_pyrudof(data) == ()
    assert with_pyshacl(data) == ()
    assert with_engine(data) == ()
