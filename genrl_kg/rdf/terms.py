"""pyoxigraph terms for the build: IRIs checked the moment they are minted, typed literals."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from genrl_kg import namespace as ns
from genrl_kg.errors import InputError

__all__ = [
    "CITO",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GENRL",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "VOID",
    "WDT",
    "XSD",
    "InvalidIriError",
    "OxNamespace",
    "boolean",
    "date",
    "datetime",
    "decimal",
    "integer",
    "iri",
    "path_segment",
    "text",
    "year",
    "year_month",
]


class InvalidIriError(InputError):
    """A value that was to become an IRI is not a valid one."""


@lru_cache(maxsize=65_536)
def iri(value: str) -> ox.NamedNode:
    """Return *value* as a NamedNode, checked now so no bad IRI can reach the store.

    >>> iri("https://example.org/a%20b").value
    'https://example.org/a%20b'
    >>> iri("https://example.org/a b")
    Traceback (most recent call last):
    genrl_kg.rdf.terms.InvalidIriError: not a valid IRI: 'https://example.org/a b' (Invalid IRI code point ' ')
    """
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise InvalidIriError(f"not a valid IRI: {value!r} ({exc})") from None


def path_segment(text: str) -> str:
    """Percent-encode *text* for use as one IRI path segment (a file name, say).

    >>> path_segment("Diffusion policies Table.xlsx")
    'Diffusion%20policies%20Table.xlsx'
    """
    return quote(text, safe="-._~!$&'()*+,;=:@")


class OxNamespace:
    """The pyoxigraph NamedNodes of a :class:`genrl_kg.namespace.Namespace`, made once each.

    A term, once asked for, is kept as an attribute, so later lookups are plain attribute reads.
    """

    def __init__(self, namespace: ns.Namespace) -> None:
        """Wrap *namespace*; its closed term list, if any, still applies."""
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        """Return the NamedNode of term *name*, and keep it for the next time."""
        if name.startswith("_"):
            raise AttributeError(name)
        node = ox.NamedNode(self._namespace.term(name))
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        """Return the NamedNode of term *name*."""
        return getattr(self, name)


GENRL = OxNamespace(ns.GENRL)
RDF = OxNamespace(ns.RDF)
RDFS = OxNamespace(ns.RDFS)
OWL = OxNamespace(ns.OWL)
XSD = OxNamespace(ns.XSD)
SKOS = OxNamespace(ns.SKOS)
DCTERMS = OxNamespace(ns.DCTERMS)
SCHEMA = OxNamespace(ns.SCHEMA)
PROV = OxNamespace(ns.PROV)
FOAF = OxNamespace(ns.FOAF)
VOID = OxNamespace(ns.VOID)
DCAT = OxNamespace(ns.DCAT)
WDT = OxNamespace(ns.WDT)
CITO = OxNamespace(ns.CITO)

_INTEGER = XSD.integer
_BOOLEAN = XSD.boolean
_DECIMAL = XSD.decimal
_DATE = XSD.date
_DATETIME = XSD.dateTime
_YEAR = XSD.gYear
_YEAR_MONTH = XSD.gYearMonth
_TRUE = ox.Literal("true", datatype=_BOOLEAN)
_FALSE = ox.Literal("false", datatype=_BOOLEAN)


def text(value: str, lang: str | None = None) -> ox.Literal:
    """Return a plain string literal, or a language-tagged one.

    >>> text("x", "en")
    <Literal value=x language=en>
    """
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def integer(value: int) -> ox.Literal:
    """Return an xsd:integer literal.

    >>> integer(3).value
    '3'
    """
    return ox.Literal(str(value), datatype=_INTEGER)


def boolean(value: bool) -> ox.Literal:
    """Return an xsd:boolean literal.

    >>> boolean(True).value
    'true'
    """
    return _TRUE if value else _FALSE


def decimal(value: str) -> ox.Literal:
    """Return an xsd:decimal literal of the lexical form *value*."""
    return ox.Literal(value, datatype=_DECIMAL)


def date(value: str) -> ox.Literal:
    """Return an xsd:date literal (``YYYY-MM-DD``)."""
    return ox.Literal(value, datatype=_DATE)


def datetime(value: str) -> ox.Literal:
    """Return an xsd:dateTime literal."""
    return ox.Literal(value, datatype=_DATETIME)


def year(value: int) -> ox.Literal:
    """Return an xsd:gYear literal.

    >>> year(2024).value
    '2024'
    """
    return ox.Literal(str(value), datatype=_YEAR)


def year_month(value: str) -> ox.Literal:
    """Return an xsd:gYearMonth literal (``YYYY-MM``)."""
    return ox.Literal(value, datatype=_YEAR_MONTH)
