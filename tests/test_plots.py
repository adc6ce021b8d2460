"""The figures: each renders to PNG and SVG and plots the fixture's counts, made independently.

``plot growth`` needs a build with history: see test_history_build.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import matplotlib
import matplotlib.image
import pyoxigraph as ox
import pytest
from fake_servers import FakeServer
from test_enrich import API, FakeArxiv, build, make_source

from genrl_kg.build import run_build
from genrl_kg.errors import GenrlKgError
from genrl_kg.plots import plot_growth, plot_matrix, plot_taxonomy, plot_trends
from genrl_kg.settings import ONTOLOGY_FILE
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
EPOCH_DATE = ("1700000000", "2023-11-14")  # SOURCE_DATE_EPOCH and its date
Plot = Callable[[ox.Store, Path | str], list[Any]]
PLOTS: dict[str, tuple[Plot, str]] = {
    "trends": (plot_trends, "Papers per year by base model"),
    "matrix": (plot_matrix, "Papers per base model and RL task"),
    "taxonomy": (plot_taxonomy, "Taxonomy of the survey with paper counts"),
}


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Return the fixture list built with arXiv metadata from the fake API."""
    root = tmp_path_factory.mktemp("plots-enriched")
    with FakeServer() as server:
        server.route(API, FakeArxiv())
        build(root, server.url_for(API))
    return open_store(root / "store")


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Return the fixture list built without arXiv, dated by SOURCE_DATE_EPOCH."""
    root = tmp_path_factory.mktemp("plots-plain")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH_DATE[0])
        run_build(local_source(make_source(root)), root / "store")
    return open_store(root / "store")


def svg_text(path: Path) -> list[str]:
    """Parse the SVG at *path* (must be well-formed XML) and return its text contents."""
    root = SafeET.parse(path).getroot()
    assert root.tag == SVG_NS + "svg"
    return ["".join(e.itertext()).strip() for e in root.iter(SVG_NS + "text")]


# The fixture list (test_queries.FIXTURE_LIST) by hand: each paper and the sections it sits in.
FIXTURE_SECTIONS = {
    "Paper A": ("learning-reward-functions-with-llms", "vlms-for-reward-learning"),
    "Paper B": ("learning-reward-functions-with-llms",),
    "Paper C": ("vlms-for-reward-learning",),
    "Paper D": ("diffusion-models-for-planning-and-exploration", "diffusion-policy"),
    "Paper E": ("diffusion-policy",),
    "Paper F": ("policy-safety",),
}
# The base models each paper uses, by hand: a section about one base model gives it; Policy
# Safety is about two (diffusion, transformer), so it gives F none; no title names a model.
LLM, VLM, DIFFUSION = "Large language model", "Vision-language model", "Diffusion model"
FIXTURE_MODELS = {
    "Paper A": {LLM, VLM},
    "Paper B": {LLM},
    "Paper C": {VLM},
    "Paper D": {DIFFUSION},
    "Paper E": {DIFFUSION},
    "Paper F": set(),
}
# Each paper's year: first arXiv version (A 2023-12-30 in the fake API, D 2502.x), else the
# list's '(2025)!' marker (B); C and E have neither, F has no base model to plot.
FIXTURE_YEARS = {"Paper A": 2023, "Paper B": 2025, "Paper D": 2025, "Paper F": 2024}
MODALITY_ROWS = {LLM, VLM}  # the models the fixture's Modality table has a row for
TAX = "https://w3id.org/genrl-kg/taxonomy/"
TAX_SCHEME = "https://w3id.org/genrl-kg/taxonomy"


def ontology_facts() -> dict[str, dict[str, set[str]]]:
    """Return {predicate local name: {subject: objects}} of the ontology file, parsed directly."""
    facts: dict[str, dict[str, set[str]]] = {}
    for triple in ox.parse(ONTOLOGY_FILE.read_bytes(), ox.RdfFormat.TURTLE):
        name = triple.predicate.value.rsplit("#", 1)[-1]
        if isinstance(triple.object, ox.Literal) and triple.object.language not in (None, "en"):
            continue
        facts.setdefault(name, {}).setdefault(triple.subject.value, set()).add(triple.object.value)
    return facts


def _matrix(facts: dict[str, dict[str, set[str]]], label: dict[str, str]) -> list[tuple[Any, ...]]:
    """Pair each section's RL task with the paper's models that section is about (all if none)."""
    cells: dict[tuple[str, str], set[str]] = {}
    for paper, slugs in FIXTURE_SECTIONS.items():
        for leaf in (TAX + slug for slug in slugs):
            about = {label[m] for m in facts["aboutBaseModel"].get(leaf, ())}
            models = FIXTURE_MODELS[paper] & about or FIXTURE_MODELS[paper]
            for task in facts["aboutRLTask"].get(leaf, ()):
                for model in models:
                    cells.setdefault((label[task], model), set()).add(paper)
    return [(t, m, len(papers)) for (t, m), papers in sorted(cells.items())]


def expected_data(kind: str) -> list[tuple[Any, ...]]:
    """Return what figure *kind* must plot on the fixture, counted from the tables above."""
    if kind == "trends":
        counts: dict[tuple[int, str], int] = {}
        for paper, year in FIXTURE_YEARS.items():
            for model in FIXTURE_MODELS[paper]:
                counts[year, model] = counts.get((year, model), 0) + 1
        return [(y, m, n) for (y, m), n in sorted(counts.items())]
    facts = ontology_facts()
    label = {s: min(v) for s, v in facts["prefLabel"].items()}
    broader = {s: min(v) for s, v in facts["broader"].items()}
    if kind == "matrix":
        return _matrix(facts, label)

    def ancestors(concept: str) -> set[str]:
        found = {concept}
        while concept in broader:
            concept = broader[concept]
            found.add(concept)
        return found

    under = {
        p: set().union(*(ancestors(TAX + s) for s in ss)) for p, ss in FIXTURE_SECTIONS.items()
    }
    # The Base Model and Modality branches count the papers of their dimension with a base
    # model (and, for Modality, one the Modality table has a row for).
    for paper, models in FIXTURE_MODELS.items():
        if models and TAX + "generative-tools-for-rl" in under[paper]:
            under[paper].add(TAX + "base-model")
            if models & MODALITY_ROWS:
                under[paper].add(TAX + "modality")
    concepts = [c for c, schemes in facts["inScheme"].items() if TAX_SCHEME in schemes]
    return sorted(
        (c, label[c], broader.get(c), sum(c in u for u in under.values())) for c in concepts
    )


def plotted(kind: str, data: list[Any]) -> list[tuple[Any, ...]]:
    """Return the figure's returned data in the shape of :func:`expected_data`."""
    if kind == "taxonomy":
        return sorted((n.concept, n.label, n.parent, n.papers) for n in data)
    return [tuple(row) for row in data]


