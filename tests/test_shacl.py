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
from genrl_kg.shacl import MAX_REPORTED, find_violations, validate
from genrl_kg.shacl import rudof

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

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal
Result = tuple[str, str | None, str]
Expected = tuple[Result, ...]  # sorted, so that a repeated result counts


def iri(name: str) -> ox.NamedNode:
    """Return the IRI for a short name such as ``dcterms:title``."""
    prefix, local = name.split(":", 1)
    spaces = {"genrl": G, "dcterms": DCT, "skos": SKOS, "wdt": WDT, "xsd": XSD}
    spaces |= {"rdf": str(RDF), "rdfs": str(RDFS), "schema": "https://schema.org/"}
    spaces |= {"prov": "http://www.w3.org/ns/prov#"}
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
    return apply({}, edits)


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


def counter_cases(shape: str, subject: Node, name: str) -> dict[str, Case]:
    """Return the minCount/maxCount/datatype/minInclusive 1 cases of one integer property."""
    return {
        f"{shape} {name} sh:minCount": breaking(subject, name, component="MinCount"),
        f"{shape} {name} sh:maxCount": breaking(subject, name, n(1), n(2), component="MaxCount"),
        # a decimal >= 1: only the datatype fails (an xsd:int would also trip pyrudof's range
        # check, see test_derived_integer_types_flag_the_same_nodes)
        f"{shape} {name} sh:datatype": breaking(
            subject, name, lit("4.0", "xsd:decimal"), component="Datatype"
        ),
        f"{shape} {name} sh:minInclusive": breaking(subject, name, n(0), component="MinInclusive"),
    }


ARXIV_BAD, DOI_UPPER, DOI_LOWER = "2303.04137v2", "10.48550/ARXIV.2303.04137", "10.48550/arxiv.x"
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
    assert len(keys) == 71  # counted by hand in shapes.ttl (5 node shapes, 26 property shapes)


def test_the_fixture_is_valid_for_both_engines() -> None:
    """The unedited fixture conforms for pyrudof and for pyshacl."""
    data = ntriples()
    assert data.count(b"\n") == 45  # the fixture's triples, counted by hand
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
    assert with_pyshacl(data) == ()  # the pyshacl gap this choice closes


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


@pytest.mark.slow
def test_the_real_graph_passes_both_engines(tmp_path: Path) -> None:
    """The pinned list, built offline and exported as N-Triples, conforms for both engines."""
    if not (UPSTREAM / "README.md").is_file():
        pytest.skip("upstream snapshot not found (needs ../shared/upstream/<commit>)")
    cli = shutil.which("genrl-kg", path=str(Path(sys.executable).parent)) or "genrl-kg"
    store, out = tmp_path / "store", tmp_path / "graph.nt"
    build = [cli, "build", "--source", str(UPSTREAM), "--offline", "--store", str(store)]
    build += ["--cache", str(tmp_path / "cache")]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    export = [cli, "export", "--store", str(store), "--format", "nt", "-o", str(out)]
    subprocess.run(export, check=True, capture_output=True, timeout=300)
    data = out.read_bytes()
    assert data.count(b"\n") > 10_000
    assert with_pyrudof(data) == ()
    assert with_pyshacl(data) == ()
    assert with_engine(data) == ()
