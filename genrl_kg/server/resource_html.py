"""HTML pages for people about one resource: title, authors, categories, facts, neighbours."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from genrl_kg.namespace import PREFIXES

__all__ = [
    "FACTS",
    "TITLE_IRIS",
    "ResourceData",
    "authors_list",
    "dedupe_rows",
    "facts_table",
    "grouped_rows",
    "identity",
    "page_head",
    "page_title",
    "prefixed",
    "property_tables",
    "render_page",
    "term_link",
    "term_text",
    "values_of",
]

GENRL = PREFIXES["genrl"]
DCT = PREFIXES["dcterms"]
RDF_TYPE = PREFIXES["rdf"] + "type"
TITLE_IRIS = (
    DCT + "title",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["schema"] + "name",
    "http://schema.org/name",
    PREFIXES["rdfs"] + "label",
)
SAME_AS = (PREFIXES["owl"] + "sameAs", PREFIXES["schema"] + "sameAs")
WIKIDATA = ("http://www.wikidata.org/entity/", "https://www.wikidata.org/wiki/")
FACTS = (
    ("codeAvailability", "Code availability"),
    ("evaluationSetting", "Evaluation setting"),
    ("usesDataset", "Datasets"),
    ("usesFoundationModel", "Foundation models"),
    ("introducesFramework", "Framework"),
    ("application", "Application"),
    ("yearAdded", "Year added"),
)
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def prefixed(iri: str) -> str | None:
    """Return the prefixed name of *iri* with the project's prefixes, or None.

    >>> prefixed('https://w3id.org/genrl-kg/ontology#authorship')
    'genrl:authorship'
    >>> prefixed('http://example.org/x') is None
    True
    """
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
    return None


@dataclass
class ResourceData:
    """What a page shows: the rows of the neighbour queries plus the labels known."""

    iri: str
    base: str
    outgoing: Sequence[Sequence[Any]]
    incoming: Sequence[Sequence[Any]]
    authors: Sequence[Sequence[Any]] = ()
    labels: dict[str, str] = field(default_factory=dict)


def term_text(term: Any, label: Any, labels: dict[str, str]) -> str:
    """Return the display text of a term: its label, its prefixed name, or its value."""
    if label is not None:
        return str(label.value)
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or prefixed(term.value) or term.value
    if isinstance(term, ox.Literal):
        return str(term.value)
    return str(term)


def term_link(data: ResourceData, term: Any, label: Any = None) -> str:
    """Return HTML for a term: local IRIs link to their page, others are external links."""
    text = html.escape(term_text(term, label, data.labels))
    if not isinstance(term, ox.NamedNode):
        if isinstance(term, ox.Literal) and term.language:
            return f'{text} <span class="lang">@{html.escape(term.language)}</span>'
        return text
    iri = term.value
    if iri.startswith(data.base):
        href = "/resource/" + iri[len(data.base) :]
        return f'<a href="{html.escape(href)}" title="{html.escape(iri)}">{text}</a>'
    kind = "external wikidata" if iri.startswith(WIKIDATA) else "external"
    return (
        f'<a class="{kind}" href="{html.escape(iri)}" rel="noopener noreferrer" '
        f'title="{html.escape(iri)}">{text}</a>'
    )


def _predicate(data: ResourceData, iri: str) -> str:
    """Return a predicate cell: prefixed name, its ontology label, linked where local."""
    name = prefixed(iri) or iri
    label = data.labels.get(iri)
    shown = f"<code>{html.escape(name)}</code>"
    if label:
        shown += f' <span class="label">{html.escape(label)}</span>'
    href = "/resource/" + iri[len(data.base) :] if iri.startswith(data.base) else iri
    return f'<a href="{html.escape(href)}" title="{html.escape(iri)}">{shown}</a>'


def dedupe_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, Any, Any]]:
    """Keep one row per (first, second) term pair, with the smallest English/plain label."""
    best: dict[tuple[str, str], tuple[Any, Any, Any]] = {}
    for a, b, label in rows:
        key = (str(a), str(b))
        if label is not None and label.language not in (None, "en"):
            label = None if key not in best else best[key][2]
        current = best.get(key)
        if current is None or (
            label is not None and (current[2] is None or label.value < current[2].value)
        ):
            best[key] = (a, b, label)
    return list(best.values())


def grouped_rows(data: ResourceData, pairs: list[tuple[str, str, str]]) -> str:
    """Return table rows grouping (predicate IRI, sort key, value HTML) by predicate."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for predicate, key, cell in pairs:
        groups.setdefault(predicate, []).append((key, cell))
    out = []
    for predicate in sorted(groups, key=lambda p: (prefixed(p) or "~" + p).lower()):
        values = "".join(f"<li>{cell}</li>" for _, cell in sorted(groups[predicate]))
        out.append(
            f"<tr><th>{_predicate(data, predicate)}</th>"
            f'<td><ul class="values">{values}</ul></td></tr>'
        )
    return "".join(out)


def values_of(data: ResourceData, rows: list[tuple[Any, Any, Any]], iri: str) -> list[str]:
    """Return the linked values of predicate *iri*, sorted by their text."""
    found = sorted(
        (term_text(o, lab, data.labels).lower(), term_link(data, o, lab))
        for p, o, lab in rows
        if p.value == iri
    )
    return [cell for _, cell in found]