@pytest.mark.parametrize("kind", sorted(PLOTS))
def test_png_renders_and_data_matches_the_query(
    enriched: ox.Store, tmp_path: Path, kind: str
) -> None:
    plot, _ = PLOTS[kind]
    path = tmp_path / "sub" / f"{kind}.png"
    data = plot(enriched, path)
    body = path.read_bytes()
    assert body.startswith(PNG_SIGNATURE) and len(body) > 20_000
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert width > 600 and height > 400
    assert image[..., :3].min() < 0.5  # something dark was drawn on the white page
    expected = expected_data(kind)
    assert expected and plotted(kind, data) == expected


@pytest.mark.parametrize("kind", sorted(PLOTS))
def test_svg_has_title_date_and_labels(enriched: ox.Store, tmp_path: Path, kind: str) -> None:
    plot, title = PLOTS[kind]
    data = plot(enriched, tmp_path / f"{kind}.svg")
    texts = svg_text(tmp_path / f"{kind}.svg")
    assert title in texts
    # A local copy has no commit date, and none is invented.
    assert "genrl-kg build of a local copy" in texts
    if kind == "trends":
        labels = {r[1] for r in data} | {str(r[0]) for r in data}
    elif kind == "matrix":
        labels = {r[0] for r in data} | {r[1] for r in data}
    else:
        labels = {f"{n.notation}  {n.label}" for n in data}
        assert "1.3.3  Planning & Exploration" in labels
    assert labels and labels <= set(texts)


def test_trends_on_the_fixture(enriched: ox.Store, tmp_path: Path) -> None:
    # A (2023) uses an LLM and a VLM, B (marked 2025) an LLM, D (2025) a diffusion model.
    data = plot_trends(enriched, tmp_path / "t.svg")
    assert [tuple(r) for r in data] == [
        (2023, LLM, 1),
        (2023, VLM, 1),
        (2025, DIFFUSION, 1),
        (2025, LLM, 1),
    ]


