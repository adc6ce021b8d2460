"""The facts stage: each paper's own base models, arXiv month, code and modalities, with evidence.

It reads what earlier stages left: the papers and their sections (list stage), the abstracts
and comments of ``ctx.arxiv_records`` (arXiv stage), the table rows' tags, link confidences
and code availability (``graph/tables``) and the Modality table's profiles (``graph/list``).
Everything it adds goes to ``graph/facts``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from genrl_kg.build.context import BuildContext, PaperNode, Stage, StageReport
from genrl_kg.paperfacts import (
    BaseModelAssignment,
    CodeLink,
    PaperEvidenceInput,
    SectionEvidence,
    TableTagEvidence,
    arxiv_month,
    find_code_links,
    load_default_vocabulary,
    make_section_evidence,
    make_table_tag_evidence,
    resolve_base_models,
)
from genrl_kg.rdf import Graph
from genrl_kg.rdf.facts import (
    CODE_AVAILABLE,
    CODE_NOT_AVAILABLE,
    FactWriter,
    ModalityProfile,
    add_arxiv_month,
    add_base_model,
    add_code_available,
    add_code_repository,
    add_modalities,
)
from genrl_kg.rdf.terms import GENRL, RDF, SCHEMA
from genrl_kg.sources.arxiv import ArxivRecord
from genrl_kg.sources.tables import HEADER_VARIANTS
from genrl_kg.taxonomy import Taxonomy

__all__ = [
    "STAGE",
    "FactsReport",
    "TableFacts",
    "add_facts",
    "read_modality_profiles",
    "read_table_facts",
]

logger = logging.getLogger(__name__)

_TAXONOMY_COLUMNS = frozenset(" ".join(v.split()).casefold() for v in HEADER_VARIANTS["taxonomy"])
# Terms made once (an OxNamespace lookup costs microseconds, and this runs per paper).
_DESCRIBES, _LINK_CONFIDENCE, _TAG = GENRL.describesPaper, GENRL.linkConfidence, GENRL.taxonomyTag
_CELL, _COLUMN, _CELL_VALUE = GENRL.cellText, GENRL.column, RDF.value
_CODE, _NAME, _MODEL_TYPE = GENRL.codeAvailability, SCHEMA.name, GENRL.modelType
_INPUT, _OUTPUT = GENRL.inputModality, GENRL.outputModality
_INPUT_TEXT, _OUTPUT_TEXT = GENRL.inputModalityText, GENRL.outputModalityText
_TABLE_PREDICATES = frozenset(
    (_DESCRIBES, _LINK_CONFIDENCE, _TAG, _CELL, _COLUMN, _CELL_VALUE, _CODE)
)
# Rare in graph/list, so its scan is mostly one set lookup per quad (rdf:type is everywhere;
# the profiles are the subjects with a genrl:modelType).
_PROFILE_PREDICATES = frozenset((_NAME, _MODEL_TYPE, _INPUT, _OUTPUT, _INPUT_TEXT, _OUTPUT_TEXT))


@dataclass
class FactsReport(StageReport):
    """How many papers got each fact, and from which evidence.

    ``base_model_by``: papers by the evidence that decided their base models (section,
    table-tag, vocabulary-title, vocabulary-abstract, none); ``year_by``: papers by where the
    year-based queries take their year (arxiv, identifier, list-marker, none);
    ``code_conflicts``: papers with a repository whose table says no code (kept as no).
    """

    papers: int = 0
    base_model_by: dict[str, int] = field(default_factory=dict)
    base_model_triples: int = 0
    year_by: dict[str, int] = field(default_factory=dict)
    arxiv_months: int = 0
    code_repositories: int = 0
    repositories_by: dict[str, int] = field(default_factory=dict)
    code_available_in_tables: int = 0
    code_available_added: int = 0
    code_conflicts: list[str] = field(default_factory=list)
    modalities: int = 0


@dataclass(frozen=True)
class TableFacts:
    """What the tables say about one paper: base-model tags and code availability."""

    tags: tuple[TableTagEvidence, ...] = ()
    code: frozenset[str] = frozenset()


_NO_TABLE = TableFacts()
_AVAILABLE, _NOT_AVAILABLE = CODE_AVAILABLE.value, CODE_NOT_AVAILABLE.value
_Object = ox.NamedNode | ox.BlankNode | ox.Literal


def _index(
    graph: Graph, predicates: frozenset[ox.NamedNode]
) -> dict[str, dict[str, list[_Object]]]:
    """Return {subject: {predicate: [objects]}} for *predicates*, in insertion order (one scan)."""
    found: dict[str, dict[str, list[_Object]]] = {}
    for quad in graph:
        predicate = quad.predicate
        if predicate not in predicates:
            continue
        subject, obj = quad.subject, quad.object
        if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            continue
        props = found.setdefault(subject.value, {})
        props.setdefault(predicate.value, []).append(obj)
    return found


def _values(props: Mapping[str, list[_Object]], predicate: ox.NamedNode) -> list[str]:
    """Return the lexical values of *predicate* in one subject's index entry."""
    return [term.value for term in props.get(predicate.value, ())]


