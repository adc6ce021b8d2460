"""A SHACL Core engine for the constraints our shapes use, compiled once, run over quads in memory.

The shapes are read with Oxigraph's Turtle parser and compiled into plain Python checks; the
data is indexed once by subject. Every constraint component the shapes use is implemented as
the SHACL specification defines it; a shapes file using anything else is refused when it is
compiled, so nothing is silently skipped. ``tests/test_shacl.py`` breaks every constraint of
``shapes.ttl`` one at a time and requires this engine, pyshacl and pyrudof to give the same
results.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from genrl_kg.errors import ValidationError
from genrl_kg.shacl.report import Violation

__all__ = ["Shapes", "compile_shapes", "run_shapes", "xpath_pattern"]

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short")}
_NUMERIC |= {XSD + t for t in ("nonNegativeInteger", "positiveInteger", "byte")}
# The parts of a shape this engine understands; anything else in the sh: namespace is refused.
_KNOWN = {
    SH + name
    for name in [
        "targetClass",
        "targetSubjectsOf",
        "property",
        "path",
        "nodeKind",
        "minCount",
        "maxCount",
        "datatype",
        "pattern",
        "flags",
        "minLength",
        "maxLength",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "hasValue",
        "in",
        "class",
        "node",
        "or",
        "uniqueLang",
        "message",
        "severity",
        "name",
        "description",
        "deactivated",
    ]
}
_DESCRIPTIVE = {SH + n for n in ("name", "description", "message", "severity", "deactivated")}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Index = dict[Term, dict[str, dict[Term, None]]]  # the shapes graph, by predicate IRI
# The data: each subject's (predicate, object) pairs, for the predicates the shapes read. Pairs
# in a list cost a third of a dict per predicate; a focus node's are grouped when checked.
DataIndex = dict[Term, list[tuple[ox.NamedNode, Term]]]
Props = dict[ox.NamedNode, list[Term]]
_TYPE_NODE = ox.NamedNode(RDF_TYPE)
_SUBCLASS_NODE = ox.NamedNode(SUBCLASS_OF)


@dataclass
class Shape:
    """One node or property shape, compiled: its targets, its path and its constraints."""

    node: Term
    path: str | None = None
    path_node: ox.NamedNode | None = None
    message: str = ""
    severity: str = "Violation"
    target_classes: tuple[str, ...] = ()
    target_subjects_of: tuple[str, ...] = ()
    constraints: dict[str, object] = field(default_factory=dict)
    properties: list[Shape] = field(default_factory=list)
    deactivated: bool = False


@dataclass
class Shapes:
    """The compiled shapes of one shapes graph, and the predicates they look at."""

    node_shapes: list[Shape]
    predicates: frozenset[ox.NamedNode] = frozenset()


# Lexical forms of the XSD datatypes (XML Schema 1.1 part 2): a literal of one of these types
# whose form does not match is ill-typed, and SHACL's sh:datatype rejects it.
_LEXICAL = {
    XSD + name: re.compile(pattern)
    for name, pattern in {
        "integer": r"[+-]?[0-9]+",
        "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
        "boolean": r"true|false|1|0",
        "date": r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?",
        "dateTime": r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
        r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
        "gYear": r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?",
        "gYearMonth": r"-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?",
    }.items()
}


def xpath_pattern(pattern: str) -> str:
    r"""Return *pattern* for Python's re with XPath's meaning of a final ``$`` (end of string).

    Python's ``$`` also matches before a final newline; XPath's, which SHACL uses, does not.

    >>> xpath_pattern("^W[1-9][0-9]*$"), xpath_pattern(r"^a\$")
    ('^W[1-9][0-9]*\\Z', '^a\\$')
    """
    if not pattern.endswith("$"):
        return pattern
    body = pattern[:-1]
    backslashes = len(body) - len(body.rstrip("\\"))
    return body + r"\Z" if backslashes % 2 == 0 else pattern


def _well_typed(value: ox.Literal, datatype: str) -> bool:
    """Tell whether *value* has *datatype* and a valid lexical form for it.

    >>> _well_typed(ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")), XSD + "integer")
    True
    >>> _well_typed(ox.Literal("many", datatype=ox.NamedNode(XSD + "integer")), XSD + "integer")
    False
    """
    if _datatype_of(value) != datatype:
        return False
    lexical = _LEXICAL.get(datatype)
    return lexical is None or lexical.fullmatch(value.value) is not None


def _values(graph: Index, node: Term, predicate: str) -> list[Term]:
    return list(graph.get(node, {}).get(predicate, {}))


def _one(graph: Index, node: Term, predicate: str) -> Term | None:
    found = _values(graph, node, predicate)
    return found[0] if found else None


def _list(graph: Index, head: Term | None) -> list[Term]:
    """Return the members of the RDF list starting at *head*."""
    out: list[Term] = []
    while head is not None and not (isinstance(head, ox.NamedNode) and head.value == RDF_NIL):
        first = _one(graph, head, RDF_FIRST)
        if first is not None:
            out.append(first)
        head = _one(graph, head, RDF_REST)
    return out


def _index(triples: Iterable[ox.Triple | ox.Quad]) -> Index:
    """Return subject -> predicate IRI -> objects (a set: repeats across graphs count once)."""
    graph: Index = {}
    for t in triples:
        graph.setdefault(t.subject, {}).setdefault(t.predicate.value, {})[t.object] = None  # type: ignore[index,arg-type]
    return graph


def _local(predicate: str) -> str:
    """Return the local name of a SHACL term (``minCount``)."""
    return predicate.removeprefix(SH)


def _data_index(
    triples: Iterable[ox.Triple | ox.Quad], predicates: frozenset[ox.NamedNode]
) -> DataIndex:
    """Return subject -> its (predicate, object) pairs, for the *predicates* the shapes read.

    Triples of other predicates cannot change any result, so they are not indexed. A triple
    in two named graphs is paired twice; :func:`_group` counts it once.
    """
    graph: DataIndex = {}
    canonical = {p: p for p in predicates}  # one object per predicate, not one per triple
    nodes: dict[Term, Term] = {}  # one object per IRI or blank node seen as an object
    for t in triples:
        predicate = canonical.get(t.predicate)
        if predicate is None:
            continue
        subject = t.subject
        pairs = graph.get(subject)  # type: ignore[arg-type]
        if pairs is None:
            pairs = graph[subject] = []  # type: ignore[index]
        obj = t.object
        if not isinstance(obj, ox.Literal):
            obj = nodes.setdefault(obj, obj)  # type: ignore[arg-type]
        pairs.append((predicate, obj))
    return graph


def _group(pairs: list[tuple[ox.NamedNode, Term]]) -> Props:
    """Return one node's objects by predicate, each object once."""
    grouped: dict[ox.NamedNode, dict[Term, None]] = {}
    for predicate, obj in pairs:
        grouped.setdefault(predicate, {})[obj] = None
    return {predicate: list(objects) for predicate, objects in grouped.items()}


def _predicates(shapes: list[Shape]) -> frozenset[ox.NamedNode]:
    """Return every predicate the shapes read: paths, targets, rdf:type, rdfs:subClassOf."""
    found = {_TYPE_NODE, _SUBCLASS_NODE}
    seen: set[int] = set()
    todo = list(shapes)
    while todo:
        shape = todo.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        if shape.path_node is not None:
            found.add(shape.path_node)
        found |= {ox.NamedNode(p) for p in shape.target_subjects_of}
        todo += shape.properties
        for name in ("node", "or"):
            todo += shape.constraints.get(name, [])  # type: ignore[arg-type]
    return frozenset(found)


def _compile(graph: Index, node: Term, cache: dict[Term, Shape]) -> Shape:
    """Compile the shape at *node* (shapes reached by sh:node and sh:or included)."""
    if node in cache:
        return cache[node]
    shape = cache[node] = Shape(node)
    for predicate, objects in graph.get(node, {}).items():
        if predicate.startswith(SH) and predicate not in _KNOWN:
            raise ValidationError(f"SHACL shapes: {predicate} is not supported (on {node})")
        values = list(objects)
        if predicate == SH + "path":
            if not isinstance(values[0], ox.NamedNode):
                raise ValidationError(f"SHACL shapes: only predicate paths are supported ({node})")
            shape.path, shape.path_node = values[0].value, values[0]
        elif predicate == SH + "targetClass":
            shape.target_classes = tuple(v.value for v in values)
        elif predicate == SH + "targetSubjectsOf":
            shape.target_subjects_of = tuple(v.value for v in values)
        elif predicate == SH + "message":
            shape.message = " ".join(values[0].value.split())
        elif predicate == SH + "severity":
            shape.severity = values[0].value.removeprefix(SH)
        elif predicate == SH + "deactivated":
            shape.deactivated = values[0].value == "true"
        elif predicate == SH + "property":
            shape.properties = [_compile(graph, v, cache) for v in sorted(values, key=str)]
        elif predicate in (SH + "node", SH + "or"):
            nested = values if predicate == SH + "node" else _list(graph, values[0])
            shape.constraints[_local(predicate)] = [_compile(graph, v, cache) for v in nested]
        elif predicate == SH + "in":
            shape.constraints["in"] = set(_list(graph, values[0]))
        elif predicate == SH + "pattern":
            flags = _one(graph, node, SH + "flags")
            shape.constraints["pattern"] = re.compile(
                xpath_pattern(values[0].value), re.IGNORECASE if flags and "i" in flags.value else 0
            )
        elif predicate not in _DESCRIPTIVE | {SH + "flags"} and predicate.startswith(SH):
            shape.constraints[_local(predicate)] = values[0]
    return shape


def compile_shapes(shapes_turtle: bytes) -> Shapes:
    """Compile a shapes graph given as Turtle; refuse any constraint this engine cannot run."""
    try:
        graph = _index(ox.parse(shapes_turtle, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise ValidationError(f"cannot read the SHACL shapes: {exc}") from None
    cache: dict[Term, Shape] = {}
    roots = [
        s
        for s, props in graph.items()
        if SH + "targetClass" in props or SH + "targetSubjectsOf" in props
    ]
    compiled = [_compile(graph, root, cache) for root in sorted(roots, key=str)]
    return Shapes(compiled, _predicates(compiled))


def _types(graph: DataIndex) -> tuple[dict[str, set[str]], dict[Term, frozenset[str]]]:
    """Return the subclass closure (class -> itself and its superclasses) and each node's types.

    Nodes typed alike share one frozenset.
    """
    supers: dict[str, set[str]] = {}
    for subject, pairs in graph.items():
        for predicate, sup in pairs:
            if predicate != _SUBCLASS_NODE:
                continue
            if isinstance(subject, ox.NamedNode) and isinstance(sup, ox.NamedNode):
                supers.setdefault(subject.value, set()).add(sup.value)
    closure: dict[str, set[str]] = {}

    def close(cls: str) -> set[str]:
        if cls not in closure:
            closure[cls] = {cls}
            for sup in supers.get(cls, ()):
                closure[cls] |= close(sup)
        return closure[cls]

    types: dict[Term, frozenset[str]] = {}
    shared: dict[frozenset[str], frozenset[str]] = {}
    for subject, pairs in graph.items():
        found: set[str] = set()
        for predicate, cls in pairs:
            if predicate == _TYPE_NODE and isinstance(cls, ox.NamedNode):
                found |= close(cls.value)
        if found:
            key = frozenset(found)
            types[subject] = shared.setdefault(key, key)
    return closure, types


def _node_kind_ok(value: Term, kind: str) -> bool:
    iri, blank = isinstance(value, ox.NamedNode), isinstance(value, ox.BlankNode)
    literal = isinstance(value, ox.Literal)
    allowed = {
        "IRI": iri,
        "BlankNode": blank,
        "Literal": literal,
        "BlankNodeOrIRI": iri or blank,
        "BlankNodeOrLiteral": blank or literal,
        "IRIOrLiteral": iri or literal,
    }
    return allowed[kind.removeprefix(SH)]


def _datatype_of(value: ox.Literal) -> str:
    if value.language:
        return RDF_LANG_STRING
    return value.datatype.value


def _number(value: Term) -> Decimal | None:
    if not isinstance(value, ox.Literal) or _datatype_of(value) not in _NUMERIC:
        return None
    try:
        return Decimal(value.value)
    except InvalidOperation:
        return None


class _Run:
    """One validation run over an indexed data graph."""

    def __init__(self, graph: DataIndex) -> None:
        self.graph = graph
        self.classes, self.types = _types(graph)
        self.results: list[Violation] = []
        self._props: tuple[Term | None, Props] = (None, {})

    def props(self, node: Term) -> Props:
        """Return *node*'s objects by predicate (the last node's are kept: checks go node by node)."""
        if self._props[0] != node:
            self._props = (node, _group(self.graph.get(node, [])))
        return self._props[1]

    def conforms(self, focus: Term, shape: Shape) -> bool:
        """Tell whether *focus* conforms to *shape* (for sh:node and sh:or), no results kept."""
        inner = _Run.__new__(_Run)
        inner.graph, inner.classes, inner.types, inner.results = (
            self.graph,
            self.classes,
            self.types,
            [],
        )
        inner._props = (None, {})
        inner.check(focus, shape)
        return not inner.results

    def report(self, focus: Term, shape: Shape, component: str, value: Term | None) -> None:
        """Record one result of *shape* on *focus*."""
        self.results.append(
            Violation(
                focus=_name(focus),
                path=shape.path,
                component=f"{SH}{component}ConstraintComponent",
                message=shape.message or f"{component} constraint not met",
                shape=shape.node.value if isinstance(shape.node, ox.NamedNode) else None,
                severity=shape.severity,
                value=None
                if value is None
                else str(value).removeprefix("<").removesuffix(">")
                if isinstance(value, ox.NamedNode)
                else str(value),
            )
        )

    def check(self, focus: Term, shape: Shape) -> None:
        """Check *focus* against *shape*: its own constraints, then its property shapes."""
        if shape.deactivated:
            return
        values = (
            self.props(focus).get(shape.path_node, []) if shape.path_node is not None else [focus]
        )
        for name, argument in shape.constraints.items():
            self._constraint(focus, shape, name, argument, values)
        for prop in shape.properties:
            self.check(focus, prop)

    def _constraint(
        self, focus: Term, shape: Shape, name: str, argument: object, values: list[Term]
    ) -> None:
        if name == "minCount" and len(values) < int(argument.value):  # type: ignore[attr-defined]
            self.report(focus, shape, "MinCount", None)
        elif name == "maxCount" and len(values) > int(argument.value):  # type: ignore[attr-defined]
            self.report(focus, shape, "MaxCount", None)
        elif name == "hasValue" and argument not in values:
            self.report(focus, shape, "HasValue", None)
        elif name == "uniqueLang" and argument.value == "true":  # type: ignore[attr-defined]
            langs = [v.language for v in values if isinstance(v, ox.Literal) and v.language]
            for _ in sorted({x for x in langs if langs.count(x) > 1}):
                self.report(focus, shape, "UniqueLang", None)
        elif name == "or":
            for value in values:
                if not any(self.conforms(value, s) for s in argument):  # type: ignore[attr-defined]
                    self.report(focus, shape, "Or", value)
        elif name in _VALUE_CHECKS:
            component, ok = _VALUE_CHECKS[name]
            for value in values:
                if not ok(self, value, argument):
                    self.report(focus, shape, component, value)
        elif name == "node":
            for value in values:
                for nested in argument:  # type: ignore[attr-defined]
                    if not self.conforms(value, nested):
                        self.report(focus, shape, "Node", value)

    def is_instance(self, value: Term, cls: str) -> bool:
        """Tell whether *value* has rdf:type *cls* or one of its subclasses."""
        return cls in self.types.get(value, ())


def _pattern_ok(_: _Run, value: Term, pattern: object) -> bool:
    if isinstance(value, ox.BlankNode):
        return False
    return bool(pattern.search(value.value))  # type: ignore[attr-defined]


def _length(value: Term) -> int | None:
    return None if isinstance(value, ox.BlankNode) else len(value.value)


def _compare(value: Term, bound: object, test: str) -> bool:
    number, limit = _number(value), _number(bound)  # type: ignore[arg-type]
    if number is None or limit is None:
        return False
    return {
        "ge": number >= limit,
        "le": number <= limit,
        "gt": number > limit,
        "lt": number < limit,
    }[test]


_VALUE_CHECKS = {
    "nodeKind": ("NodeKind", lambda run, v, a: _node_kind_ok(v, a.value)),
    "datatype": (
        "Datatype",
        lambda run, v, a: isinstance(v, ox.Literal) and _well_typed(v, a.value),
    ),
    "class": ("Class", lambda run, v, a: run.is_instance(v, a.value)),
    "in": ("In", lambda run, v, a: v in a),
    "pattern": ("Pattern", _pattern_ok),
    "minLength": (
        "MinLength",
        lambda run, v, a: (n := _length(v)) is not None and n >= int(a.value),
    ),
    "maxLength": (
        "MaxLength",
        lambda run, v, a: (n := _length(v)) is not None and n <= int(a.value),
    ),
    "minInclusive": ("MinInclusive", lambda run, v, a: _compare(v, a, "ge")),
    "maxInclusive": ("MaxInclusive", lambda run, v, a: _compare(v, a, "le")),
    "minExclusive": ("MinExclusive", lambda run, v, a: _compare(v, a, "gt")),
    "maxExclusive": ("MaxExclusive", lambda run, v, a: _compare(v, a, "lt")),
}


def _name(term: Term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _targets(run: _Run, shape: Shape) -> list[Term]:
    found: dict[Term, None] = {}
    for cls in shape.target_classes:
        for node, types in run.types.items():
            if cls in types:
                found[node] = None
    for predicate in shape.target_subjects_of:
        key = ox.NamedNode(predicate)
        for node, pairs in run.graph.items():
            if any(p == key for p, _ in pairs):
                found[node] = None
    return list(found)


def run_shapes(
    shapes: Shapes, triples: Iterable[ox.Triple | ox.Quad], only: Collection[str] | None = None
) -> list[Violation]:
    """Validate *triples* (their union: a triple in two graphs counts once); return the results."""
    run = _Run(_data_index(triples, shapes.predicates))
    for shape in shapes.node_shapes:
        for focus in _targets(run, shape):
            if only is None or _name(focus) in only:
                run.check(focus, shape)
    return run.results
