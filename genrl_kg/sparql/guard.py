"""Checks every SPARQL text before the engine sees it: size, nesting, form, SERVICE/LOAD targets.

SERVICE/LOAD targets are compared with the allow-list by name, never resolved here; see
:mod:`genrl_kg.sparql.hosts` for checking entries and resolving a host when a query runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from genrl_kg.errors import QueryError

__all__ = [
    "CLOSERS",
    "OPENERS",
    "QUERY_FORMS",
    "UPDATE_KEYWORDS",
    "CheckedText",
    "GuardError",
    "Token",
    "check_text",
    "tokenize",
]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
OPENERS = "{(["
CLOSERS = "})]"

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|"""
    + _UCHAR
    + r""")*>)
  | (?P<var>[?$][\w\u00B7]+)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w:%\\-]|\\[-_~.!$&'()*+,;=/?\#@%]|%[0-9A-Fa-f]{2}
              |\.(?=[\w:%\\-]))*)
  | (?P<bnode>_:[\w.-]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class GuardError(QueryError):
    """A request refused before the engine saw it; carries the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP *status* and the one-line *message*."""
        super().__init__(message)
        self.status = status
        self.message = message


class Token(NamedTuple):
    """One lexical token of a SPARQL text (a tuple: cheap to make by the thousand)."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class CheckedText:
    """A text that passed: its form (SELECT, ...), depth and the remote targets it names."""

    form: str
    depth: int
    has_dataset_clause: bool
    remote_targets: tuple[str, ...] = ()


def tokenize(text: str) -> list[Token]:
    """Split SPARQL *text* into tokens, dropping whitespace and comments.

    >>> [t.kind for t in tokenize('SELECT ?s { ?s a <http://x#y> } # SERVICE')]
    ['word', 'var', 'other', 'var', 'word', 'iri', 'other']
    >>> [t.text for t in tokenize('"SERVICE" ex:service ?service')]
    ['"SERVICE"', 'ex:service', '?service']
    """
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def _unescape_iri(iri: str) -> str:
    r"""Decode the \u and \U escapes that the engine accepts inside an IRI.

    >>> _unescape_iri(r'\u0068ttp://a/')
    'http://a/'
    """
    return re.sub(_UCHAR, lambda m: chr(int(m.group()[2:], 16)), iri)


def _position(text: str, offset: int) -> str:
    """Return 'line L, column C' (1-based) of *offset* in *text*.

    >>> _position('a\\nbc', 3)
    'line 2, column 2'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _resolve(token: Token, prefixes: dict[str, str], base: str, text: str) -> str:
    """Return the absolute IRI named by an IRI or prefixed-name *token*."""
    if token.kind == "iri":
        return urljoin(base, _unescape_iri(token.text[1:-1]))
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in prefixes:
            raise GuardError(
                400, f"undeclared prefix '{prefix}:' at {_position(text, token.start)}"
            )
        local = re.sub(r"\\(.)", r"\1", local)
        return prefixes[prefix] + local
    raise GuardError(
        403,
        f"a remote target must be a fixed IRI, not {token.text!r} "
        f"at {_position(text, token.start)}",
    )


def check_text(
    text: str,
    *,
    max_chars: int,
    max_depth: int,
    allowed_remote: Iterable[str] = (),
    base_iri: str = "http://localhost/",
) -> CheckedText:
    """Check a query text; raise GuardError when refused. Allow-list entries match by name.

    >>> check_text('SELECT * { ?s ?p ?o }', max_chars=100, max_depth=4).form
    'SELECT'
    >>> text = 'prefix e: <http://127.0.0.1/> ASK { service e:x { } }'
    >>> check_text(text, max_chars=99, max_depth=4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    genrl_kg.sparql.guard.GuardError: SERVICE <http://127.0.0.1/x> is not on the allow-list ...
    >>> check_text(text, max_chars=99, max_depth=4, allowed_remote=['http://127.0.0.1/x'])
    CheckedText(form='ASK', depth=2, has_dataset_clause=False, remote_targets=('http://127.0.0.1/x',))
    """
    if len(text) > max_chars:
        raise GuardError(
            413, f"the query text has {len(text)} characters; the limit is {max_chars}"
        )
    tokens = tokenize(text)
    allowed = frozenset(allowed_remote)
    prefixes: dict[str, str] = {}
    base = base_iri
    depth = max_seen = 0
    form = ""
    has_dataset = False
    targets: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind == "other" and token.text in OPENERS:
            depth += 1
            max_seen = max(max_seen, depth)
            if depth > max_depth:
                raise GuardError(
                    400,
                    f"the query nests deeper than {max_depth} levels "
                    f"at {_position(text, token.start)}",
                )
        elif token.kind == "other" and token.text in CLOSERS:
            depth = max(depth - 1, 0)
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        following = tokens[index + 1 : index + 4]
        if keyword == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            name = following[0].text.partition(":")[0]
            prefixes[name] = urljoin(base, _unescape_iri(following[1].text[1:-1]))
        elif keyword == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, _unescape_iri(following[0].text[1:-1]))
        elif keyword in ("SERVICE", "LOAD"):
            targets.append(_check_remote(keyword, following, prefixes, base, allowed, text, token))
        elif keyword in ("USING", "WITH", "FROM"):
            has_dataset = True
        if not form and (keyword in QUERY_FORMS or keyword in UPDATE_KEYWORDS):
            form = keyword
    if form in UPDATE_KEYWORDS:
        raise GuardError(403, f"{form} is an update; this endpoint is read-only")
    return CheckedText(form, max_seen, has_dataset, tuple(dict.fromkeys(targets)))


def _check_remote(
    keyword: str,
    following: list[Token],
    prefixes: dict[str, str],
    base: str,
    allowed: frozenset[str],
    text: str,
    token: Token,
) -> str:
    """Return the SERVICE/LOAD target IRI; refuse it unless it is on the allow-list."""
    rest = [t for t in following if not (t.kind == "word" and t.text.upper() == "SILENT")]
    if not rest:
        raise GuardError(400, f"{keyword} without a target at {_position(text, token.start)}")
    target = _resolve(rest[0], prefixes, base, text)
    if target not in allowed:
        raise GuardError(
            403,
            f"{keyword} <{target}> is not on the allow-list of remote endpoints "
            f"({_position(text, token.start)})",
        )
    return target
