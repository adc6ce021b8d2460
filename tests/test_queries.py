"""Every saved query against a fixture list built into a real on-disk store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from genrl_kg.build import run_build
from genrl_kg.errors import QueryError
from genrl_kg.queries import bind_parameters, get_saved_query, load_saved_queries, run_query
from genrl_kg.rdflib_view import NativeOxigraphStore
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_dataset, open_store

TAX = "https://w3id.org/genrl-kg/taxonomy/"
FIXTURE_LIST = """\
# Fixture list

## Abstract
Text with a [link](https://example.org/not-an-entry) that is not an entry.

## Generative Tools for RL

### Modality

| Model Type | Input Modality | Output Modality | Primary Role in RL | Trade-off Focus |
| :--- | :--- | :--- | :--- | :--- |
| **LLMs** | Text | Text | **Abstract Reasoning:** goals | High Abstraction |
| **VLMs** | Visual + Text | Reasoning over Visuals | **Visual Feedback:** scenes | Moderately Grounded |

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
 - Paper A [[paper]](https://arxiv.org/abs/2301.00001)
 - (2025)! Paper B [[paper]](https://ieeexplore.ieee.org/abstract/document/11080043)

##### 2.VLMs for reward learning
- Paper A again [[paper]](https://doi.org/10.48550/arXiv.2301.00001)
- Paper C [[paper]](https://openreview.net/forum?id=abcDEF123)

####   Planning & Exploration

##### 4.Diffusion models for planning and exploration
- (2025)! Paper D [[paper]](https://arxiv.org/pdf/2502.00002v2)

## RL for Generative Policies 

### RL Pre-Training 

#### 2.Diffusion Policy
  - Paper D [[paper]](https://arxiv.org/abs/2502.00002)
  - Paper E [[paper]](https://robot-e.github.io/)

### Policy Safety (new!)
- (2024)! Paper F [[paper]](https://arxiv.org/abs/2403.00003)
"""


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture list (no arXiv) into an on-disk store."""
    root = tmp_path_factory.mktemp("fixture")
    source = root / "source"
    source.mkdir()
    (source / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    run_build(local_source(source), root / "store")
    return root / "store"


@pytest.fixture(scope="module")
def store(store_dir: Path) -> ox.Store:
    """Open the fixture store read-only."""
    return open_store(store_dir)


def rows(store: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    """Run saved query *name* and return its rows as {variable: value} with short IRIs."""
    saved = get_saved_query(name)
    results = run_query(store, saved, bind_parameters(saved, params))
    out = []
    for solution in results:
        row = {}
        for var in results.variables:
            term = solution[var]
            if term is not None:
                row[var.value] = term.value.removeprefix(TAX)
        out.append(row)
    return out


def column(result: list[dict[str, str]], *names: str) -> list[tuple[str, ...]]:
    """Project *result* to the columns *names*."""
    return [tuple(r.get(n, "") for n in names) for r in result]


def test_every_saved_query_has_a_header_and_a_test() -> None:
    tested = set(EXPECTED_COLUMNS) | {"taxonomy-tree", "papers-in-category", "paper-by-arxiv-id"}
    queries = load_saved_queries()
    for saved in queries.values():
        assert saved.summary and saved.description and saved.tags, saved.name
        prefixes = {
            line.split()[1] for line in saved.text.splitlines() if line.startswith("PREFIX")
        }
        body = "\n".join(x for x in saved.text.splitlines() if not x.startswith(("#", "PREFIX")))
        for token in ("genrl:", "skos:", "dcterms:", "schema:"):
            if token in body:
                assert token in prefixes, f"{saved.name} uses {token} without PREFIX"
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
    )
    untested = sorted(n for n in set(queries) - tested - EXTRA_TESTED if f'"{n}"' not in sources)
    assert not untested, f"saved queries without an expected-result test: {untested}"


EXPECTED_COLUMNS: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
    "papers-per-category": (
        ("category", "papers"),
        [
            ("learning-reward-functions-with-llms", "2"),
            ("vlms-for-reward-learning", "2"),
            ("diffusion-models-for-planning-and-exploration", "1"),
            ("diffusion-policy", "2"),
            ("policy-safety", "1"),
        ],
    ),
    "papers-in-several-categories": (
        ("title", "categories"),
        [("Paper A", "2"), ("Paper D", "2")],
    ),
    "entries-per-year": (
        ("year", "papers"),
        [("2024", "1"), ("2025", "2"), ("unmarked", "3")],
    ),
    "papers-without-arxiv-id": (
        ("title",),
        [("Paper B",), ("Paper C",), ("Paper E",)],
    ),
    # Offline: the year of the first arXiv version from the identifier, else the (YYYY)! marker.
    # A 2301 -> 2023; F 2403 -> 2024; D 2502 -> 2025; B (IEEE) (2025)!; C and E have none.
    "papers-per-arxiv-year": (
        ("year", "papers"),
        [("2023", "1"), ("2024", "1"), ("2025", "2")],
    ),
    # Each paper once per base model it has: A (LLM and VLM leaves), B (LLM leaf), D (diffusion
    # leaves); F (policy safety, about two models, title 'Paper F') has none; E has no year.
    "papers-per-year-and-base-model": (
        ("year", "baseModelLabel", "papers"),
        [
            ("2023", "Large language model", "1"),
            ("2023", "Vision-language model", "1"),
            ("2025", "Diffusion model", "1"),
            ("2025", "Large language model", "1"),
        ],
    ),
    "modality-table": (
        ("modelType", "input", "output", "tradeOff"),
        [
            ("LLMs", "Text", "Text", "High Abstraction"),
            ("VLMs", "Visual + Text", "Reasoning over Visuals", "Moderately Grounded"),
        ],
    ),
}
EXTRA_TESTED: set[str] = {"task-by-base-model", "papers-per-dimension-and-base-model"}


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_saved_query_expected_rows(store: ox.Store, name: str) -> None:
    names, expected = EXPECTED_COLUMNS[name]
    assert column(rows(store, name), *names) == expected


def test_taxonomy_tree_counts_every_level(store: ox.Store) -> None:
    counts = {r["concept"]: int(r["papers"]) for r in rows(store, "taxonomy-tree")}
    assert counts["generative-tools-for-rl"] == 4  # A, B, C, D
    assert counts["rl-for-generative-policies"] == 3  # D, E, F
    assert counts["reward-signal"] == 3  # A, B, C
    assert counts["rl-pre-training"] == 2
    assert counts["transformer-policy"] == 0
    assert counts["base-model"] == 4  # A, B, C, D have a base model (their sections')
    assert counts["modality"] == 3  # A, B, C: the Modality table has LLMs and VLMs, not diffusion
    depth = {r["concept"]: int(r["depth"]) for r in rows(store, "taxonomy-tree")}
    assert depth["generative-tools-for-rl"] == 1
    assert depth["learning-reward-functions-with-llms"] == 4


def test_task_by_base_model_matrix(store: ox.Store) -> None:
    result = {
        (r["taskLabel"], r["baseModelLabel"]): int(r["papers"])
        for r in rows(store, "task-by-base-model")
    }
    # F sits in Policy Safety (about diffusion and transformer policies) but nothing says which
    # it uses: it counts under neither.
    assert result == {
        ("Reward signal", "Large language model"): 2,  # A, B
        ("Reward signal", "Vision-language model"): 2,  # A, C
        ("Planning and exploration", "Diffusion model"): 1,  # D
        ("Policy pre-training", "Diffusion model"): 2,  # D, E
    }


def test_papers_per_dimension_and_base_model(store: ox.Store) -> None:
    result = {
        (r["dimensionLabel"], r["baseModelLabel"]): int(r["papers"])
        for r in rows(store, "papers-per-dimension-and-base-model")
    }
    assert result == {
        ("Generative Tools for RL", "Large language model"): 2,  # A, B
        ("Generative Tools for RL", "Vision-language model"): 2,  # A, C
        ("Generative Tools for RL", "Diffusion model"): 1,  # D
        ("RL for Generative Policies", "Diffusion model"): 2,  # D, E (not F)
    }


def test_papers_in_category_binds_an_iri(store: ox.Store) -> None:
    result = rows(store, "papers-in-category", category=TAX + "rl-pre-training")
    assert sorted(r["title"] for r in result) == ["Paper D", "Paper E"]
    assert {r["category"] for r in result} == {"rl-pre-training"}
    everything = rows(store, "papers-in-category", category=TAX + "generative-tools-for-rl")
    assert sorted(r["title"] for r in everything) == ["Paper A", "Paper B", "Paper C", "Paper D"]


def test_paper_by_arxiv_id_binds_a_literal(store: ox.Store) -> None:
    result = rows(store, "paper-by-arxiv-id", arxivId="2301.00001")
    assert len(result) == 1
    assert result[0]["title"] == "Paper A"
    assert sorted(result[0]["categories"].split(" | ")) == [
        "Learning reward functions with LLMs",
        "VLMs for reward learning",
    ]
    assert rows(store, "paper-by-arxiv-id", arxivId="9999.99999") == []


def test_parameters_are_terms_not_text(store: ox.Store) -> None:
    hostile = '2301.00001" } UNION { ?s ?p ?o } #'
    assert rows(store, "paper-by-arxiv-id", arxivId=hostile) == []
    saved = get_saved_query("papers-in-category")
    with pytest.raises(QueryError, match="category"):
        bind_parameters(saved, {"category": "not an iri"})
    with pytest.raises(QueryError, match="unknown parameter"):
        bind_parameters(saved, {"nope": "x"})


def test_queries_run_on_the_native_engine(store: ox.Store) -> None:
    saved = get_saved_query("papers-per-category")
    results = run_query(store, saved)
    assert isinstance(results, ox.QuerySolutions)


def test_rdflib_and_pyoxigraph_see_the_same_union(store_dir: Path, store: ox.Store) -> None:
    # FACTS: oxrdflib silently falls back to rdflib's slow engine for prepared queries;
    # open_dataset refuses that fallback and counts the queries Oxigraph ran itself.
    saved = get_saved_query("papers-per-category")
    dataset = open_dataset(store_dir)
    before = NativeOxigraphStore.native_queries
    via_rdflib = sorted((str(r.category), int(r.papers)) for r in dataset.query(saved.text))
    assert NativeOxigraphStore.native_queries == before + 1
    via_ox = sorted((s["category"].value, int(s["papers"].value)) for s in run_query(store, saved))
    assert via_rdflib == via_ox and len(via_ox) == 5
    with pytest.raises(QueryError, match="native Oxigraph engine"):
        dataset.query(prepareQuery("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
