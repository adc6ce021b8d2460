"""Figures drawn from saved queries: trend, base model x RL task matrix, taxonomy, list growth."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from genrl_kg.errors import GenrlKgError
from genrl_kg.queries import get_saved_query, run_query

__all__ = [
    "ALL_PAPERS",
    "CHAR",
    "DPI",
    "FORMATS",
    "INDENT",
    "NO_HISTORY",
    "NO_MATRIX",
    "NO_TAXONOMY",
    "NO_YEARS",
    "SVG_SALT",
    "GrowthRow",
    "MatrixCell",
    "TreeNode",
    "TrendRow",
    "check_format",
    "month_range",
    "order_tree",
    "plot_growth",
    "plot_matrix",
    "plot_taxonomy",
    "plot_trends",
    "read_build_date",
]

log = logging.getLogger(__name__)

FORMATS = (".png", ".svg")
NO_YEARS = "nothing to plot: no paper has a year (arXiv or the list's marker) and a base model"
NO_MATRIX = "nothing to plot: no papers filed under sections with an RL task and a base model"
NO_TAXONOMY = "nothing to plot: no papers filed under the taxonomy"
NO_HISTORY = "nothing to plot: the store has no history of the list; build with --history DIR"
ALL_PAPERS = "All papers"
SVG_SALT = "genrl-kg"
DPI = 150
INDENT = 0.25  # inches per tree level
CHAR = 0.064  # inches per character of a 9 pt label (DejaVu Sans, a little generous)
_CREATED = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
SELECT ?created WHERE {
  ?dataset a dcat:Dataset ; dcterms:created ?created ; prov:wasGeneratedBy ?build .
  ?build a genrl:Build .
} ORDER BY DESC(?created) LIMIT 1
"""


class TrendRow(NamedTuple):
    """Papers first on arXiv in *year* filed under sections about *base_model*."""

    year: int
    base_model: str
    papers: int


class MatrixCell(NamedTuple):
    """Papers filed under sections about *task* and *base_model*."""

    task: str
    base_model: str
    papers: int


class GrowthRow(NamedTuple):
    """Papers of the current list first listed by the end of *month* (``YYYY-MM``) in *dimension*."""

    month: str
    dimension: str
    papers: int


class TreeNode(NamedTuple):
    """A taxonomy concept as drawn: under *parent* (None at the top), with its paper count."""

    concept: str
    label: str
    notation: str
    parent: str | None
    depth: int
    papers: int


