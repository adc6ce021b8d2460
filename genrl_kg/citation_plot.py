"""The citation graph of the list as a figure: networkx lays it out, matplotlib draws it.

Nodes are the papers that cite or are cited within the list, coloured by primary dimension and
sized by in-list citations; the most cited are labelled. The layout has a fixed seed and the SVG
a fixed hash salt and no date, so the same store gives the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from genrl_kg.errors import GenrlKgError
from genrl_kg.plots import check_format, read_build_date
from genrl_kg.queries import get_saved_query, run_query

__all__ = [
    "LABELLED",
    "NO_CITATIONS",
    "SEED",
    "CitationNode",
    "layout_citations",
    "plot_citations",
    "read_citations",
    "short_title",
]

log = logging.getLogger(__name__)

NO_CITATIONS = (
    "nothing to plot: the store has no citations between papers of the list; build with OpenAlex"
)
SEED = 13
LABELLED = 10
SVG_SALT = "genrl-kg-citations"
DPI = 150
UNFILED = "Not filed under a dimension"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f")
_DIMENSIONS = """
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?paper ?label WHERE {
  ?paper a genrl:Paper ; dcterms:subject ?leaf .
  ?leaf skos:broader* ?dimension .
  ?dimension a genrl:PrimaryDimension ; skos:prefLabel ?label .
}
"""


class CitationNode(NamedTuple):
    """A paper in the citation graph: IRI, title, primary dimension(s), in-list citations."""

    paper: str
    title: str
    dimension: str
    citations: int


def short_title(title: str, limit: int = 32) -> str:
    """Return *title* cut at a word boundary to at most *limit* characters (with an ellipsis).

    >>> short_title("Diffusion Policy: Visuomotor Policy Learning via Action Diffusion")
    'Diffusion Policy: Visuomotor…'
    >>> short_title("Eureka")
    'Eureka'
    """
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] if " " in title[: limit - 1] else title[: limit - 1]
    return cut.rstrip(" :,;-") + "…"


def _dimensions(store: ox.Store) -> dict[str, str]:
    """Return each paper's primary dimension labels joined with ' + ' (sorted)."""
    results = store.query(_DIMENSIONS, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    found: dict[str, set[str]] = {}
    for s in results:
        found.setdefault(s["paper"].value, set()).add(s["label"].value)
    return {paper: " + ".join(sorted(labels)) for paper, labels in found.items()}


def read_citations(store: ox.Store) -> tuple[list[CitationNode], list[tuple[str, str]]]:
    """Return the papers in the citation graph (sorted by IRI) and the edges (citing, cited)."""
    results = run_query(store, get_saved_query("citation-edges"))
    edges: list[tuple[str, str]] = []
    titles: dict[str, str] = {}
    for s in results:
        source, target = s["source"].value, s["target"].value
        edges.append((source, target))
        titles.setdefault(source, s["sourceTitle"].value)
        titles.setdefault(target, s["targetTitle"].value)
    dimensions = _dimensions(store)
    cited: dict[str, set[str]] = {}
    for source, target in edges:
        cited.setdefault(target, set()).add(source)
    nodes = [
        CitationNode(p, titles[p], dimensions.get(p, UNFILED), len(cited.get(p, ())))
        for p in sorted(titles)
    ]
    return nodes, sorted(set(edges))


def layout_citations(
    nodes: Sequence[CitationNode], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Return a position per paper from networkx's spring layout with a fixed seed."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(n.paper for n in nodes)
    graph.add_edges_from(edges)
    k = 2.0 / max(len(nodes), 1) ** 0.5
    positions = nx.spring_layout(graph, seed=SEED, k=k, iterations=100)
    return {p: (round(float(x), 6), round(float(y), 6)) for p, (x, y) in positions.items()}


@contextmanager
def _style() -> Iterator[None]:
    """Apply deterministic SVG settings for the duration of a drawing."""
    import matplotlib

    settings: dict[Any, Any] = {"svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "font.size": 8}
    with matplotlib.rc_context(settings):
        yield


def _draw(
    ax: Any, nodes: Sequence[CitationNode], edges: Sequence[tuple[str, str]], pos: Any
) -> None:
    """Draw edges as arrows, nodes by dimension colour and size, and the most cited labels."""
    for source, target in edges:
        ax.annotate(
            "",
            xy=pos[target],
            xytext=pos[source],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#9a9a9a",
                "alpha": 0.6,
                "lw": 0.5,
                "shrinkA": 4,
                "shrinkB": 4,
            },
            zorder=1,
        )
    dimensions = sorted({n.dimension for n in nodes})
    for index, dimension in enumerate(dimensions):
        group = [n for n in nodes if n.dimension == dimension]
        ax.scatter(
            [pos[n.paper][0] for n in group],
            [pos[n.paper][1] for n in group],
            s=[20 + 30 * n.citations for n in group],
            color=PALETTE[index % len(PALETTE)],
            edgecolors="white",
            linewidths=0.5,
            label=dimension,
            zorder=2,
        )
    top = sorted(nodes, key=lambda n: (-n.citations, n.title, n.paper))[:LABELLED]
    for node in top:
        x, y = pos[node.paper]
        ax.annotate(
            f"{short_title(node.title)} ({node.citations})",
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            zorder=3,
        )
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.set_axis_off()


def plot_citations(store: ox.Store, path: Path | str) -> list[CitationNode]:
    """Draw the list's citation graph to *path* (.svg or .png); return the papers drawn."""
    fmt = check_format(path)
    nodes, edges = read_citations(store)
    if not edges:
        raise GenrlKgError(NO_CITATIONS)
    positions = layout_citations(nodes, edges)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(11, 8.5), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        _draw(figure.add_subplot(), nodes, edges, positions)
        figure.suptitle(
            f"Citations within the list: {len(nodes)} papers, {len(edges)} citations",
            fontsize=12,
            fontweight="bold",
        )
        date = read_build_date(store)
        figure.supxlabel(
            f"genrl-kg build of {date}; node size: citations within the list; data: OpenAlex (CC0)",
            x=0.99,
            ha="right",
            fontsize=7,
            color="#555555",
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(path, format=fmt, metadata=metadata)
    log.info("wrote %s", path)
    return nodes
