"""BibTeX of the papers: read with SPARQL, keys from the survey's tables, written by bibtexparser.

A paper's key is the citation key a table row about it gives (``janner2022diffuser``, the
smallest when several do); any other paper gets a stable key built from its first author's
surname, its year and the first word of its title, made unique over the whole graph by a
letter suffix in IRI order. Text fields are LaTeX-encoded; identifiers and URLs are kept as they
are, but for ``%`` (written ``\\%``: BibTeX readers take a bare one for a comment).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bibtexparser
import pyoxigraph as ox
from bibtexparser import model
from bibtexparser.middlewares import LatexEncodingMiddleware

__all__ = [
    "AUTHORS_QUERY",
    "RECORDS_QUERY",
    "BibRecord",
    "assign_keys",
    "bibtex_entries",
    "export_bibtex",
    "make_key",
    "read_records",
    "records_from_rows",
    "write_bibtex",
]

log = logging.getLogger(__name__)

PREFIXES = """PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
"""
RECORDS_QUERY = (
    PREFIXES
    + """SELECT ?paper (MIN(?t) AS ?title) (MIN(?a) AS ?arxivId) (MIN(?d) AS ?doi)
  (MIN(?w) AS ?wikidataDoi) (MIN(?u) AS ?url) (MIN(?i) AS ?issued) (MIN(?m) AS ?month)
  (MIN(?c) AS ?primaryClass) (MIN(?k) AS ?key)
WHERE {
  ?paper a genrl:Paper .
  OPTIONAL { ?paper dcterms:title ?t }
  OPTIONAL { ?paper genrl:arxivId ?a }
  OPTIONAL { ?paper genrl:doi ?d }
  OPTIONAL { ?paper wdt:P356 ?w }
  OPTIONAL { ?paper schema:url ?u }
  OPTIONAL { ?paper dcterms:issued ?i }
  OPTIONAL { ?paper genrl:arxivMonth ?m }
  OPTIONAL { ?paper genrl:primaryCategory/skos:notation ?c }
  OPTIONAL { ?row genrl:describesPaper ?paper ; genrl:citationKey ?k }
}
GROUP BY ?paper
ORDER BY ?paper
"""
)
AUTHORS_QUERY = (
    PREFIXES
    + """SELECT ?paper ?position (MIN(?n) AS ?name)
WHERE {
  ?paper a genrl:Paper ; genrl:authorship ?authorship .
  ?authorship genrl:position ?position ; genrl:author ?person .
  ?person schema:name ?n .
}
GROUP BY ?paper ?position
ORDER BY ?paper ?position
"""
)
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "with",
        "and",
        "in",
        "to",
        "towards",
        "toward",
        "via",
        "from",
        "by",
    ]
)
_KEY_CHARS = re.compile(r"[^a-z0-9]")
_TABLE_KEY = re.compile(r"^[A-Za-z0-9_:.+/-]+$")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class BibRecord:
    """What a BibTeX entry says about one paper."""

    iri: str
    title: str
    authors: tuple[str, ...] = ()
    year: str | None = None
    month: str | None = None  # 1..12
    arxiv_id: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    url: str | None = None
    table_key: str | None = None


def _value(term: Any) -> str | None:
    """Return the lexical value of a term, or None."""
    return None if term is None else str(term.value)


def _date_parts(issued: str | None, month: str | None) -> tuple[str | None, str | None]:
    """Return (year, month number) from an xsd:date, else from an arXiv month ``YYYY-MM``.

    >>> _date_parts('2023-03-07', None), _date_parts(None, '2022-11'), _date_parts(None, None)
    (('2023', '3'), ('2022', '11'), (None, None))
    """
    for value in (issued, month):
        if value and re.match(r"^\d{4}-\d{2}", value):
            return value[:4], str(int(value[5:7]))
    return None, None


def records_from_rows(
    rows: Iterable[Sequence[Any]], author_rows: Iterable[Sequence[Any]]
) -> list[BibRecord]:
    """Build records from the terms of RECORDS_QUERY and AUTHORS_QUERY rows (in their columns)."""
    authors: dict[str, list[tuple[int, str]]] = {}
    for paper, position, name in author_rows:
        if name is not None and paper is not None:
            authors.setdefault(paper.value, []).append((int(position.value), str(name.value)))
    records = []
    for paper, title, arxiv, doi, wd_doi, url, issued, month, primary, key in rows:
        year, month_number = _date_parts(_value(issued), _value(month))
        table_key = _value(key)
        records.append(
            BibRecord(
                iri=paper.value,
                title=_value(title) or paper.value,
                authors=tuple(n for _, n in sorted(authors.get(paper.value, []))),
                year=year,
                month=month_number,
                arxiv_id=_value(arxiv),
                primary_class=_value(primary),
                doi=_value(doi) or (_value(wd_doi) or "").lower() or None,
                url=_value(url),
                table_key=table_key if table_key and _TABLE_KEY.match(table_key) else None,
            )
        )
    return records


def _ascii_word(text: str) -> str:
    """Return *text* folded to lower-case ASCII letters and digits.

    >>> _ascii_word("Müller-Brockhausen")
    'mullerbrockhausen'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _KEY_CHARS.sub("", folded.lower())