def check_format(path: Path | str) -> str:
    """Return the figure format of *path* from its extension (png or svg).

    >>> check_format("out/trends.SVG")
    'svg'
    >>> check_format("trends.jpg")
    Traceback (most recent call last):
    ...
    genrl_kg.errors.GenrlKgError: trends.jpg: unsupported figure format '.jpg' (use .png or .svg)
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "no extension"
        raise GenrlKgError(f"{path}: unsupported figure format '{shown}' (use .png or .svg)")
    return suffix[1:]


def read_build_date(store: ox.Store) -> str:
    """Return the build's date (dcterms:created of the dataset), or 'a local copy' without one."""
    results = store.query(_CREATED, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    for solution in results:
        return str(solution["created"].value)[:10]
    return "a local copy"


def _rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    """Return the rows of saved query *name* as {variable: lexical value}."""
    results = run_query(store, get_saved_query(name))
    names = [v.value for v in results.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in results]


def _figure(width: float, height: float) -> Any:
    """Return a new Figure on an Agg canvas (no pyplot, no global figure registry)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


@contextmanager
def _style() -> Iterator[None]:
    """Apply deterministic SVG settings and readable text for the duration of a drawing."""
    import matplotlib

    settings: dict[Any, Any] = {"svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "font.size": 9}
    with matplotlib.rc_context(settings):
        yield


def _save(figure: Any, path: Path | str, title: str, date: str) -> None:
    """Add the title and the build date, then write *figure* to *path* in its format."""
    fmt = check_format(path)
    figure.suptitle(title, fontsize=12, fontweight="bold")
    figure.supxlabel(f"genrl-kg build of {date}", x=0.99, ha="right", fontsize=7, color="#555555")
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=fmt, metadata=metadata)
    log.info("wrote %s", path)


def plot_trends(store: ox.Store, path: Path | str) -> list[TrendRow]:
    """Draw papers per first-arXiv year, stacked by base model; return the rows plotted."""
    check_format(path)
    data = [
        TrendRow(int(r["year"]), r["baseModelLabel"], int(r["papers"]))
        for r in _rows(store, "papers-per-year-and-base-model")
    ]
    if not data:
        raise GenrlKgError(NO_YEARS)
    years = list(range(min(r.year for r in data), max(r.year for r in data) + 1))
    models = sorted({r.base_model for r in data})
    counts = {(r.year, r.base_model): r.papers for r in data}
    with _style():
        figure = _figure(max(7.0, 0.6 * len(years) + 4.5), 4.5)
        ax = figure.add_subplot()
        bottom = [0] * len(years)
        colors = _colors(len(models))
        for model, color in zip(models, colors, strict=True):
            heights = [counts.get((year, model), 0) for year in years]
            ax.bar(years, heights, bottom=bottom, label=model, color=color, edgecolor="white")
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel("Year of first arXiv version")
        ax.set_ylabel("Papers (counted once per base model)")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(title="Base model", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        _save(figure, path, "Papers per year by base model", read_build_date(store))
    return data


def plot_matrix(store: ox.Store, path: Path | str) -> list[MatrixCell]:
    """Draw the base model x RL task heatmap with counts in the cells; return the cells."""
    check_format(path)
    data = [
        MatrixCell(r["taskLabel"], r["baseModelLabel"], int(r["papers"]))
        for r in _rows(store, "task-by-base-model")
    ]
    if not data:
        raise GenrlKgError(NO_MATRIX)
    tasks = sorted({c.task for c in data})
    models = sorted({c.base_model for c in data})
    counts = {(c.task, c.base_model): c.papers for c in data}
    grid = [[counts.get((t, m), 0) for m in models] for t in tasks]
    peak = max(max(row) for row in grid)
    from matplotlib.ticker import MaxNLocator

    with _style():
        figure = _figure(1.4 * len(models) + 3.0, 0.5 * len(tasks) + 2.0)
        ax = figure.add_subplot()
        image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
        ax.set_xticks(range(len(models)), models, rotation=30, ha="right")
        ax.set_yticks(range(len(tasks)), tasks)
        ax.set_xlabel("Base model")
        ax.set_ylabel("RL task")
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                color = "white" if value > peak / 2 else ("#999999" if value == 0 else "black")
                ax.text(
                    j, i, str(value), ha="center", va="center", color=color, gid=f"cell-{i}-{j}"
                )
        ax.tick_params(length=0)
        bar = figure.colorbar(image, ax=ax, label="Papers", shrink=0.8)
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
        _save(figure, path, "Papers per base model and RL task", read_build_date(store))
    return data


def month_range(first: str, last: str) -> list[str]:
    """Return every month from *first* to *last* (``YYYY-MM``), both included.

    >>> month_range("2024-11", "2025-02")
    ['2024-11', '2024-12', '2025-01', '2025-02']
    """
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _growth_rows(store: ox.Store) -> list[GrowthRow]:
    """Return the cumulative papers per month: each primary dimension, then all papers."""
    rows = [
        GrowthRow(r["month"], r["dimensionLabel"], int(r["papers"]))
        for r in _rows(store, "list-growth-by-dimension")
    ]
    rows += [
        GrowthRow(r["month"], ALL_PAPERS, int(r["papers"])) for r in _rows(store, "list-growth")
    ]
    return rows


def plot_growth(store: ox.Store, path: Path | str) -> list[GrowthRow]:
    """Draw the papers of the list over time, one line per primary dimension; return the rows."""
    check_format(path)
    data = _growth_rows(store)
    if not data:
        raise GenrlKgError(NO_HISTORY)
    months = month_range(min(r.month for r in data), max(r.month for r in data))
    dimensions = sorted({r.dimension for r in data} - {ALL_PAPERS})
    with _style():
        figure = _figure(max(7.0, 0.25 * len(months) + 4.5), 4.5)
        ax = figure.add_subplot()
        colors = [*_colors(len(dimensions)), "black"]
        for name, color in zip([*dimensions, ALL_PAPERS], colors, strict=True):
            known = {r.month: r.papers for r in data if r.dimension == name}
            series, level = [], 0
            for month in months:
                level = known.get(month, level)
                series.append(level)
            width = 2.2 if name == ALL_PAPERS else 1.4
            xs, ys = range(len(months) + 1), [*series, series[-1]]  # the last month gets a width
            ax.step(xs, ys, where="post", label=name, color=color, lw=width)
        step = max(1, len(months) // 12)
        ticks = list(range(0, len(months), step))
        ax.set_xticks(ticks, [months[i] for i in ticks], rotation=45, ha="right")
        ax.set_xlabel("Month first listed")
        ax.set_ylabel("Papers on the list (cumulative)")
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(title="Primary dimension", loc="upper left", frameon=False)
        _save(figure, path, "Papers on the list over time", read_build_date(store))
    return data


def order_tree(nodes: list[TreeNode]) -> list[TreeNode]:
    """Return *nodes* in drawing order: each parent followed by its children (depth first).

    >>> n = [TreeNode("b", "B", "1.1", "a", 2, 1), TreeNode("a", "A", "1", None, 1, 1)]
    >>> [x.concept for x in order_tree(n)]
    ['a', 'b']
    """
    known = {n.concept for n in nodes}
    children: dict[str | None, list[TreeNode]] = {}
    for node in nodes:
        children.setdefault(node.parent if node.parent in known else None, []).append(node)
    ordered: list[TreeNode] = []

    def visit(parent: str | None, seen: frozenset[str]) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: (_notation_key(n), n.label)):
            if node.concept not in seen:  # a cycle in skos:broader is drawn once
                ordered.append(node)
                visit(node.concept, seen | {node.concept})

    visit(None, frozenset())
    return ordered


def plot_taxonomy(store: ox.Store, path: Path | str) -> list[TreeNode]:
    """Draw the taxonomy as an indented tree with paper counts; return the nodes drawn."""
    check_format(path)
    nodes = [
        TreeNode(
            r["concept"],
            r["label"],
            r.get("notation", ""),
            r.get("parent"),
            int(r["depth"]),
            int(r["papers"]),
        )
        for r in _rows(store, "taxonomy-tree")
    ]
    if not any(n.papers for n in nodes):
        raise GenrlKgError(NO_TAXONOMY)
    ordered = order_tree(nodes)
    levels = _levels(ordered)
    peak = max(n.papers for n in ordered)
    labels = [f"{n.notation}  {n.label}" if n.notation else n.label for n in ordered]
    label_width = max(
        INDENT * levels[id(n)] + CHAR * len(t) for n, t in zip(ordered, labels, strict=True)
    )
    with _style():
        figure = _figure(label_width + 4.5, 0.24 * len(ordered) + 1.2)
        tree, bars = figure.subplots(1, 2, sharey=True, width_ratios=[label_width + 0.2, 4.0])
        tree.set_xlim(0, label_width + 0.2)
        tree.set_ylim(len(ordered) - 0.5, -0.5)
        tree.axis("off")
        colors = _colors(max(levels.values()) + 1)
        for i, (node, text) in enumerate(zip(ordered, labels, strict=True)):
            level = levels[id(node)]
            x = 0.05 + INDENT * level
            weight = "bold" if level == 0 else "normal"
            tree.text(x, i, text, va="center", ha="left", fontweight=weight)
            bars.barh(i, node.papers, height=0.6, color=colors[level])
            bars.text(node.papers + peak * 0.01, i, str(node.papers), va="center", fontsize=8)
            parent = _parent_row(ordered, i)
            if parent is not None:
                px = 0.05 + INDENT * levels[id(ordered[parent])] + 0.08
                tree.plot([px, px, x - 0.04], [parent + 0.35, i, i], color="#aaaaaa", lw=0.6)
        bars.set_xlim(0, peak * 1.12)
        bars.xaxis.get_major_locator().set_params(integer=True)
        bars.tick_params(axis="y", left=False, labelleft=False)
        bars.set_xlabel("Papers filed under the concept or below it")
        bars.spines[["top", "right"]].set_visible(False)
        _save(figure, path, "Taxonomy of the survey with paper counts", read_build_date(store))
    return ordered


def _notation_key(node: TreeNode) -> tuple[int | float, ...]:
    """Return a sort key that puts notation 1.2 before 1.10 (no notation last)."""
    parts = node.notation.split(".") if node.notation else []
    return tuple(int(p) if p.isdigit() else float("inf") for p in parts) or (float("inf"),)


def _levels(ordered: list[TreeNode]) -> dict[int, int]:
    """Return the drawing depth (0 at the top) of every node in *ordered*, by id."""
    levels: dict[int, int] = {}
    stack: list[TreeNode] = []
    for node in ordered:
        while stack and stack[-1].concept != node.parent:
            stack.pop()
        levels[id(node)] = len(stack)
        stack.append(node)
    return levels


def _parent_row(ordered: list[TreeNode], index: int) -> int | None:
    """Return the row that *ordered[index]* hangs under (the nearest one above), or None."""
    parent = ordered[index].parent
    for row in range(index - 1, -1, -1):
        if ordered[row].concept == parent:
            return row
    return None


def _colors(n: int) -> list[Any]:
    """Return *n* distinct colours from a qualitative colormap."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