def _taxonomy_cell(index: Mapping[str, Mapping[str, list[_Object]]], row: str) -> str | None:
    """Return the text of *row*'s Taxonomy cell, if it has one."""
    for cell in _values(index.get(row, {}), _CELL):
        props = index.get(cell, {})
        columns = _values(props, _COLUMN)
        if columns and " ".join(columns[0].split()).casefold() in _TAXONOMY_COLUMNS:
            return next(iter(_values(props, _CELL_VALUE)), None)
    return None


def read_table_facts(
    graph: Graph, taxonomy: Taxonomy, papers: Iterable[str]
) -> dict[str, TableFacts]:
    """Return the tables' tags (with cell text, row and link confidence) and code, by paper IRI."""
    index = _index(graph, _TABLE_PREDICATES)
    tags: dict[str, list[TableTagEvidence]] = {}
    for row, props in index.items():
        described = _values(props, _DESCRIBES)
        row_tags = _values(props, _TAG)
        if not described or not row_tags:
            continue
        confidence = float(next(iter(_values(props, _LINK_CONFIDENCE)), "1.0"))
        cell = _taxonomy_cell(index, row)
        named = {t.base_model: t for t in make_table_tag_evidence(taxonomy, cell, confidence, row)}
        for concept in row_tags:
            tag = named.get(concept) or TableTagEvidence(
                concept, cell or taxonomy.label(concept), confidence, row
            )
            for paper in described:
                tags.setdefault(paper, []).append(tag)
    out = {}
    for paper in papers:
        code = frozenset(_values(index.get(paper, {}), _CODE))
        if code or paper in tags:
            out[paper] = TableFacts(tuple(tags.get(paper, ())), code)
    return out


def read_modality_profiles(graph: Graph) -> dict[str, tuple[ModalityProfile, ...]]:
    """Return the Modality table's profiles (``graph/list``) by the base model they describe."""
    out: dict[str, list[ModalityProfile]] = {}
    for subject, props in _index(graph, _PROFILE_PREDICATES).items():
        if _MODEL_TYPE.value not in props:
            continue
        profile = ModalityProfile(
            ox.NamedNode(subject),
            next(iter(_values(props, _NAME)), ""),
            tuple(t for t in props.get(_INPUT.value, ()) if isinstance(t, ox.NamedNode)),
            tuple(t for t in props.get(_OUTPUT.value, ()) if isinstance(t, ox.NamedNode)),
            next(iter(_values(props, _INPUT_TEXT)), ""),
            next(iter(_values(props, _OUTPUT_TEXT)), ""),
        )
        for model in _values(props, _MODEL_TYPE):
            out.setdefault(model, []).append(profile)
    return {model: tuple(found) for model, found in out.items()}


class _Sections:
    """The section evidence of each heading path, worked out once per path."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        """Look sections up in *taxonomy*."""
        self._taxonomy = taxonomy
        self._known: dict[tuple[str, ...], SectionEvidence] = {}

    def of(self, paths: Iterable[tuple[str, ...]]) -> tuple[SectionEvidence, ...]:
        """Return the evidence of each section path."""
        out = []
        for path in paths:
            if path not in self._known:
                self._known[path] = make_section_evidence(self._taxonomy, path)
            out.append(self._known[path])
        return tuple(out)


def _count(counts: dict[str, int], key: str) -> None:
    """Add one to *counts[key]*."""
    counts[key] = counts.get(key, 0) + 1


def _base_model_kind(found: Sequence[BaseModelAssignment]) -> str:
    """Return the kind of evidence that decided the paper's base models ('none' if nothing)."""
    if not found:
        return "none"
    first = found[0]
    return f"vocabulary-{first.field}" if first.method == "vocabulary" else first.method


