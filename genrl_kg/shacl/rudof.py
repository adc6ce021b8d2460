"""The reference engine: SHACL validation of N-Triples data with pyrudof (Rust).

The build validates with ``genrl_kg.shacl.engine``; this adapter runs the same shapes through
pyrudof so the tests can require both (and pyshacl) to agree on every constraint.

The data graph comes as N-Triples bytes (the build serialises the union of its named graphs with
pyoxigraph). pyrudof 0.3.35 and pyshacl report the same results for one broken constraint of
``shapes.ttl`` at a time; ``tests/test_shacl.py`` holds that and names the known differences.
pyrudof holds ~150 KB per paper while it validates, so the data goes to it in chunks.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator
from contextlib import ExitStack
from importlib.resources import as_file
from pathlib import Path
from typing import TYPE_CHECKING

from genrl_kg import settings
from genrl_kg.errors import ValidationError
from genrl_kg.shacl.report import SH, Violation, sort_violations

if TYPE_CHECKING:
    from pyrudof import ShaclValidationEntry

__all__ = ["CHUNK_SUBJECTS", "find_violations"]

log = logging.getLogger(__name__)

CHUNK_SUBJECTS = 2000  # ~1,000 papers: pyrudof 0.3.35 holds ~150 KB per paper while it validates
# pyrudof prefixes messages of nested shapes with the shape's blank-node label, which changes
# from run to run: drop it so that the report is deterministic.
_BLANK_SHAPE_PREFIX = re.compile(r"^Shape _:\S+: ")
_SUBCLASS_OF = b"<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_QUOTED = re.compile(r'^"(?P<text>.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?$', re.DOTALL)


def _clean_message(raw: str | None) -> str:
    """Return pyrudof's message as one plain line (quotes, tags and blank labels removed).

    >>> _clean_message('"a paper needs a title"')
    'a paper needs a title'
    >>> _clean_message('"Shape _:ab12: value <x> does not conform"')
    'value <x> does not conform'
    >>> _clean_message('"two\\\\nlines"@en')
    'two lines'
    >>> _clean_message(None)
    ''
    """
    text = (raw or "").strip()
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted["text"].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
    text = _BLANK_SHAPE_PREFIX.sub("", text)
    return " ".join(text.split())


def _shape_messages(shapes_path: Path) -> dict[str, str]:
    """Return the ``sh:message`` of each named shape in *shapes_path*."""
    import pyoxigraph

    messages: dict[str, str] = {}
    for triple in pyoxigraph.parse(path=shapes_path, format=pyoxigraph.RdfFormat.TURTLE):
        if triple.predicate.value == SH + "message" and isinstance(
            triple.subject, pyoxigraph.NamedNode
        ):
            messages.setdefault(triple.subject.value, " ".join(triple.object.value.split()))
    return messages


def _to_violation(entry: ShaclValidationEntry, messages: dict[str, str]) -> Violation:
    """Return the :class:`Violation` for one pyrudof result entry."""
    shape = entry.source_shape
    named = shape if shape and not shape.startswith("_:") else None
    message = messages.get(named or "") or _clean_message(entry.message)
    return Violation(
        focus=entry.focus_node,
        path=entry.path or None,
        component=entry.constraint_component,
        message=message,
        shape=named,
        severity=entry.severity,
        value=entry.value,
    )


def _one_line(error: BaseException) -> str:
    """Return an engine error as one short line."""
    return " ".join(str(error).split())[:300]


def _index(ntriples: bytes) -> tuple[dict[bytes, list[bytes]], list[bytes]]:
    """Return the N-Triples lines grouped by subject token, and the rdfs:subClassOf lines."""
    by_subject: dict[bytes, list[bytes]] = {}
    schema: list[bytes] = []
    for number, line in enumerate(ntriples.splitlines(), 1):
        parts = line.split(None, 2)
        if not parts or parts[0].startswith(b"#"):
            continue
        if len(parts) < 3:
            raise ValidationError(f"cannot read the data graph (N-Triples): line {number} is cut")
        by_subject.setdefault(parts[0], []).append(line)
        if parts[1] == _SUBCLASS_OF:
            schema.append(line)
    return by_subject, schema


def _node_token(line: bytes) -> bytes | None:
    """Return the object of an N-Triples line when it is an IRI or a blank node.

    >>> _node_token(b'<urn:a> <urn:p> <urn:b> .'), _node_token(b'<urn:a> <urn:p> "x" .')
    (b'<urn:b>', None)
    """
    rest = line.split(None, 2)[2]
    return rest.split(None, 1)[0] if rest[:1] == b"<" or rest[:2] == b"_:" else None


def _focus_key(token: bytes) -> str:
    r"""Return a subject token as pyrudof names a focus node (IRI bare, blank node ``_:b``).

    >>> _focus_key(b"<urn:a>"), _focus_key(b"_:b0"), _focus_key(rb"<urn:caf\u00E9>")
    ('urn:a', '_:b0', 'urn:café')
    """
    if token.startswith(b"_:"):
        return token.decode()
    if b"\\" in token:  # an escaped IRI: let the parser unescape it
        import pyoxigraph

        (triple,) = pyoxigraph.parse(token + b" <urn:p> <urn:o> .", pyoxigraph.RdfFormat.N_TRIPLES)
        return triple.subject.value
    return token[1:-1].decode()


def _chunks(
    by_subject: dict[bytes, list[bytes]], schema: list[bytes], owned: list[bytes], size: int
) -> Iterator[tuple[bytes, frozenset[str]]]:
    """Yield N-Triples of *size* owned subjects with their objects' triples, and their keys."""
    for start in range(0, len(owned), size):
        part = owned[start : start + size]
        seen, lines = set(part), list(schema)
        for subject in part:
            for line in by_subject[subject]:
                lines.append(line)
                token = _node_token(line)
                if token is not None and token not in seen and token in by_subject:
                    seen.add(token)
                    lines.extend(by_subject[token])
        yield b"\n".join(lines) + b"\n", frozenset(_focus_key(s) for s in part)


