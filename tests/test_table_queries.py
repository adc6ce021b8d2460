"""The tables' saved queries against a fixture list and fixture workbooks built into real stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fake_servers
import pyoxigraph as ox
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest
from test_arxiv import entry, feed
from test_queries import rows
from xlsx_fixtures import write_source, write_workbook

from genrl_kg.build import ArxivOptions, BuildOptions, BuildReport, run_build
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

fake_server = fake_servers.fake_server  # the fixture

BASE = "https://w3id.org/genrl-kg/"
API = "/api/query"

# The survey's real headings (so sections map to ontology concepts); invented paper titles.
TABLE_LIST = """\
# Fixture survey with tables

## Generative Tools for RL

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
- Eurekon: Human-Level Reward Design by Coding Large Language Models [[paper]](https://arxiv.org/abs/2310.10001)
- Textreward: Automated Dense Reward Function Generation [[paper]](https://arxiv.org/abs/2309.10002)

##### 2.VLMs for reward learning
- Rewardclip: Vision Language Models as Zero-Shot Reward Models [[paper]](https://arxiv.org/abs/2310.10003)

#### State Representation

##### 2.Foundation world models for model-based RL
- Dreamforge: Mastering Control with Learned World Models [[paper]](https://arxiv.org/abs/2301.10004)

####   Planning & Exploration

##### 3.LLMs for planning
- Plansmith: Language Models as Zero-Shot Planners [[paper]](https://arxiv.org/abs/2201.10008)

##### 4.Diffusion models for planning and exploration
- Denoising Trajectories for Flexible Behavior Synthesis [[paper]](https://arxiv.org/abs/2205.09991)
- Adaptplanner: Diffusion Models as Adaptive Self-Evolving Planners [[paper]](https://arxiv.org/abs/2302.10005)

## RL for Generative Policies

### RL Pre-Training

#### 1.Transformer Policy
- Gatoformer: A Generalist Transformer Controller [[paper]](https://arxiv.org/abs/2205.10007)

#### 2.Diffusion Policy
- (2025)! Visuodiff: Visuomotor Policy Learning via Action Diffusion [[paper]](https://arxiv.org/abs/2403.10006)
- (2023)! Octopolicy: Diffusion Policies on Real Robots [[paper]](https://octopolicy.github.io/)
"""

TITLE = {
    "eurekon": "Eurekon: Human-Level Reward Design by Coding Large Language Models",
    "textreward": "Textreward: Automated Dense Reward Function Generation",
    "rewardclip": "Rewardclip: Vision Language Models as Zero-Shot Reward Models",
    "dreamforge": "Dreamforge: Mastering Control with Learned World Models",
    "denoising": "Denoising Trajectories for Flexible Behavior Synthesis",
    "adaptplanner": "Adaptplanner: Diffusion Models as Adaptive Self-Evolving Planners",
    "gatoformer": "Gatoformer: A Generalist Transformer Controller",
    "visuodiff": "Visuodiff: Visuomotor Policy Learning via Action Diffusion",
    "octopolicy": "Octopolicy: Diffusion Policies on Real Robots",
    "plansmith": "Plansmith: Language Models as Zero-Shot Planners",  # no table row
}
ARXIV = {
    "eurekon": "2310.10001",
    "textreward": "2309.10002",
    "rewardclip": "2310.10003",
    "dreamforge": "2301.10004",
    "denoising": "2205.09991",  # janner2022diffuser is curated to arxiv/2205.09991
    "adaptplanner": "2302.10005",
    "gatoformer": "2205.10007",
    "visuodiff": "2403.10006",
    "plansmith": "2201.10008",
}
PAPER = {name: f"{BASE}paper/arxiv/{arxiv_id}" for name, arxiv_id in ARXIV.items()}

LLM_TABLE = "Large_Language_Models_for_RL_Table"
DIFFUSION_TABLE = "Diffusion_Models_for_RL_Table"
WORLD_TABLE = "World_Models_and_Video_Prediction_Models_for_RL_Table"

# (file stem, rows): the header variants of the real tables, then the data rows.
WORKBOOKS: dict[str, list[list[Any]]] = {
    LLM_TABLE: [
        [
            "Name",
            "Framework",
            " Taxonomy",
            "Base Model",
            "Code Availabale ",
            "Dataset",
            "Modules",
            "Simulation or Real Exp",
        ],
        [
            "ma2023eurekon",
            "Eurekon",
            "LLM",
            "GPT 3.5 and GPT 4",
            "Yes",
            "Isaac Gym",
            "Reward design",
            "Both",
        ],
        [
            "xie2024textreward",
            "Textreward",
            "LLM",
            "gpt-3.5-turbo-0301",
            "Coming Soon",
            "MetaWorld",
            "Dense reward generation",
            "Simulation (MuJoCo)",
        ],
        [
            "rocha2024rewardclip",
            "Rewardclip",
            "World Model,LLM, VLM",
            "GPT-4, CLIP",
            "N/A",
            "D4RL locomotion",
            "Zero-shot rewards",
            "Real",
        ],
        [
            "nobody2021mystery",
            "Mystery Solver",
            "LLM",
            "GPT 4",
            "Yes",
            "MetaWorld",
            "Puzzle solving",
            "Simulation",
        ],
    ],
    DIFFUSION_TABLE: [
        [
            "Name",
            "Framework",
            "Taxonomy",
            "Code Available",
            "Dataset",
            "Modules",
            "Simulation or Real Exp",
        ],
        [
            "janner2022diffuser",
            "Diffuser",
            "Diffusion Model",
            "Yes",
            "D4RL locomotion",
            "Planning",
            "Simulation (MuJoCo)",
        ],
        [
            "liang2023adaptplanner",
            "Adaptplanner",
            "Diffusion Model",
            "Yes",
            "D4RL, MetaWorld",
            "Planning",
            "Simulation",
        ],
        [None] * 7,
        [
            "chi2024visuodiff",
            "Visuodiff",
            "Diffusion Model",
            "Yes",
            "Robomimic",
            "Policy learning",
            "Both",
        ],
        [
            "tan2023octopolicy",
            "Octopolicy",
            "Diffusion Model",
            "Yes",
            "N/A",
            "Manipulation",
            "Real",
        ],
    ],
    WORLD_TABLE: [
        [
            "Name",
            "Framework",
            " Taxonomy",
            "Code Available",
            "Dataset",
            "Modules",
            "Simulation or Real Exp",
        ],
        [
            "hafner2023dreamforge",
            "Dreamforge",
            "World Mode",
            "Yes",
            "DMC, Atari",
            "World modelling",
            "Simulation",
        ],
        [
            "reed2022gatoformer",
            "Gatoformer",
            "Transfomer Model, World Mode",
            "Yes",
            "Atari, MetaWorld",
            "Generalist control",
            "Simulation",
        ],
    ],
}
# citation key -> (table, sheet row); the blank sheet row 4 of the diffusion table is skipped
ROWS = {
    "ma2023eurekon": (LLM_TABLE, 2),
    "xie2024textreward": (LLM_TABLE, 3),
    "rocha2024rewardclip": (LLM_TABLE, 4),
    "nobody2021mystery": (LLM_TABLE, 5),
    "janner2022diffuser": (DIFFUSION_TABLE, 2),
    "liang2023adaptplanner": (DIFFUSION_TABLE, 3),
    "chi2024visuodiff": (DIFFUSION_TABLE, 5),
    "tan2023octopolicy": (DIFFUSION_TABLE, 6),
    "hafner2023dreamforge": (WORLD_TABLE, 2),
    "reed2022gatoformer": (WORLD_TABLE, 3),
}
ROW_IRI = {
    key: f"{BASE}table-row/{table.lower().replace('_', '-')}/{row}"
    for key, (table, row) in ROWS.items()
}

# arXiv first versions (enriched build): Rewardclip and Textreward came out the year before their
# keys say; Visuodiff's 2024 arXiv year overrides its (2025)! list marker.
PUBLISHED = {
    "eurekon": ("2023-10-02T10:00:00Z", "Jason Ma"),
    "textreward": ("2023-09-20T10:00:00Z", "Tianbao Xie"),
    "rewardclip": ("2023-10-19T10:00:00Z", "Juan Rocha"),
    "dreamforge": ("2023-01-10T10:00:00Z", "Danijar Hafner"),
    "denoising": ("2022-05-20T10:00:00Z", "Michael Janner"),
    "adaptplanner": ("2023-02-03T10:00:00Z", "Zhixuan Liang"),
    "gatoformer": ("2022-05-12T10:00:00Z", "Scott Reed"),
    "visuodiff": ("2024-03-07T10:00:00Z", "Cheng Chi"),
    "plansmith": ("2022-01-18T10:00:00Z", "Wenlong Huang"),
}


def make_source(root: Path) -> Path:
    """Write the fixture list and workbooks into *root*/source and return that directory."""
    return write_source(root, TABLE_LIST, WORKBOOKS)


def arxiv_answer(request: RecordedRequest) -> FakeResponse:
    """Answer an id_list query from PUBLISHED, as the arXiv API does."""
    by_id = {arxiv_id: name for name, arxiv_id in ARXIV.items()}
    ids = request.query.get("id_list", [""])[0].split(",")
    entries = [
        entry(
            i,
            title=TITLE[by_id[i]],
            published=PUBLISHED[by_id[i]][0],
            authors=[(PUBLISHED[by_id[i]][1], ())],
        )
        for i in ids
        if i in by_id
    ]
    return FakeResponse(body=feed(entries), content_type="application/atom+xml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """Build the fixture source without arXiv; return the store dir and the report."""
    root = tmp_path_factory.mktemp("tables")
    report = run_build(local_source(make_source(root)), root / "store")
    return root / "store", report


@pytest.fixture(scope="module")
def store(built: tuple[Path, BuildReport]) -> ox.Store:
    """Open the fixture store (no arXiv) read-only."""
    return open_store(built[0])


@pytest.fixture(scope="module")
def enriched_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Build the fixture source with arXiv dates from a local fake API; open it read-only."""
    root = tmp_path_factory.mktemp("tables-arxiv")
    with FakeServer() as server:
        server.route(API, arxiv_answer)
        arxiv = ArxivOptions(base_url=server.url_for(API), min_interval=0.01)
        options = BuildOptions(cache_dir=root / "cache", arxiv=arxiv)
        report = run_build(local_source(make_source(root)), root / "store", options)
    assert report.arxiv.not_enriched == []
    return open_store(root / "store")


def select(store: ox.Store, text: str) -> list[tuple[str, ...]]:
    """Run an ad-hoc SELECT over the union graph; return rows of values."""
    prefixes = (
        "PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX schema: <https://schema.org/>\n"
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    )
    results = store.query(prefixes + text, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(t.value if t is not None else "" for t in s) for s in results]


def split_set(text: str) -> set[str]:
    """Split a GROUP_CONCAT ' | ' cell into a set (its order is not defined)."""
    return set(text.split(" | "))


# --------------------------------------------------------------------------- the build itself


def test_report_counts_rows_links_and_the_unresolved_one(built: tuple[Path, BuildReport]) -> None:
    report = built[1]
    assert report.tables.files == 3
    assert report.tables.rows == 10
    assert report.tables.linked == 9 and report.tables.curated == 1
    assert report.tables.unresolved == [f"{LLM_TABLE} row 5 (nobody2021mystery)"]


def test_each_row_links_to_its_paper(store: ox.Store) -> None:
    links = dict(
        select(
            store,
            "SELECT ?key ?paper WHERE { ?r genrl:citationKey ?key ; genrl:describesPaper ?paper }",
        )
    )
    octopolicy = select(store, f'SELECT ?p WHERE {{ ?p dcterms:title "{TITLE["octopolicy"]}" }}')
    assert links == {
        "ma2023eurekon": PAPER["eurekon"],
        "xie2024textreward": PAPER["textreward"],
        "rocha2024rewardclip": PAPER["rewardclip"],
        "janner2022diffuser": PAPER["denoising"],
        "liang2023adaptplanner": PAPER["adaptplanner"],
        "chi2024visuodiff": PAPER["visuodiff"],
        "tan2023octopolicy": octopolicy[0][0],
        "hafner2023dreamforge": PAPER["dreamforge"],
        "reed2022gatoformer": PAPER["gatoformer"],
    }
    found = select(store, "SELECT ?key ?row WHERE { ?row genrl:citationKey ?key }")
    assert dict(found) == ROW_IRI
    mystery = select(
        store,
        f"SELECT ?resolved ?method WHERE {{ <{ROW_IRI['nobody2021mystery']}>"
        " genrl:resolved ?resolved ; genrl:linkMethod ?method }",
    )
    assert mystery == [("false", "unresolved")]


def test_foundation_model_variants_fold_into_one_shared_node(store: ox.Store) -> None:
    models = select(
        store,
        "SELECT ?m ?name WHERE { ?m a genrl:FoundationModel ; schema:name ?name } ORDER BY ?name",
    )
    assert models == [
        (f"{BASE}foundation-model/clip", "CLIP"),
        (f"{BASE}foundation-model/gpt-3-5", "GPT-3.5"),
        (f"{BASE}foundation-model/gpt-4", "GPT-4"),
    ]
    gpt4_rows = select(
        store,
        f"SELECT ?key WHERE {{ ?r genrl:usesFoundationModel <{BASE}foundation-model/gpt-4> ;"
        " genrl:citationKey ?key } ORDER BY ?key",
    )
    assert gpt4_rows == [("ma2023eurekon",), ("nobody2021mystery",), ("rocha2024rewardclip",)]


# --------------------------------------------------------------------------- saved queries


def test_papers_with_code_by_base_model(store: ox.Store) -> None:
    result = rows(store, "papers-with-code-by-base-model")
    got = [(r["baseModelLabel"], r["papers"], split_set(r["titles"])) for r in result]
    assert got == [
        (
            "Diffusion model",
            "4",
            {TITLE[n] for n in ("denoising", "adaptplanner", "visuodiff", "octopolicy")},
        ),
        # each paper under its own base model (its section's): Gatoformer's 'World Mode' tag
        # no longer puts it under World model
        ("Large language model", "1", {TITLE["eurekon"]}),  # Textreward: Coming Soon
        ("Transformer policy", "1", {TITLE["gatoformer"]}),
        ("World model", "1", {TITLE["dreamforge"]}),
    ]
    assert result[0]["baseModel"] == f"{BASE}base-model/diffusion-model"


def test_real_robot_papers(store: ox.Store) -> None:
    result = rows(store, "real-robot-papers")
    assert [(r["title"], r["setting"], r["original"]) for r in result] == [
        (TITLE["eurekon"], "Simulation and real world", "Both"),
        (TITLE["octopolicy"], "Real world", "Real"),
        (TITLE["rewardclip"], "Real world", "Real"),
        (TITLE["visuodiff"], "Simulation and real world", "Both"),
    ]


def test_top_datasets(store: ox.Store) -> None:
    result = rows(store, "top-datasets")
    assert [(r["name"], r["rows"], r["papers"]) for r in result] == [
        ("Meta-World", "4", "3"),  # MetaWorld; the unresolved row counts as a row, not a paper
        ("D4RL", "3", "3"),  # 'D4RL locomotion' twice, 'D4RL, MetaWorld'
        ("Atari", "2", "2"),
        ("MuJoCo", "2", "2"),  # from 'Simulation (MuJoCo)' in the setting column
        ("DeepMind Control Suite", "1", "1"),  # DMC
        ("Isaac Gym", "1", "1"),
        ("Robomimic", "1", "1"),
    ]
    assert result[0]["dataset"] == f"{BASE}dataset/meta-world"


def test_foundation_models_used(store: ox.Store) -> None:
    result = rows(store, "foundation-models-used")
    got = [(r["model"], r["name"], r["papers"], split_set(r["titles"])) for r in result]
    assert got == [
        (
            f"{BASE}foundation-model/gpt-3-5",
            "GPT-3.5",
            "2",
            {TITLE["eurekon"], TITLE["textreward"]},
        ),
        (f"{BASE}foundation-model/gpt-4", "GPT-4", "2", {TITLE["eurekon"], TITLE["rewardclip"]}),
        (f"{BASE}foundation-model/clip", "CLIP", "1", {TITLE["rewardclip"]}),
    ]


def test_task_by_base_model_with_tags(store: ox.Store) -> None:
    result = rows(store, "task-by-base-model-with-tags")
    assert [(r["taskLabel"], r["baseModelLabel"], r["papers"]) for r in result] == [
        ("Planning and exploration", "Diffusion model", "2"),
        ("Planning and exploration", "Large language model", "1"),  # Plansmith: list only
        ("Policy pre-training", "Diffusion model", "2"),
        ("Policy pre-training", "Transformer policy", "1"),
        ("Policy pre-training", "World model", "1"),  # Gatoformer's 'World Mode' tag
        ("Reward signal", "Large language model", "3"),  # Rewardclip's LLM tag adds a third
        ("Reward signal", "Vision-language model", "1"),
        ("Reward signal", "World model", "1"),
        ("State representation", "World model", "1"),
    ]


def test_uncertain_table_links_threshold(store: ox.Store) -> None:
    low = rows(store, "uncertain-table-links", threshold="0.1")
    assert [(r["row"], r["key"], r["method"], r.get("paper")) for r in low] == [
        (ROW_IRI["nobody2021mystery"], "nobody2021mystery", "unresolved", None)
    ]
    assert low[0]["threshold"] == "0.1" and "best guess" in low[0]["evidence"]
    everything = rows(store, "uncertain-table-links", threshold="1.0")
    # every resolver link is below 1.0; the curated one (confidence 1.0) is not uncertain
    assert sorted(r["key"] for r in everything) == sorted(set(ROWS) - {"janner2022diffuser"})
    for r in everything:
        assert float(r["confidence"]) < 1.0
        if r["method"] == "resolved":
            assert float(r["confidence"]) >= 0.4 and r["paper"] and "score" in r["evidence"]
    confidences = [float(r["confidence"]) for r in everything]
    assert confidences == sorted(confidences)
    default = rows(store, "uncertain-table-links")  # threshold 0.5
    assert {r["key"] for r in default} == {
        r["key"] for r in everything if float(r["confidence"]) < 0.5
    }


def test_tag_category_disagreements(store: ox.Store) -> None:
    result = rows(store, "tag-category-disagreements")
    assert [(r["title"], r["tagLabel"], r["sections"]) for r in result] == [
        (TITLE["gatoformer"], "World model", "Transformer Policy"),
        (TITLE["rewardclip"], "Large language model", "VLMs for reward learning"),
        (TITLE["rewardclip"], "World model", "VLMs for reward learning"),
    ]
    assert result[0]["paper"] == PAPER["gatoformer"]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2025", []),  # Visuodiff's identifier (2403) comes before its (2025)! marker
        ("2024", [("visuodiff", "2024")]),
        ("2023", [("visuodiff", "2024"), ("octopolicy", "2023")]),  # Eurekon: not diffusion
    ],
)
def test_diffusion_policies_with_code_on_real_robots(
    store: ox.Store, since: str, expected: list[tuple[str, str]]
) -> None:
    result = rows(store, "diffusion-policies-with-code-on-real-robots", since=since)
    assert [(r["title"], r["year"], r["since"]) for r in result] == [
        (TITLE[name], year, since) for name, year in expected
    ]


def test_diffusion_policies_prefer_the_arxiv_year(enriched_store: ox.Store) -> None:
    result = rows(enriched_store, "diffusion-policies-with-code-on-real-robots", since="2024")
    assert [(r["paper"], r["year"]) for r in result] == [(PAPER["visuodiff"], "2024")]
    assert rows(enriched_store, "diffusion-policies-with-code-on-real-robots", since="2025") == []


YEAR_DISAGREEMENTS = [
    (ROW_IRI["rocha2024rewardclip"], "rocha2024rewardclip", "2024", "2023", PAPER["rewardclip"]),
    (ROW_IRI["xie2024textreward"], "xie2024textreward", "2024", "2023", PAPER["textreward"]),
]


def test_table_year_disagreements(enriched_store: ox.Store) -> None:
    result = rows(enriched_store, "table-year-disagreements")
    assert [tuple(r.values()) for r in result] == YEAR_DISAGREEMENTS


def test_table_year_disagreements_offline_read_the_identifier(store: ox.Store) -> None:
    # Without arXiv's dates the identifiers give the same years: 2310.10003 and 2309.10002
    # are 2023 papers whose keys say 2024; Octopolicy has no arXiv identifier.
    result = rows(store, "table-year-disagreements")
    assert [tuple(r.values()) for r in result] == YEAR_DISAGREEMENTS


def test_enriched_build_links_the_same_rows(enriched_store: ox.Store, store: ox.Store) -> None:
    query = (
        "SELECT ?key ?paper WHERE { ?r genrl:citationKey ?key ; genrl:describesPaper ?paper }"
        " ORDER BY ?key"
    )
    assert select(enriched_store, query) == select(store, query)


def test_more_rows_than_free_papers_leaves_the_rest_unresolved(tmp_path: Path) -> None:
    """A row whose every candidate paper is already taken by another key stays unresolved."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "README.md").write_text(
        "# One paper\n\n## RL for Generative Policies\n\n### RL Pre-Training\n\n"
        "#### 2.Diffusion Policy\n"
        f"- {TITLE['visuodiff']} [[paper]](https://arxiv.org/abs/{ARXIV['visuodiff']})\n",
        encoding="utf-8",
    )
    write_workbook(
        source / f"{DIFFUSION_TABLE}.xlsx", [WORKBOOKS[DIFFUSION_TABLE][i] for i in (0, 4, 5)]
    )
    report = run_build(local_source(source), tmp_path / "store")
    assert (report.tables.rows, report.tables.linked) == (2, 1)
    assert report.tables.unresolved == [f"{DIFFUSION_TABLE} row 3 (tan2023octopolicy)"]
