"""The hand-written ontology and SHACL shapes: parse, completeness, sync with namespace.py."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, ClosedNamespace

from genrl_kg import namespace as ns
from genrl_kg import settings
from genrl_kg.namespace import PREFIXES, bind_prefixes
from genrl_kg.taxonomy import load_taxonomy

# The namespace module gives plain strings; rdflib graphs want URIRefs.
GENRL = ClosedNamespace(str(ns.GENRL), list(ns.GENRL_TERMS))
VANN, WDT = Namespace(str(ns.VANN)), Namespace(str(ns.WDT))
TAXONOMY_SCHEME = URIRef(ns.TAXONOMY_SCHEME)
CONCEPT_SCHEMES = tuple(URIRef(s) for s in ns.CONCEPT_SCHEMES)


def concept_iri(scheme: str, slug: str) -> URIRef:
    """Return the concept IRI as an rdflib URIRef."""
    return URIRef(ns.concept_iri(scheme, slug))


PROJECT_ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_ROOT = PROJECT_ROOT.parent / "shared" / "upstream"
# rdf:Property for a property whose values are IRIs or literals (genrl:evidenceValue).
TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
)
EX = "https://example.org/kg/"


def _upstream_readme() -> Path:
    """Return the README.md of the pinned upstream snapshot, or skip."""
    found = sorted(UPSTREAM_ROOT.glob("*/README.md")) if UPSTREAM_ROOT.is_dir() else []
    if not found:
        pytest.skip(f"no upstream snapshot under {UPSTREAM_ROOT}")
    return found[0]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """Return the ontology, parsed by rdflib (the product parses it with Oxigraph)."""
    return Graph().parse(data=settings.ONTOLOGY_FILE.read_bytes(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """Return the parsed SHACL shapes."""
    return Graph().parse(data=settings.SHAPES_FILE.read_bytes(), format="turtle")


def _concepts(graph: Graph) -> set[URIRef]:
    """Return every subject with a skos:inScheme."""
    return {s for s in graph.subjects(SKOS.inScheme) if isinstance(s, URIRef)}


def test_ontology_parses_with_rdflib_and_pyoxigraph(ontology: Graph) -> None:
    store = pyoxigraph.Store()
    store.load(path=str(settings.ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(ontology) > 500


def test_header_has_version_license_creator_and_prefix(ontology: Graph) -> None:
    onto = URIRef(settings.ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) == URIRef(settings.ONTOLOGY_IRI + "/0.1.0")
    for prop in (OWL.versionInfo, DCTERMS.creator, DCTERMS.title, DCTERMS.description):
        assert ontology.value(onto, prop) is not None, prop
    assert ontology.value(onto, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert str(ontology.value(onto, VANN.preferredNamespacePrefix)) == "genrl"


def test_every_term_scheme_and_concept_has_label_and_definition(ontology: Graph) -> None:
    subjects = {s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t)}
    subjects |= set(ontology.subjects(RDF.type, SKOS.ConceptScheme)) | _concepts(ontology)
    assert len(subjects) > 120
    missing = [
        str(s)
        for s in subjects
        if not (ontology.value(s, RDFS.label) or ontology.value(s, SKOS.prefLabel))
        or not (ontology.value(s, SKOS.definition) or ontology.value(s, RDFS.comment))
    ]
    assert missing == []


def test_namespace_and_ontology_define_the_same_terms(ontology: Graph) -> None:
    base = str(ns.GENRL)
    in_ontology = {str(s)[len(base) :] for s in ontology.subjects() if str(s).startswith(base)}
    assert in_ontology == set(ns.GENRL_TERMS) == set(dir(ns.GENRL))
    typed = {str(s)[len(base) :] for t in TERM_TYPES for s in ontology.subjects(RDF.type, t)}
    assert in_ontology <= typed
    with pytest.raises(AttributeError):
        _ = ns.GENRL.Papr


def test_class_hierarchy_reuses_standard_vocabularies(ontology: Graph) -> None:
    schema = PREFIXES["schema"]
    assert (GENRL.Paper, RDFS.subClassOf, URIRef(schema + "ScholarlyArticle")) in ontology
    assert (GENRL.ListEntry, RDFS.subClassOf, PROV.Entity) in ontology
    assert (GENRL.Build, RDFS.subClassOf, PROV.Activity) in ontology
    for cls in (GENRL.TaxonomyLeaf, GENRL.BaseModelType, GENRL.RLTask, GENRL.ArxivCategory):
        assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology


def test_identifier_properties_map_to_wikidata(ontology: Graph) -> None:
    assert (GENRL.arxivId, OWL.equivalentProperty, WDT.P818) in ontology
    assert (GENRL.doi, SKOS.closeMatch, WDT.P356) in ontology
    assert "upper case" in str(ontology.value(GENRL.doi, SKOS.definition))
    assert (GENRL.openReviewId, OWL.equivalentProperty, WDT.P8968) in ontology
    assert (GENRL.ieeeXploreId, OWL.equivalentProperty, WDT.P6480) in ontology
    assert (None, None, WDT.P6479) not in ontology  # P6479 is the IEEE *author* ID
    for prop in (WDT.P818, WDT.P356, WDT.P8968, WDT.P6480):
        assert (prop, RDF.type, OWL.DatatypeProperty) in ontology
        assert ontology.value(prop, RDFS.label) is not None


def test_broader_and_narrower_are_symmetric(ontology: Graph) -> None:
    pairs = set(ontology.subject_objects(SKOS.broader))
    inverse = {(o, s) for s, o in ontology.subject_objects(SKOS.narrower)}
    assert pairs == inverse
    with_broader = {s for s, _ in pairs}
    taxonomy = {
        c for c in _concepts(ontology) if ontology.value(c, SKOS.inScheme) == TAXONOMY_SCHEME
    }
    assert len(taxonomy) == 24
    assert taxonomy - with_broader == set(ontology.subjects(SKOS.topConceptOf, TAXONOMY_SCHEME))


def test_concepts_sit_in_fixed_schemes_with_fixed_iris(ontology: Graph) -> None:
    for concept in _concepts(ontology):
        scheme = ontology.value(concept, SKOS.inScheme)
        assert scheme in CONCEPT_SCHEMES
        assert str(concept).startswith(str(scheme) + "/")
        assert re.fullmatch(r"[a-z0-9-]+", str(concept).rsplit("/", 1)[1])
    tops = set(ontology.subjects(SKOS.topConceptOf, TAXONOMY_SCHEME))
    assert tops == {
        concept_iri("taxonomy", "generative-tools-for-rl"),
        concept_iri("taxonomy", "rl-for-generative-policies"),
    }
    assert set(ontology.objects(TAXONOMY_SCHEME, SKOS.hasTopConcept)) == tops


def test_notations_follow_the_tree(ontology: Graph) -> None:
    taxonomy = load_taxonomy()
    notations = [taxonomy.notation(c) for c in taxonomy.concepts()]
    assert None not in notations and len(set(notations)) == len(notations)
    for concept in taxonomy.concepts():
        parent = taxonomy.broader(concept)
        notation = taxonomy.notation(concept) or ""
        if parent is None:
            assert notation in {"1", "2"}
        else:
            assert notation.rsplit(".", 1)[0] == taxonomy.notation(parent)
    assert taxonomy.notation(ns.concept_iri("taxonomy", "vlms-for-reward-learning")) == "1.3.1.2"


def test_every_leaf_has_base_model_and_rl_task(ontology: Graph) -> None:
    leaves = set(ontology.subjects(RDF.type, GENRL.TaxonomyLeaf))
    assert len(leaves) == 15
    for leaf in leaves:
        models = set(ontology.objects(leaf, GENRL.aboutBaseModel))
        tasks = set(ontology.objects(leaf, GENRL.aboutRLTask))
        assert models and tasks, leaf
        assert all((m, RDF.type, GENRL.BaseModelType) in ontology for m in models)
        assert all((t, RDF.type, GENRL.RLTask) in ontology for t in tasks)
    expected = {
        "vlms-for-reward-learning": ("vlm", "reward-signal"),
        "diffusion-models-for-planning-and-exploration": (
            "diffusion-model",
            "planning-and-exploration",
        ),
        "transformer-policy": ("transformer-policy", "policy-pre-training"),
        "learning-reward-functions-with-llms": ("llm", "reward-signal"),
    }
    for leaf, (model, task) in expected.items():
        iri = concept_iri("taxonomy", leaf)
        assert (iri, GENRL.aboutBaseModel, concept_iri("base-model", model)) in ontology
        assert (iri, GENRL.aboutRLTask, concept_iri("rl-task", task)) in ontology
    pretraining = concept_iri("taxonomy", "rl-pre-training")
    assert ontology.value(pretraining, GENRL.aboutRLTask) == concept_iri(
        "rl-task", "policy-pre-training"
    )


def _leaf_heading_paths(readme: Path) -> list[tuple[str, ...]]:
    """Return the heading paths (below the title) of headings directly followed by entries."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    holds_entries = False
    for line in [*readme.read_text(encoding="utf-8").splitlines(), "# end"]:
        heading = re.match(r"^(#{1,6})\s*(.*?)\s*$", line)
        if heading:
            if holds_entries and stack:
                paths.append(tuple(text for _, text in stack))
            level = len(heading.group(1))
            stack = [(lvl, text) for lvl, text in stack if lvl < level]
            if level > 1:
                stack.append((level, heading.group(2)))
            holds_entries = False
        elif re.match(r"^\s*[-*]\s+.*\[.*\]\(", line):
            holds_entries = True
    return paths


