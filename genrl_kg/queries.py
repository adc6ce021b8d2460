"""Saved SPARQL queries: read their headers, bind parameters as RDF terms, run them."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from genrl_kg.errors import QueryError
from genrl_kg.settings import QUERIES_DIR

__all__ = [
    "NAME_RE",
    "XSD",
    "Parameter",
    "SavedQuery",
    "Term",
    "bind_parameters",
    "get_saved_query",
    "load_saved_queries",
    "make_term",
    "parse_header",
    "queries_markdown_table",
    "query_form",
    "read_saved_query",
    "run_query",
]

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HEADER_RE = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_FORM_RE = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_YEAR_RE = re.compile(r"^-?\d{4,}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOL_VALUES = {"true", "false", "1", "0"}

Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter, bound as an RDF term of *datatype*."""

    name: str
    datatype: str
    default: str | None
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """A saved query file with its header metadata."""

    name: str
    path: Path | Traversable
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    form: str


def parse_header(text: str) -> dict[str, list[str]]:
    """Return the ``#+ key: value`` header lines of a query, grouped by key.

    >>> parse_header("#+ summary: Count\\n#+ tags: a, b\\nSELECT * {}")
    {'summary': ['Count'], 'tags': ['a, b']}
    """
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = _HEADER_RE.match(line.strip())
        if match:
            header.setdefault(match.group(1).lower(), []).append(match.group(2).strip())
    return header


def _parse_parameter(spec: str, path: Path | Traversable) -> Parameter:
    parts = [part.strip() for part in spec.split("|")]
    if len(parts) != 4 or not re.fullmatch(r"[A-Za-z_]\w*", parts[0]):
        raise QueryError(
            f"{path.name}: bad '#+ param:' line {spec!r} (want name|type|default|text)"
        )
    name, datatype, default, description = parts
    if datatype != "iri" and not datatype.startswith("xsd:"):
        raise QueryError(f"{path.name}: parameter {name!r} has unknown type {datatype!r}")
    return Parameter(name, datatype, default or None, description)


def query_form(text: str) -> str:
    """Return the form of a query text (SELECT, ASK, CONSTRUCT or DESCRIBE; SELECT if unclear)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    body = re.sub(r"<[^>]*>", "<>", body)
    match = _FORM_RE.search(body)
    return match.group(1).upper() if match else "SELECT"


def read_saved_query(path: Path | Traversable) -> SavedQuery:
    """Read one ``.rq`` file into a :class:`SavedQuery`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read saved query ({exc})") from None
    header = parse_header(text)
    tags = tuple(t.strip() for line in header.get("tags", []) for t in line.split(",") if t.strip())
    return SavedQuery(
        name=path.name.rsplit(".", 1)[0],
        path=path,
        summary=" ".join(header.get("summary", [])),
        description=" ".join(header.get("description", [])),
        tags=tags,
        parameters=tuple(_parse_parameter(p, path) for p in header.get("param", [])),
        text=text,
        form=query_form(text),
    )


def load_saved_queries(directory: Path | Traversable = QUERIES_DIR) -> dict[str, SavedQuery]:
    """Return every saved query in *directory*, by name, sorted."""
    queries = {}
    found = (p for p in directory.iterdir() if p.name.endswith(".rq") and p.is_file())
    for path in sorted(found, key=lambda p: p.name):
        stem = path.name.removesuffix(".rq")
        if NAME_RE.match(stem):
            queries[stem] = read_saved_query(path)
        else:
            log.warning("%s: ignored, saved query names are lower-case kebab-case", path)
    return queries


def get_saved_query(name_or_path: str, directory: Path | Traversable = QUERIES_DIR) -> SavedQuery:
    """Return the saved query called *name_or_path*, or read it from a ``.rq`` file path."""
    if NAME_RE.match(name_or_path):
        path = directory / f"{name_or_path}.rq"
        if path.is_file():
            return read_saved_query(path)
    candidate = Path(name_or_path)
    if candidate.suffix in {".rq", ".sparql"} and candidate.is_file():
        return read_saved_query(candidate)
    known = ", ".join(load_saved_queries(directory)) or "none"
    raise QueryError(f"unknown saved query {name_or_path!r} (known: {known})")


def make_term(value: str, datatype: str) -> Term:
    """Return *value* as an RDF term of *datatype*, or raise :class:`ValueError`.

    >>> make_term("2024", "xsd:gYear")
    <Literal value=2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
    >>> make_term("https://example.org/x", "iri")
    <NamedNode value=https://example.org/x>
    """
    if datatype == "iri":
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
            raise ValueError("not an absolute IRI")
        return ox.NamedNode(value)
    local = datatype.removeprefix("xsd:")
    checks = {
        "integer": _INT_RE,
        "decimal": _DECIMAL_RE,
        "gYear": _YEAR_RE,
        "date": _DATE_RE,
    }
    if local in checks and not checks[local].match(value):
        raise ValueError(f"not an xsd:{local}")
    if local == "boolean":
        if value.lower() not in _BOOL_VALUES:
            raise ValueError("not an xsd:boolean")
        value = "true" if value.lower() in {"true", "1"} else "false"
    if local == "string":
        return ox.Literal(value)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + local))


def bind_parameters(query: SavedQuery, raw: Mapping[str, str]) -> dict[str, Term]:
    """Bind the raw string values in *raw* to *query*'s declared parameters as RDF terms."""
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(f"{query.name}: unknown parameter {unknown[0]!r} (declared: {names})")
    bindings: dict[str, Term] = {}
    for name, param in declared.items():
        value = raw.get(name, param.default)
        if value is None:
            raise QueryError(f"{query.name}: parameter {name!r} is required")
        try:
            bindings[name] = make_term(value, param.datatype)
        except ValueError as exc:
            raise QueryError(f"{query.name}: parameter {name}={value!r}: {exc}") from None
    return bindings


def run_query(
    store: ox.Store, query: SavedQuery | str, bindings: Mapping[str, Term] | None = None
) -> Any:
    """Run *query* on *store* (default graph = union of named graphs) with *bindings*."""
    text = query.text if isinstance(query, SavedQuery) else query
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in (bindings or {}).items()
    }
    try:
        return store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as exc:
        name = query.name if isinstance(query, SavedQuery) else "query"
        raise QueryError(f"{name}: SPARQL syntax error: {exc}") from None


def queries_markdown_table(queries: Mapping[str, SavedQuery]) -> str:
    """Return a Markdown table of *queries* (name, summary, parameters, tags) for the README."""
    lines = ["| query | what it answers | parameters | tags |", "|---|---|---|---|"]
    for saved in queries.values():
        params = ", ".join(
            f"`{p.name}` ({p.datatype}, default `{p.default}`)" for p in saved.parameters
        )
        lines.append(
            f"| `{saved.name}` | {saved.summary} | {params or '-'} | {', '.join(saved.tags)} |"
        )
    return "\n".join(lines)