def _validate_chunks(
    chunks: Iterable[tuple[bytes, frozenset[str]]], shapes_path: Path
) -> list[ShaclValidationEntry]:
    """Validate each chunk with pyrudof; keep the results whose focus node the chunk owns."""
    import pyrudof

    strict = pyrudof.ReaderMode.Strict
    kept: list[ShaclValidationEntry] = []
    # A str given to read_data is tried as a file name and a URL before it is parsed as data;
    # a Path is only ever a file, so each chunk goes through a private temporary file.
    with tempfile.TemporaryDirectory(prefix="genrl-kg-shacl-") as tmp:
        data_file = Path(tmp) / "data.nt"
        for data, owned in chunks:
            data_file.write_bytes(data)
            rudof = pyrudof.Rudof(pyrudof.RudofConfig())  # read_data merges: a new one per chunk
            try:
                rudof.read_shacl(shapes_path, pyrudof.ShaclFormat.Turtle, reader_mode=strict)
            except pyrudof.RudofError as error:
                raise ValidationError(
                    f"cannot read the SHACL shapes {shapes_path}: {_one_line(error)}"
                ) from None
            try:
                rudof.read_data(data_file, pyrudof.RDFFormat.NTriples, reader_mode=strict)
            except pyrudof.RudofError as error:
                raise ValidationError(
                    f"cannot read the data graph (N-Triples): {_one_line(error)}"
                ) from None
            report = rudof.validate_shacl()
            if not report.violations and not report.conforms:
                raise ValidationError("SHACL engine: no conformance and no result saying why")
            kept += [entry for entry in report.violations if entry.focus_node in owned]
    return kept


def find_violations(
    ntriples: bytes,
    shapes_path: Path | None = None,
    *,
    only: Collection[str] | None = None,
    chunk_subjects: int = CHUNK_SUBJECTS,
) -> list[Violation]:
    """Return every SHACL result for the N-Triples *ntriples*, sorted (empty when it conforms).

    *only* limits the focus nodes to these IRIs (``_:label`` for blank nodes): validate what
    changed. Subjects go to pyrudof *chunk_subjects* at a time, each with its objects' triples
    and all rdfs:subClassOf triples: all that one-hop shapes look at, in bounded memory.
    """
    by_subject, schema = _index(ntriples)
    owned = sorted(s for s in by_subject if only is None or _focus_key(s) in only)
    if not owned:
        return []  # no node, no target (and pyrudof refuses empty input)
    with ExitStack() as stack:
        path = shapes_path or stack.enter_context(as_file(settings.SHAPES_FILE))
        entries = _validate_chunks(_chunks(by_subject, schema, owned, chunk_subjects), path)
        messages = _shape_messages(path) if entries else {}
        violations = [_to_violation(entry, messages) for entry in entries]
    return sort_violations(violations)