@pytest.mark.upstream
def test_every_leaf_heading_of_the_real_list_maps_to_a_known_concept() -> None:
    paths = _leaf_heading_paths(_upstream_readme())
    taxonomy = load_taxonomy()
    resolved = {path[-1]: taxonomy.match_heading(path) for path in paths}
    assert len(resolved) == 15
    assert [h for h, iri in resolved.items() if iri is None] == []
    ontology = Graph().parse(data=settings.ONTOLOGY_FILE.read_bytes(), format="turtle")
    leaves = {str(s) for s in ontology.subjects(RDF.type, GENRL.TaxonomyLeaf)}
    assert set(resolved.values()) == leaves


def test_ontology_concepts_conform_to_the_shapes(ontology: Graph, shapes: Graph) -> None:
    conforms, _, report = validate(ontology, shacl_graph=shapes)
    assert conforms, report


def _paper_graph(**overrides: object) -> Graph:
    """Return a tiny graph with one paper and its list entry; overrides replace values."""
    values: dict[str, object] = {
        "title": [Literal("Diffusion Policy")],
        "subject": [concept_iri("taxonomy", "diffusion-policy")],
        "arxiv": [Literal("2303.04137")],
        "doi": [Literal("10.48550/ARXIV.2303.04137")],
        "year": [Literal("2024", datatype=XSD.gYear)],
        "entry": True,
    }
    values.update(overrides)
    graph = Graph()
    paper, entry = URIRef(EX + "paper/arxiv/2303.04137"), URIRef(EX + "list-entry/310")
    graph.add((paper, RDF.type, GENRL.Paper))
    for key, prop in (
        ("title", DCTERMS.title),
        ("subject", DCTERMS.subject),
        ("arxiv", WDT.P818),
        ("doi", WDT.P356),
        ("year", GENRL.yearAdded),
    ):
        for value in values[key]:  # type: ignore[attr-defined]
            graph.add((paper, prop, value))
    if values["entry"]:
        graph.add((paper, PROV.wasDerivedFrom, entry))
        graph.add((entry, RDF.type, GENRL.ListEntry))
        graph.add((entry, GENRL.sourceFile, Literal("README.md")))
        graph.add((entry, GENRL.sourceLine, Literal(310)))
        graph.add((entry, GENRL.upstreamCommit, Literal("3a091cc571bb")))
    return graph


