"""The explorer's state as URL parameters, checked, and bound as RDF terms (never pasted)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyoxigraph as ox

from genrl_kg.errors import QueryError
from genrl_kg.server.explorer.vocabulary import CONCEPT_KINDS, Vocabulary

__all__ = [
    "MAX_TEXT",
    "PARAMETERS",
    "SORTS",
    "Selection",
    "SelectionError",
    "bind_selection",
    "parse_selection",
]

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# every filter, in the order of the URL; 'sort' orders the table and filters nothing
PARAMETERS = (*CONCEPT_KINDS, "since", "year", "q")
SORTS = ("title", "year", "listed")
MAX_TEXT = 200
_YEAR = re.compile(r"^[0-9]{4}$")


class SelectionError(QueryError):
    """A URL parameter the explorer cannot use (answered with 400)."""


@dataclass(frozen=True)
class Selection:
    """Filters as given in the URL (slugs, years, a search text) and the table's sort order."""

    filters: tuple[tuple[str, str], ...] = ()
    sort: str = "title"

    def get(self, name: str) -> str | None:
        """Return the value of filter *name*, or None."""
        return dict(self.filters).get(name)

    def names(self) -> frozenset[str]:
        """Return the names of the filters in use."""
        return frozenset(name for name, _ in self.filters)

    def without(self, *names: str) -> Selection:
        """Return this selection without the filters *names*."""
        return replace(self, filters=tuple(f for f in self.filters if f[0] not in names))

    def setting(self, name: str, value: str) -> Selection:
        """Return this selection with filter *name* set to *value*.

        >>> Selection((('code', 'available'),)).setting('category', 'x').filters
        (('category', 'x'), ('code', 'available'))
        """
        kept = dict(self.without(name).filters) | {name: value}
        return replace(self, filters=tuple((n, kept[n]) for n in PARAMETERS if n in kept))


def _check(name: str, value: str, vocabulary: Vocabulary) -> str:
    """Return *value* checked for parameter *name*, or raise SelectionError."""
    if name in CONCEPT_KINDS:
        if vocabulary.find(name, value) is None:
            raise SelectionError(f"{name}={value!r}: no such {name} in this graph")
    elif name in ("since", "year"):
        if not _YEAR.match(value):
            raise SelectionError(f"{name}={value!r}: give a year as YYYY")
    else:  # q
        value = " ".join(value.split())
        if len(value) > MAX_TEXT:
            raise SelectionError(f"q: the search text is longer than {MAX_TEXT} characters")
    return value


def parse_selection(items: Iterable[tuple[str, str]], vocabulary: Vocabulary) -> Selection:
    """Return the selection of URL parameters *items*; raise SelectionError naming a bad one.

    Empty values are ignored, so a form may send every field.
    """
    given: dict[str, str] = {}
    sort = "title"
    for name, value in items:
        if value == "":
            continue
        if name == "sort":
            if value not in SORTS:
                raise SelectionError(f"sort={value!r}: use one of {', '.join(SORTS)}")
            sort = value
            continue
        if name not in PARAMETERS:
            known = ", ".join((*PARAMETERS, "sort"))
            raise SelectionError(f"unknown parameter {name!r} (known: {known})")
        if name in given:
            raise SelectionError(f"parameter {name!r} given more than once; give it once")
        checked = _check(name, value, vocabulary)
        if checked:
            given[name] = checked
    return Selection(tuple((n, given[n]) for n in PARAMETERS if n in given), sort)


def bind_selection(
    selection: Selection, vocabulary: Vocabulary
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Return the query variables of *selection*'s filters bound as RDF terms.

    >>> from genrl_kg.server.explorer.vocabulary import Concept
    >>> v = Vocabulary((Concept('code', 'https://w3id.org/genrl-kg/code-availability/available', 'available', 'Available'),))
    >>> bound = bind_selection(Selection((('code', 'available'), ('since', '2024'))), v)
    >>> bound['code'].value, bound['since'].value, bound['since'].datatype.value
    ('https://w3id.org/genrl-kg/code-availability/available', '2024', 'http://www.w3.org/2001/XMLSchema#integer')
    """
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, value in selection.filters:
        concept = vocabulary.find(name, value) if name in CONCEPT_KINDS else None
        if concept is not None:
            bound[name] = ox.NamedNode(concept.iri)
        elif name in ("since", "year"):
            bound[name] = ox.Literal(value, datatype=XSD_INTEGER)
        elif name == "q":
            bound[name] = ox.Literal(value)
        else:
            raise SelectionError(f"{name}={value!r}: no such {name} in this graph")
    return bound