def facts_table(data: ResourceData, rows: list[tuple[Any, Any, Any]]) -> str:
    """Return the facts table of a paper (identifiers, table facts, Wikidata)."""
    facts = []
    for p, o, _ in rows:
        if p.value == GENRL + "arxivId" and isinstance(o, ox.Literal):
            arxiv = html.escape(o.value)
            facts.append(
                ("arXiv", f'<a class="external" href="https://arxiv.org/abs/{arxiv}">{arxiv}</a>')
            )
        elif p.value == GENRL + "doi" and isinstance(o, ox.Literal):
            doi = html.escape(o.value)
            facts.append(("DOI", f'<a class="external" href="https://doi.org/{doi}">{doi}</a>'))
    for local, fallback in FACTS:
        cells = values_of(data, rows, GENRL + local)
        if cells:
            name = data.labels.get(GENRL + local) or fallback
            facts.append((name[:1].upper() + name[1:], ", ".join(cells)))
    wikidata = sorted(
        {o.value for p, o, _ in rows if p.value in SAME_AS and o.value.startswith(WIKIDATA)}
    )
    for item in wikidata:
        qid = html.escape(item.rsplit("/", 1)[-1])
        href = html.escape(item)
        link = f'<a class="external wikidata" href="{href}" rel="noopener noreferrer">{qid}</a>'
        facts.append(("Wikidata", link))
    if not facts:
        return ""
    body = "".join(f"<tr><th>{html.escape(n)}</th><td>{v}</td></tr>" for n, v in facts)
    return f'<h2>Facts</h2><table class="facts">{body}</table>'


def authors_list(data: ResourceData) -> str:
    """Return the ordered author list (genrl:authorship -> genrl:author, genrl:position)."""
    if not data.authors:
        return ""
    items = "".join(
        f'<li value="{html.escape(position.value)}">{term_link(data, author, name)}</li>'
        for author, name, position in data.authors
    )
    return f'<h2>Authors</h2><ol class="authors">{items}</ol>'


def page_title(data: ResourceData, rows: list[tuple[Any, Any, Any]]) -> str:
    """Return the resource's title: its first title or label, else its IRI."""
    for iri in TITLE_IRIS:
        texts = sorted(o.value for p, o, _ in rows if p.value == iri and isinstance(o, ox.Literal))
        if texts:
            return str(texts[0])
    return data.iri


def page_head(title: str, body_class: str) -> str:
    """Return the page up to <main>: head, alternate formats, the site's navigation."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="stylesheet" href="/static/app.css">'
        '<link rel="alternate" type="text/turtle" href="?format=turtle">'
        '<link rel="alternate" type="application/ld+json" href="?format=jsonld"></head>'
        f'<body class="{body_class}"><header><nav aria-label="Site"><a href="/">genrl-kg explorer</a>'
        ' · <a href="/sparql">SPARQL editor</a></nav></header><main>'
    )


def identity(data: ResourceData, title: str, rows: list[tuple[Any, Any, Any]]) -> str:
    """Return the heading, the IRI with the types, and the links to the RDF formats."""
    types = ", ".join(values_of(data, rows, RDF_TYPE))
    return (
        f'<h1>{html.escape(title)}</h1><p class="iri"><code>{html.escape(data.iri)}</code>'
        + (f' <span class="types">{types}</span>' if types else "")
        + "</p>"
        '<p class="formats">Also as <a href="?format=turtle">Turtle</a>, '
        '<a href="?format=jsonld">JSON-LD</a>, <a href="?format=nt">N-Triples</a>, '
        '<a href="?format=rdfxml">RDF/XML</a>.</p>'
    )


def property_tables(
    data: ResourceData, rows: list[tuple[Any, Any, Any]], incoming: list[tuple[Any, Any, Any]]
) -> str:
    """Return the Properties table and the Referenced-by table."""
    properties = grouped_rows(
        data,
        [
            (p.value, term_text(o, lab, data.labels).lower(), term_link(data, o, lab))
            for p, o, lab in rows
        ],
    )
    back = grouped_rows(
        data,
        [
            (p.value, term_text(s, lab, data.labels).lower(), term_link(data, s, lab))
            for s, p, lab in incoming
        ],
    )
    return (
        f'<h2>Properties</h2><table class="properties">{properties}</table>' if rows else ""
    ) + (f'<h2>Referenced by</h2><table class="incoming">{back}</table>' if incoming else "")


def render_page(data: ResourceData) -> str:
    """Render the HTML page of one resource."""
    rows = dedupe_rows(data.outgoing)
    incoming = dedupe_rows(data.incoming)
    title = page_title(data, rows)
    subjects = values_of(data, rows, DCT + "subject")
    categories = (
        '<h2>Categories</h2><ul class="categories">'
        + "".join(f"<li>{c}</li>" for c in subjects)
        + "</ul>"
        if subjects
        else ""
    )
    return (
        page_head(title, "resource")
        + identity(data, title, rows)
        + authors_list(data)
        + categories
        + facts_table(data, rows)
        + property_tables(data, rows, incoming)
        + "</main></body></html>\n"
    )