def _conforms(data: Graph, ontology: Graph, shapes: Graph) -> bool:
    """Validate *data* together with the ontology against the shapes."""
    conforms, _, _ = validate(data + ontology, shacl_graph=shapes)
    return bool(conforms)


def test_valid_paper_conforms(ontology: Graph, shapes: Graph) -> None:
    assert _conforms(_paper_graph(), ontology, shapes)


def _violated_paths(data: Graph, ontology: Graph, shapes: Graph) -> set[object]:
    """Return the sh:resultPath of every top-level violation of *data* plus the ontology."""
    _, results, _ = validate(data + ontology, shacl_graph=shapes)
    top = results.objects(None, SH.result)
    return {results.value(result, SH.resultPath) for result in top}


@pytest.mark.parametrize(
    ("override", "path"),
    [
        pytest.param({"title": []}, DCTERMS.title, id="no-title"),
        pytest.param({"title": [Literal("A"), Literal("B")]}, DCTERMS.title, id="two-titles"),
        pytest.param({"subject": []}, DCTERMS.subject, id="no-subject"),
        pytest.param(
            {"subject": [concept_iri("base-model", "llm")]},
            DCTERMS.subject,
            id="subject-outside-taxonomy",
        ),
        pytest.param({"arxiv": [Literal("2303.04137v2")]}, WDT.P818, id="versioned-arxiv"),
        pytest.param(
            {"arxiv": [Literal("2303.04137"), Literal("2304.10573")]}, WDT.P818, id="two-arxiv"
        ),
        pytest.param(
            {"doi": [Literal("10.1109/icra57147.2024.10610665")]}, WDT.P356, id="lower-case-doi"
        ),
        pytest.param(
            {"year": [Literal("2024", datatype=XSD.integer)]}, GENRL.yearAdded, id="year-int"
        ),
        pytest.param({"entry": False}, PROV.wasDerivedFrom, id="no-list-entry"),
    ],
)
def test_invalid_paper_fails(
    override: dict[str, object], path: URIRef, ontology: Graph, shapes: Graph
) -> None:
    assert _violated_paths(_paper_graph(**override), ontology, shapes) == {path}


