"""A paper's page for people: authors, abstract, categories, the tables' facts in words, BibTeX."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from genrl_kg.namespace import PREFIXES
from genrl_kg.server.explorer.vocabulary import Concept, Vocabulary, slug_of
from genrl_kg.server.resource_html import (
    ResourceData,
    authors_list,
    dedupe_rows,
    facts_table,
    identity,
    page_head,
    page_title,
    property_tables,
    term_link,
    term_text,
)

__all__ = ["PaperExtras", "breadcrumbs", "is_paper", "render_paper", "table_facts"]

GENRL = PREFIXES["genrl"]
DCT = PREFIXES["dcterms"]
CITES = PREFIXES["cito"] + "cites"
REPOSITORY = PREFIXES["schema"] + "codeRepository"
PAPER_CLASS = GENRL + "Paper"
# (property, sentence start, explorer filter set by a value, or None to link its own page)
WORDS = (
    ("codeAvailability", "Code", "code"),
    ("evaluationSetting", "Evaluated in", "setting"),
    ("usesDataset", "Datasets and benchmarks", "dataset"),
    ("usesFoundationModel", "Foundation models used", "model"),
    ("introducesFramework", "Framework introduced", None),
    ("application", "Application", None),
)

Row = tuple[Any, Any, Any]


@dataclass(frozen=True)
class PaperExtras:
    """What a paper page shows beyond the neighbour rows: the vocabulary and its BibTeX."""

    vocabulary: Vocabulary
    bibtex: str = ""


def is_paper(rows: Sequence[Sequence[Any]]) -> bool:
    """Return whether the outgoing rows say the resource is a genrl:Paper."""
    return any(p.value == PREFIXES["rdf"] + "type" and o.value == PAPER_CLASS for p, o, *_ in rows)


def _explore_link(name: str, slug: str, text: str) -> str:
    """Return a link to the explorer filtered by *name*=*slug*."""
    href = "/?" + urlencode({name: slug})
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def breadcrumbs(subjects: Sequence[str], vocabulary: Vocabulary) -> list[list[Concept]]:
    """Return, for each taxonomy concept in *subjects*, its path from the primary dimension down."""
    trails = []
    for iri in sorted(subjects):
        concept = vocabulary.find("category", slug_of(iri))
        trail: list[Concept] = []
        while concept is not None and concept.iri == iri and len(trail) < 32:
            trail.insert(0, concept)
            parent = vocabulary.find("category", concept.parent) if concept.parent else None
            iri = parent.iri if parent else ""
            concept = parent
        if trail:
            trails.append(trail)
    return trails


def _breadcrumb_html(data: ResourceData, rows: list[Row], vocabulary: Vocabulary) -> str:
    """Return the categories as breadcrumbs, each step linking to the explorer.

    A subject outside the vocabulary's taxonomy is one step linking to its own page.
    """
    subjects = [o.value for p, o, _ in rows if p.value == DCT + "subject"]
    items = []
    for trail in breadcrumbs(subjects, vocabulary):
        steps = "".join(f"<li>{_explore_link('category', c.slug, c.label)}</li>" for c in trail)
        items.append(f'<li><ol class="breadcrumb">{steps}</ol></li>')
    known = {c.iri for trail in breadcrumbs(subjects, vocabulary) for c in trail}
    for _, o, label in sorted(
        (r for r in rows if r[0].value == DCT + "subject" and r[1].value not in known),
        key=lambda r: term_text(r[1], r[2], data.labels).casefold(),
    ):
        items.append(f'<li><ol class="breadcrumb"><li>{term_link(data, o, label)}</li></ol></li>')
    if not items:
        return ""
    return (
        '<nav class="breadcrumbs" aria-label="Categories"><h2>Categories</h2>'
        f'<ul class="categories">{"".join(items)}</ul></nav>'
    )


def table_facts(data: ResourceData, rows: list[Row]) -> list[str]:
    """Return the tables' facts about the paper as sentences (HTML), code repositories included."""
    sentences = []
    for local, start, name in WORDS:
        found = sorted(
            (term_text(o, lab, data.labels), o) for p, o, lab in rows if p.value == GENRL + local
        )
        if not found:
            continue
        parts = []
        for text, term in found:
            if name and isinstance(term, ox.NamedNode):
                parts.append(_explore_link(name, slug_of(term.value), text))
            else:
                parts.append(term_link(data, term, ox.Literal(text)))
        sentence = f"{start}: {', '.join(parts)}."
        if local == "codeAvailability":
            repos = sorted(o.value for p, o, _ in rows if p.value == REPOSITORY)
            links = ", ".join(
                f'<a class="external" href="{html.escape(r)}" rel="noopener noreferrer">'
                f"{html.escape(r)}</a>"
                for r in repos
            )
            sentence = sentence[:-1] + (f" ({links})." if links else ".")
        sentences.append(sentence)
    return sentences


def _listed(rows: list[Row]) -> str:
    """Return when the list first named the paper (history), else the year it marks."""
    first = sorted(o.value for p, o, _ in rows if p.value == GENRL + "firstListed")
    if first:
        return f'<p class="listed">First listed on {html.escape(first[0][:10])}.</p>'
    added = sorted(o.value for p, o, _ in rows if p.value == GENRL + "yearAdded")
    if added:
        return f'<p class="listed">Added to the list in {html.escape(added[0])}.</p>'
    return ""


def _citations(data: ResourceData, rows: list[Row], incoming: list[Row]) -> str:
    """Return the in-list citations both ways (cito:cites)."""
    out = []
    cites = sorted(
        (term_text(o, lab, data.labels), term_link(data, o, lab))
        for p, o, lab in rows
        if p.value == CITES
    )
    cited_by = sorted(
        (term_text(s, lab, data.labels), term_link(data, s, lab))
        for s, p, lab in incoming
        if p.value == CITES
    )
    for heading, css, links in (
        ("Cites (papers of the list)", "cites", cites),
        ("Cited by (papers of the list)", "cited-by", cited_by),
    ):
        if links:
            items = "".join(f"<li>{link}</li>" for _, link in links)
            out.append(f'<h2>{heading}</h2><ul class="{css}">{items}</ul>')
    return "".join(out)


def render_paper(data: ResourceData, extras: PaperExtras) -> str:
    """Render a paper's page; every property is still listed, folded, at the end."""
    rows = dedupe_rows(data.outgoing)
    incoming = dedupe_rows(data.incoming)
    title = page_title(data, rows)
    abstracts = sorted(o.value for p, o, _ in rows if p.value == DCT + "abstract")
    abstract = (
        f'<h2>Abstract</h2><p class="abstract">{html.escape(abstracts[0])}</p>' if abstracts else ""
    )
    sentences = table_facts(data, rows)
    words = (
        '<h2>In the survey\'s tables</h2><ul class="table-facts">'
        + "".join(f"<li>{s}</li>" for s in sentences)
        + "</ul>"
        if sentences
        else ""
    )
    bibtex = (
        '<h2 id="bibtex-heading">BibTeX</h2>'
        f'<pre class="bibtex" aria-labelledby="bibtex-heading">{html.escape(extras.bibtex)}</pre>'
        if extras.bibtex
        else ""
    )
    return (
        page_head(title, "resource paper")
        + _breadcrumb_html(data, rows, extras.vocabulary)
        + identity(data, title, rows)
        + authors_list(data)
        + _listed(rows)
        + abstract
        + words
        + facts_table(data, rows)
        + _citations(data, rows, incoming)
        + bibtex
        + '<details class="all-properties"><summary>All properties</summary>'
        + property_tables(data, rows, incoming)
        + "</details></main></body></html>\n"
    )