def test_matrix_writes_every_cell_count(plain: ox.Store, tmp_path: Path) -> None:
    data = plot_matrix(plain, tmp_path / "m.svg")
    assert plotted("matrix", data) == expected_data("matrix")
    tasks, models = sorted({c.task for c in data}), sorted({c.base_model for c in data})
    counts = {(c.task, c.base_model): c.papers for c in data}
    root = SafeET.parse(tmp_path / "m.svg").getroot()
    cells = {
        e.get("id"): "".join(e.itertext()).strip()
        for e in root.iter()
        if (e.get("id") or "").startswith("cell-")
    }
    expected = {
        f"cell-{i}-{j}": str(counts.get((t, m), 0))
        for i, t in enumerate(tasks)
        for j, m in enumerate(models)
    }
    assert cells == expected
    assert cells["cell-0-0"] == "1"  # Planning and exploration x Diffusion model: Paper D
    assert "0" in cells.values()  # empty cells say 0


def test_taxonomy_tree_order_and_counts(plain: ox.Store, tmp_path: Path) -> None:
    data = plot_taxonomy(plain, tmp_path / "tax.png")
    assert plotted("taxonomy", data) == expected_data("taxonomy")
    position = {n.concept.rsplit("/", 1)[1]: i for i, n in enumerate(data)}
    assert position["generative-tools-for-rl"] == 0
    assert position["generative-tools-for-rl"] < position["task"] < position["reward-signal"]
    assert position["reward-signal"] < position["learning-reward-functions-with-llms"]
    assert position["learning-reward-functions-with-llms"] < position["vlms-for-reward-learning"]
    assert position["rl-for-generative-policies"] > position["vlms-for-reward-learning"]
    for node in data:  # every node comes after its parent
        if node.parent is not None:
            assert (
                position[node.parent.rsplit("/", 1)[1]] < position[node.concept.rsplit("/", 1)[1]]
            )
    counts = {n.concept.rsplit("/", 1)[1]: n.papers for n in data}
    assert counts["generative-tools-for-rl"] == 4 and counts["rl-pre-training"] == 2


def test_build_date_comes_from_the_store(plain: ox.Store, tmp_path: Path) -> None:
    plot_taxonomy(plain, tmp_path / "tax.svg")
    assert f"genrl-kg build of {EPOCH_DATE[1]}" in svg_text(tmp_path / "tax.svg")


@pytest.mark.parametrize("kind", sorted(PLOTS))
def test_svg_output_is_deterministic(enriched: ox.Store, tmp_path: Path, kind: str) -> None:
    plot, _ = PLOTS[kind]
    plot(enriched, tmp_path / "a.svg")
    plot(enriched, tmp_path / "b.svg")
    first = (tmp_path / "a.svg").read_bytes()
    assert first == (tmp_path / "b.svg").read_bytes()
    assert b"<dc:date>" not in first


def test_no_global_matplotlib_state_changes(enriched: ox.Store, tmp_path: Path) -> None:
    backend = matplotlib.get_backend()
    before = dict(matplotlib.rcParams)
    for kind, (plot, _) in sorted(PLOTS.items()):
        plot(enriched, tmp_path / f"{kind}.svg")
    assert matplotlib.get_backend() == backend
    assert dict(matplotlib.rcParams) == before


def test_trends_without_arxiv_metadata_use_identifiers_and_markers(
    plain: ox.Store, tmp_path: Path
) -> None:
    # Without arXiv's metadata, A's and D's years come from their identifiers, B's from '(2025)!'.
    data = plot_trends(plain, tmp_path / "t.png")
    assert [tuple(r) for r in data] == expected_data("trends")


def test_trends_without_years_is_an_error(tmp_path: Path) -> None:
    store = ox.Store()
    paper = ox.NamedNode("https://example.org/paper/x")
    genrl = "https://w3id.org/genrl-kg/ontology#"
    store.add(ox.Quad(paper, ox.NamedNode(RDF_TYPE), ox.NamedNode(genrl + "Paper")))
    with pytest.raises(GenrlKgError, match="nothing to plot: no paper has a year"):
        plot_trends(store, tmp_path / "t.png")
    assert not (tmp_path / "t.png").exists()


@pytest.mark.parametrize("kind", sorted(PLOTS))
@pytest.mark.parametrize("name", ["figure.jpg", "figure.pdf", "figure"])
def test_unsupported_extension_is_an_error(
    enriched: ox.Store, tmp_path: Path, kind: str, name: str
) -> None:
    plot, _ = PLOTS[kind]
    with pytest.raises(GenrlKgError, match="unsupported figure format"):
        plot(enriched, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_empty_store_is_an_error_for_every_plot(tmp_path: Path) -> None:
    store = ox.Store()
    for plot in [p for p, _ in PLOTS.values()] + [plot_growth]:
        with pytest.raises(GenrlKgError, match="nothing to plot"):
            plot(store, tmp_path / "x.svg")
    assert list(tmp_path.iterdir()) == []