def _table_row(resolved: bool, paper: bool, confidence: str | None) -> Graph:
    """Return a graph with one table row (and the valid paper)."""
    graph = _paper_graph()
    row = URIRef(EX + "table-row/diffusion-models/2")
    graph.add((row, RDF.type, GENRL.TableRow))
    graph.add((row, GENRL.sourceFile, Literal("Diffusion_Models_for_RL_Table.xlsx")))
    graph.add((row, GENRL.sheet, Literal("Sheet1")))
    graph.add((row, GENRL.rowNumber, Literal(2)))
    graph.add((row, GENRL.resolved, Literal(resolved)))
    if paper:
        graph.add((row, GENRL.describesPaper, URIRef(EX + "paper/arxiv/2303.04137")))
    if confidence is not None:
        graph.add((row, GENRL.linkConfidence, Literal(confidence, datatype=XSD.decimal)))
    return graph


@pytest.mark.parametrize(
    ("resolved", "paper", "confidence", "expected"),
    [
        (True, True, "0.95", True),
        (False, False, None, True),
        (True, False, None, False),
        (True, True, None, False),
        (True, True, "1.5", False),
    ],
)
def test_table_row_shape(
    resolved: bool,
    paper: bool,
    confidence: str | None,
    expected: bool,
    ontology: Graph,
    shapes: Graph,
) -> None:
    assert _conforms(_table_row(resolved, paper, confidence), ontology, shapes) is expected


def test_concept_without_definition_fails(ontology: Graph, shapes: Graph) -> None:
    minted = URIRef(EX + "taxonomy/flow-policy")
    graph = Graph()
    graph.add((minted, RDF.type, SKOS.Concept))
    graph.add((minted, SKOS.prefLabel, Literal("Flow Policy")))
    graph.add((minted, SKOS.inScheme, TAXONOMY_SCHEME))
    assert not _conforms(graph, ontology, shapes)
    graph.add((minted, SKOS.definition, Literal("A section added upstream.")))
    assert _conforms(graph, ontology, shapes)


def test_list_entry_line_must_be_positive(ontology: Graph, shapes: Graph) -> None:
    graph = _paper_graph()
    entry = URIRef(EX + "list-entry/310")
    graph.set((entry, GENRL.sourceLine, Literal(0)))
    assert not _conforms(graph, ontology, shapes)


def test_bind_prefixes_gives_readable_turtle() -> None:
    graph = bind_prefixes(Graph())
    graph.add((BNode(), DCTERMS.subject, concept_iri("taxonomy", "diffusion-policy")))
    text = graph.serialize(format="turtle")
    assert "@prefix tax: <https://w3id.org/genrl-kg/taxonomy/>" in text
    assert "tax:diffusion-policy" in text
    assert dict(graph.namespaces())["genrl"] == URIRef(str(GENRL))
    assert PREFIXES["schema"] == "https://schema.org/"