def _year_kind(record: ArxivRecord | None, month: str | None, paper: PaperNode) -> str:
    """Return where the paper's year comes from in the year-based queries."""
    if record is not None:
        return "arxiv"
    if month is not None:
        return "identifier"
    return "list-marker" if paper.record.year_added is not None else "none"


def _code_links(record: ArxivRecord | None, paper: PaperNode) -> tuple[CodeLink, ...]:
    """Return the repositories in the paper's arXiv comment and abstract and its listed links."""
    texts = (
        [("arxiv-comment", record.comment), ("arxiv-abstract", record.abstract)] if record else []
    )
    return find_code_links(texts, paper.record.listed_links)


def _arxiv_id(paper: PaperNode) -> str | None:
    """Return the paper's (first) arXiv identifier."""
    for link in paper.record.link_ids:
        if link.kind == "arxiv":
            return link.value
    return None


class _Facts:
    """One run of the stage: what every paper's facts are read from, and the report."""

    def __init__(self, ctx: BuildContext) -> None:
        """Read the tables' and the Modality table's facts once, for every paper."""
        self.records = ctx.arxiv_records
        self.vocabulary = load_default_vocabulary()
        self.sections = _Sections(ctx.taxonomy)
        nodes = (p.node.value for p in ctx.papers)
        self.tables = read_table_facts(ctx.quads["tables"], ctx.taxonomy, nodes)
        self.profiles = read_modality_profiles(ctx.quads["list"])
        self.writer = FactWriter(ctx.quads)
        self.report = FactsReport(papers=len(ctx.papers))

    def add(self, paper: PaperNode) -> None:
        """Add one paper's facts."""
        arxiv_id = _arxiv_id(paper)
        record = self.records.get(arxiv_id) if arxiv_id else None
        table = self.tables.get(paper.node.value, _NO_TABLE)
        self._add_base_models(paper, record, table)
        month = arxiv_month(arxiv_id) if arxiv_id else None
        if month is not None and arxiv_id is not None:
            add_arxiv_month(self.writer, paper.node, arxiv_id, month)
            self.report.arxiv_months += 1
        _count(self.report.year_by, _year_kind(record, month, paper))
        self._add_code(paper, _code_links(record, paper), table)

    def _add_base_models(
        self, paper: PaperNode, record: ArxivRecord | None, table: TableFacts
    ) -> None:
        """Add the paper's base models and the modalities they bring."""
        titles = paper.record.titles or (paper.record.title,)
        inputs = PaperEvidenceInput(
            " | ".join(titles),
            record.abstract if record else None,
            self.sections.of([s.path for s in paper.record.sections]),
            table.tags,
        )
        found = resolve_base_models(inputs, self.vocabulary)
        _count(self.report.base_model_by, _base_model_kind(found))
        modalities = 0
        for assignment in found:
            add_base_model(self.writer, paper.node, assignment)
            modalities += add_modalities(self.writer, paper.node, self.profiles, assignment)
        self.report.base_model_triples += len(found)
        self.report.modalities += 1 if modalities else 0

    def _add_code(self, paper: PaperNode, links: tuple[CodeLink, ...], table: TableFacts) -> None:
        """Add the paper's repositories and, unless a table says 'no', code availability."""
        report = self.report
        if _AVAILABLE in table.code:
            report.code_available_in_tables += 1
        if not links:
            return
        report.code_repositories += 1
        for origin in sorted({o for link in links for o in link.origins}):
            _count(report.repositories_by, origin)
        for link in links:
            add_code_repository(self.writer, paper.node, link)
        if _NOT_AVAILABLE in table.code:
            report.code_conflicts.append(paper.record.key)
            return
        if _AVAILABLE not in table.code:
            report.code_available_added += 1
        add_code_available(self.writer, paper.node, links)


def add_facts(ctx: BuildContext) -> FactsReport:
    """Add the per-paper facts to ``graph/facts``."""
    run = _Facts(ctx)
    for paper in ctx.papers:
        run.add(paper)
    conflicts = run.report.code_conflicts
    if conflicts:
        logger.info("%d paper(s) with a repository keep the tables' 'no code'", len(conflicts))
    return run.report


STAGE = Stage("facts", add_facts, FactsReport)