def make_key(record: BibRecord) -> str:
    """Return the key built for a paper with no table key: surname, year, first title word.

    >>> make_key(BibRecord('x', 'Planning with Diffusion', ('Michael Janner',), '2022'))
    'janner2022planning'
    >>> make_key(BibRecord('x', 'The Diffusion Policy: a study'))
    'diffusionndpolicy'
    """
    words = [w for w in (_ascii_word(t) for t in record.title.split()) if w]
    significant = [w for w in words if w not in STOP_WORDS] or words or ["paper"]
    year = record.year or "nd"
    if record.authors:
        surname = _ascii_word(record.authors[0].split()[-1]) or "anon"
        return f"{surname}{year}{significant[0]}"
    second = significant[1] if len(significant) > 1 else ""
    return f"{significant[0]}{year}{second}"


def assign_keys(records: Iterable[BibRecord]) -> dict[str, str]:
    """Return a unique key per paper IRI: table keys first, then built keys with a letter suffix."""
    ordered = sorted(records, key=lambda r: r.iri)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for record in ordered:
        if record.table_key and record.table_key not in taken:
            keys[record.iri] = record.table_key
            taken.add(record.table_key)
    for record in ordered:
        if record.iri in keys:
            continue
        base = make_key(record)
        key, index = base, 0
        while key in taken:
            key = base + _suffix(index)
            index += 1
        keys[record.iri] = key
        taken.add(key)
    return keys


def _suffix(index: int) -> str:
    """Return the letter suffix number *index*: a, b, ..., z, aa, ab ...

    >>> _suffix(0), _suffix(25), _suffix(26)
    ('a', 'z', 'aa')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(97 + rest) + letters
    return letters


def bibtex_entries(records: Sequence[BibRecord], keys: Mapping[str, str]) -> list[model.Entry]:
    """Return one ``@misc`` entry per record: LaTeX-encoded text, then identifiers as they are."""
    text = bibtexparser.Library()
    for record in records:
        fields = [model.Field("title", record.title)]
        if record.authors:
            fields.append(model.Field("author", " and ".join(record.authors)))
        text.add(model.Entry("misc", keys[record.iri], fields))
    LatexEncodingMiddleware(keep_math=False, enclose_urls=False).transform(text)
    entries = []
    for record, entry in zip(records, text.entries, strict=True):
        extra = [
            ("year", record.year),
            ("month", MONTHS[int(record.month) - 1] if record.month else None),
            ("eprint", record.arxiv_id),
            ("archivePrefix", "arXiv" if record.arxiv_id else None),
            ("primaryClass", record.primary_class if record.arxiv_id else None),
            ("doi", _escape_percent(record.doi)),
            ("url", _escape_percent(record.url)),
        ]
        for name, value in extra:
            if value:  # the month is BibTeX's macro (mar), written without braces
                bare = "no-enclosing" if name == "month" else None
                entry.set_field(model.Field(name, value, enclosing=bare))
        entries.append(entry)
    return entries


def _escape_percent(value: str | None) -> str | None:
    r"""Return an identifier with ``%`` written ``\%`` (a comment sign for BibTeX readers).

    >>> print(_escape_percent("https://x.org/a%20b"))
    https://x.org/a\%20b
    """
    return None if value is None else value.replace("%", "\\%")


def write_bibtex(records: Sequence[BibRecord], keys: Mapping[str, str] | None = None) -> str:
    """Return the BibTeX of *records* in their order (keys assigned over them when not given)."""
    blocks: list[model.Block] = list(bibtex_entries(records, keys or assign_keys(records)))
    library = bibtexparser.Library(blocks)
    return bibtexparser.write_string(library)


def read_records(store: ox.Store) -> list[BibRecord]:
    """Read every paper's record from *store* (union of the named graphs), in IRI order."""
    rows = store.query(RECORDS_QUERY, use_default_graph_as_union=True)
    authors = store.query(AUTHORS_QUERY, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions) and isinstance(authors, ox.QuerySolutions)
    return records_from_rows(
        [list(solution) for solution in rows], [list(solution) for solution in authors]
    )


def export_bibtex(store: ox.Store) -> str:
    """Return the BibTeX of every paper in *store*, sorted by key."""
    records = read_records(store)
    keys = assign_keys(records)
    ordered = sorted(records, key=lambda r: keys[r.iri])
    log.debug("BibTeX of %d papers", len(ordered))
    return write_bibtex(ordered, keys)
