"""The facts stage end to end: each paper's own base models, arXiv month, code and modalities.

A fixture list with the survey's real headings, a Modality table, fixture workbooks and a local
fake arXiv API; then the saved queries that read the facts. Every expected value below is
worked out by hand from the fixture (see the comments), never from the stage's output.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest
from test_arxiv import entry, feed
from test_queries import rows
from xlsx_fixtures import HEADER, write_source

from genrl_kg.build import ArxivOptions, BuildOptions, BuildReport, build_graphs, run_build
from genrl_kg.build.facts import FactsReport
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

API = "/api/query"
BASE = "https://w3id.org/genrl-kg/"
GENRL = "https://w3id.org/genrl-kg/ontology#"
BM = BASE + "base-model/"
MOD = BASE + "modality/"
GOLD_FILE = Path(__file__).parent / "data" / "base-model-gold.csv"

FACTS_LIST = """\
# Fixture survey for the facts stage

## Generative Tools for RL

### Modality

| Model Type | Input Modality | Output Modality | Primary Role in RL | Trade-off Focus |
| :--- | :--- | :--- | :--- | :--- |
| **LLMs** | Text | Text | **Abstract Reasoning:** goals | High Abstraction |
| **VLMs** | Visual + Text | Reasoning over Visuals | **Visual Feedback:** scenes | Grounded |
| **Diffusion Models** | Low-level/Sensory Data | Low-level Control Actions | **Policy:** actions | Expressive |

### Task

#### Reward Signal

##### 1.Learning reward functions with LLMs
- Eurekon: Human-Level Reward Design by Coding Large Language Models [[paper]](https://arxiv.org/abs/2401.10001)

##### 2.VLMs for reward learning
- Rewardclip: Vision Language Models as Zero-Shot Reward Models [[paper]](https://arxiv.org/abs/2310.10003)

#### State Representation

##### 2.Foundation world models for model-based RL
- Dreamforge: Mastering Control with Learned World Models [[paper]](https://doi.org/10.1234/dreamforge)

## RL for Generative Policies

### RL Pre-Training

#### 2.Diffusion Policy
- Octopolicy: Diffusion Policies on Real Robots [[paper]](https://arxiv.org/abs/2403.10008) [[code]](https://github.com/octo/policy)
- Visuodiff: Visuomotor Policy Learning via Action Diffusion [[paper]](https://arxiv.org/abs/2303.10012)

### Generative Policy RL Fine-Tuning
- Diffusion Policy Policy Optimization [[paper]](https://arxiv.org/abs/2409.10001)
- SimpleVLA-RL: Scaling VLA Training via Reinforcement Learning [[paper]](https://arxiv.org/abs/2509.10002)
- Steerer: Guiding Robot Policies with Human Feedback [[paper]](https://arxiv.org/abs/2505.10003)
- Reinforced Embodied Planning with Verifiable Reward [[paper]](https://arxiv.org/abs/2505.10005)
- Policy Agnostic Fine-Tuning of Multiple Policy Classes [[paper]](https://arxiv.org/abs/2412.10006)
- Failure Diagnosis for Improving Manipulation Policies [[paper]](https://arxiv.org/abs/2401.10004) [[code]](https://github.com/Org/Repo)
- (2025)! Some Untabled Policy Paper [[paper]](https://robot-x.github.io/)
"""
KEY = {
    "eurekon": "arxiv/2401.10001",
    "rewardclip": "arxiv/2310.10003",
    "dreamforge": "doi/10.1234/dreamforge",
    "octopolicy": "arxiv/2403.10008",
    "visuodiff": "arxiv/2303.10012",
    "dppo": "arxiv/2409.10001",
    "simplevla": "arxiv/2509.10002",
    "steerer": "arxiv/2505.10003",
    "embodied": "arxiv/2505.10005",
    "agnostic": "arxiv/2412.10006",
    "failure": "arxiv/2401.10004",  # not answered by the fake arXiv: never enriched
    "untabled": "web/robot-x.github.io",
}
PAPER = {name: f"{BASE}paper/{key}" for name, key in KEY.items()}
TITLE = {
    "eurekon": "Eurekon: Human-Level Reward Design by Coding Large Language Models",
    "rewardclip": "Rewardclip: Vision Language Models as Zero-Shot Reward Models",
    "dreamforge": "Dreamforge: Mastering Control with Learned World Models",
    "octopolicy": "Octopolicy: Diffusion Policies on Real Robots",
    "visuodiff": "Visuodiff: Visuomotor Policy Learning via Action Diffusion",
    "dppo": "Diffusion Policy Policy Optimization",
    "simplevla": "SimpleVLA-RL: Scaling VLA Training via Reinforcement Learning",
    "steerer": "Steerer: Guiding Robot Policies with Human Feedback",
    "embodied": "Reinforced Embodied Planning with Verifiable Reward",
    "agnostic": "Policy Agnostic Fine-Tuning of Multiple Policy Classes",
    "failure": "Failure Diagnosis for Improving Manipulation Policies",
    "untabled": "Some Untabled Policy Paper",
}
NAME = {iri: name for name, iri in PAPER.items()}
REWARD = "Generative Tools for RL > Task > Reward Signal > "
PRE_TRAINING = "RL for Generative Policies > RL Pre-Training > Diffusion Policy"
# arXiv's answer: (published, first author, abstract, comment). Eurekon's first version is dated
# December 2023 though its identifier says January 2024: arXiv's own date must win.
ARXIV: dict[str, tuple[str, str, str, str | None]] = {
    "eurekon": ("2023-12-29T10:00:00Z", "Jason Ma", "An abstract.", None),
    "rewardclip": ("2023-10-19T10:00:00Z", "Juan Rocha", "An abstract.", None),
    "octopolicy": ("2024-03-15T10:00:00Z", "Ann Tan", "An abstract.", None),
    "visuodiff": (
        "2023-03-07T10:00:00Z",
        "Cheng Chi",
        "An abstract.",
        "Project page: https://visuo.github.io/ code at github.com/visuo/diff",
    ),
    "dppo": (
        "2024-09-01T10:00:00Z",
        "Allen Ren",
        "An abstract.",
        "Code: https://github.com/irom-lab/dppo.",
    ),
    "simplevla": ("2025-09-11T10:00:00Z", "Hao Li", "Unlike diffusion policies, VLAs scale.", None),
    "steerer": (
        "2025-05-05T10:00:00Z",
        "Jane Doe",
        "We steer a diffusion policy with feedback. Code: https://github.com/lab/steerer",
        None,
    ),
    "embodied": (
        "2025-05-20T10:00:00Z",
        "Bo Wu",
        "We fine-tune a vision-language-action model.",
        None,
    ),
    "agnostic": ("2024-12-02T10:00:00Z", "Max Sobol", "An LLM guides a diffusion policy.", None),
}
DIFFUSION_TABLE = "Diffusion_Models_for_RL_Table"
VLM_TABLE = "Vision_Language_Models_for_RL_Table"
WORKBOOKS: dict[str, list[list[Any]]] = {
    DIFFUSION_TABLE: [
        HEADER,
        ["doe2025steerer", "Steerer", "Diffusion Model", "N/A", "D4RL", "Steering", "Simulation"],
        [
            "tan2024octopolicy",
            "Octopolicy",
            "Diffusion Model",
            "Yes",
            "N/A",
            "Manipulation",
            "Real",
        ],
        ["chi2023visuodiff", "Visuodiff", "Diffusion Model", None, "Robomimic", "Policy", "Both"],
    ],
    VLM_TABLE: [
        HEADER,
        [
            "rocha2023rewardclip",
            "Rewardclip",
            "World Model,LLM, VLM",
            "Yes",
            "N/A",
            "Rewards",
            "Real",
        ],
    ],
}


def make_source(root: Path) -> Path:
    """Write the fixture list and workbooks into *root*/source and return that directory."""
    return write_source(root, FACTS_LIST, WORKBOOKS)


def arxiv_answer(request: RecordedRequest) -> FakeResponse:
    """Answer an id_list query from ARXIV, as the arXiv API does."""
    by_id = {KEY[name].split("/", 1)[1]: name for name in ARXIV}
    found = []
    for arxiv_id in request.query.get("id_list", [""])[0].split(","):
        if arxiv_id in by_id:
            name = by_id[arxiv_id]
            published, author, summary, comment = ARXIV[name]
            found.append(
                entry(
                    arxiv_id,
                    title=TITLE[name],
                    published=published,
                    authors=[(author, ())],
                    summary=summary,
                    comment=comment,
                )
            )
    return FakeResponse(body=feed(found), content_type="application/atom+xml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """Build the fixture with arXiv from a local fake API; return the root and the report."""
    root = tmp_path_factory.mktemp("facts")
    with FakeServer() as server:
        server.route(API, arxiv_answer)
        arxiv = ArxivOptions(base_url=server.url_for(API), min_interval=0.01)
        options = BuildOptions(cache_dir=root / "cache", arxiv=arxiv)
        report = run_build(local_source(make_source(root)), root / "store", options)
    assert report.arxiv.not_enriched == [KEY["failure"]]
    assert report.tables.linked == 4
    return root, report


@pytest.fixture(scope="module")
def store(built: tuple[Path, BuildReport]) -> ox.Store:
    """Open the fixture store read-only."""
    return open_store(built[0] / "store")


def facts_graph(store: ox.Store) -> ox.NamedNode:
    """Return the IRI of the facts graph."""
    return ox.NamedNode(BASE + "graph/facts")


def select(store: ox.Store, text: str) -> list[tuple[str, ...]]:
    """Run a SELECT over graph/facts only; return rows of values."""
    query = f"PREFIX genrl: <{GENRL}>\nPREFIX schema: <https://schema.org/>\n{text}"
    results = store.query(query, default_graph=facts_graph(store))
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(t.value if t is not None else "" for t in s) for s in results]


def evidence_of(store: ox.Store, predicate: str) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """Return {(paper, value): [(method, text, confidence), ...]} for facts of *predicate*."""
    found: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for paper, value, method, text, confidence in select(
        store,
        f"SELECT ?p ?v ?m ?t ?c WHERE {{ ?p <{predicate}> ?v ; genrl:evidence ?e . ?e "
        f"genrl:evidenceProperty <{predicate}> ; genrl:evidenceValue ?v ; genrl:evidenceMethod ?m ;"
        " genrl:evidenceText ?t ; genrl:confidence ?c } ORDER BY ?p ?v ?m ?t",
    ):
        found.setdefault((paper, value), []).append((method, text, confidence))
    return found


def link_confidence(store: ox.Store, key: str) -> float:
    """Return the link confidence of the table row with citation key *key*."""
    found = store.query(
        f'SELECT ?c WHERE {{ ?r <{GENRL}citationKey> "{key}" ; <{GENRL}linkConfidence> ?c }}',
        use_default_graph_as_union=True,
    )
    assert isinstance(found, ox.QuerySolutions)
    return float(next(iter(found))["c"].value)


# --------------------------------------------------------------------------- base models


def test_each_paper_gets_only_the_base_models_its_evidence_names(store: ox.Store) -> None:
    steerer_tag = f"{0.9 * link_confidence(store, 'doe2025steerer'):.3f}".rstrip("0").rstrip(".")
    expected = {
        # single-model sections decide; Rewardclip's other table tags (WM, LLM) do not count
        ("eurekon", "llm"): ("section", REWARD + "Learning reward functions with LLMs", "1"),
        ("rewardclip", "vlm"): ("section", REWARD + "VLMs for reward learning", "1"),
        ("dreamforge", "world-model"): (
            "section",
            "Generative Tools for RL > Task > State Representation > "
            "Foundation world models for model-based RL",
            "1",
        ),
        ("octopolicy", "diffusion-model"): ("section", PRE_TRAINING, "1"),
        ("visuodiff", "diffusion-model"): ("section", PRE_TRAINING, "1"),
        # the fine-tuning section is about two models: tags, then title, then abstract decide
        ("steerer", "diffusion-model"): ("table-tag", "Diffusion Model", steerer_tag),
        ("dppo", "diffusion-model"): ("vocabulary", "Diffusion", "0.8"),
        ("simplevla", "transformer-policy"): ("vocabulary", "VLA", "0.8"),  # not its abstract's
        ("embodied", "transformer-policy"): ("vocabulary", "vision-language-action", "0.6"),
    }
    found = evidence_of(store, GENRL + "baseModel")
    assert all(len(evidence) == 1 for evidence in found.values())
    got = {(NAME[p], v.removeprefix(BM)): evidence[0] for (p, v), evidence in found.items()}
    assert got == expected


def test_papers_without_evidence_get_no_base_model(store: ox.Store) -> None:
    # Agnostic's abstract names two models (ambiguous); Failure and Untabled have no text at all.
    having = {p for (p,) in select(store, "SELECT DISTINCT ?p WHERE { ?p genrl:baseModel ?m }")}
    assert having.isdisjoint({PAPER["agnostic"], PAPER["failure"], PAPER["untabled"]})
    assert len(having) == 9


def test_the_table_tag_evidence_names_its_row(store: ox.Store) -> None:
    rows_ = select(
        store,
        "SELECT ?row WHERE { ?e genrl:evidenceMethod 'table-tag' ;"
        " <http://www.w3.org/ns/prov#wasDerivedFrom> ?row }",
    )
    assert rows_ == [(f"{BASE}table-row/{DIFFUSION_TABLE.lower().replace('_', '-')}/2",)]


# --------------------------------------------------------------------------- arXiv month


def test_every_arxiv_paper_has_its_month_from_the_identifier(store: ox.Store) -> None:
    found = evidence_of(store, GENRL + "arxivMonth")
    arxiv = {name: key.split("/")[1] for name, key in KEY.items() if key.startswith("arxiv/")}
    # YYMM of the identifier; Failure too, though arXiv never answered for it
    expected = {
        (PAPER[name], f"20{i[:2]}-{i[2:4]}"): [("identifier", i[:4], "1")]
        for name, i in arxiv.items()
    }
    assert found == expected
    datatypes = select(store, "SELECT DISTINCT (DATATYPE(?m) AS ?d) { ?p genrl:arxivMonth ?m }")
    assert datatypes == [("http://www.w3.org/2001/XMLSchema#gYearMonth",)]


# --------------------------------------------------------------------------- code


def test_code_repositories_with_where_they_were_found(store: ox.Store) -> None:
    found = evidence_of(store, "https://schema.org/codeRepository")
    assert {(p, v): [m for m, _, _ in e] for (p, v), e in found.items()} == {
        (PAPER["dppo"], "https://github.com/irom-lab/dppo"): ["arxiv-comment"],
        (PAPER["visuodiff"], "https://github.com/visuo/diff"): ["arxiv-comment"],
        (PAPER["steerer"], "https://github.com/lab/steerer"): ["arxiv-abstract"],
        (PAPER["octopolicy"], "https://github.com/octo/policy"): ["listed-link"],
        (PAPER["failure"], "https://github.com/Org/Repo"): ["listed-link"],
    }


def test_a_repository_makes_code_available_unless_a_table_says_no(store: ox.Store) -> None:
    available = {
        p
        for (p,) in select(
            store,
            f"SELECT ?p WHERE {{ ?p genrl:codeAvailability <{BASE}code-availability/available> }}",
        )
    }
    # Steerer's table row says N/A: its repository does not override the table.
    assert available == {PAPER[n] for n in ("dppo", "visuodiff", "octopolicy", "failure")}


def test_the_report_counts_every_fact(built: tuple[Path, BuildReport]) -> None:
    report = built[1].section(FactsReport)
    assert report.papers == 12
    assert report.base_model_by == {
        "section": 5,
        "table-tag": 1,
        "vocabulary-title": 2,
        "vocabulary-abstract": 1,
        "none": 3,
    }
    assert report.base_model_triples == 9
    assert report.year_by == {"arxiv": 9, "identifier": 1, "list-marker": 1, "none": 1}
    assert report.arxiv_months == 10
    assert report.code_repositories == 5
    assert report.repositories_by == {"arxiv-comment": 2, "arxiv-abstract": 1, "listed-link": 2}
    assert (report.code_available_in_tables, report.code_available_added) == (2, 3)
    assert report.code_conflicts == [KEY["steerer"]]
    assert report.modalities == 6


# --------------------------------------------------------------------------- modalities


def test_modalities_are_inferred_from_the_base_models_profiles(store: ox.Store) -> None:
    inputs = evidence_of(store, GENRL + "inputModality")
    outputs = evidence_of(store, GENRL + "outputModality")
    diffusion = ("octopolicy", "visuodiff", "dppo", "steerer")
    assert {(p, v) for p, v in inputs} == {(PAPER["eurekon"], MOD + "text")} | {
        (PAPER["rewardclip"], MOD + "visual-text")
    } | {(PAPER[n], MOD + "low-level-sensory-data") for n in diffusion}
    assert {(p, v) for p, v in outputs} == {(PAPER["eurekon"], MOD + "text")} | {
        (PAPER["rewardclip"], MOD + "visual-reasoning")
    } | {(PAPER[n], MOD + "low-level-control-actions") for n in diffusion}
    [(method, text, confidence)] = inputs[(PAPER["dppo"], MOD + "low-level-sensory-data")]
    assert (method, text, confidence) == (
        "modality-profile",
        "Diffusion Models: Low-level/Sensory Data",
        "0.8",  # as sure as DPPO's base model (its title)
    )


# --------------------------------------------------------------------------- determinism


def test_a_rebuild_gives_the_same_facts(built: tuple[Path, BuildReport]) -> None:
    root = built[0]
    options = BuildOptions(cache_dir=root / "cache", arxiv=ArxivOptions(offline=True))
    first, _ = build_graphs(local_source(root / "source"), options)
    second, _ = build_graphs(local_source(root / "source"), options)
    facts = [str(q) for q in first["facts"]]
    assert facts == [str(q) for q in second["facts"]] and len(facts) > 100
    stored = open_store(root / "store")
    assert set(facts) == {
        str(q) for q in stored.quads_for_pattern(None, None, None, facts_graph(stored))
    }


# --------------------------------------------------------------------------- saved queries


def test_papers_by_base_model_shows_the_evidence(store: ox.Store) -> None:
    result = rows(store, "papers-by-base-model")  # default: diffusion model
    got = {r["title"]: (r["method"], r["evidence"], r["confidence"]) for r in result}
    assert got == {
        TITLE["octopolicy"]: ("section", PRE_TRAINING, "1"),
        TITLE["visuodiff"]: ("section", PRE_TRAINING, "1"),
        TITLE["steerer"]: ("table-tag", "Diffusion Model", got[TITLE["steerer"]][2]),
        TITLE["dppo"]: ("vocabulary", "Diffusion", "0.8"),
    }
    assert [r["title"] for r in result][:2] == [TITLE["octopolicy"], TITLE["visuodiff"]]
    assert [float(r["confidence"]) for r in result] == sorted(
        (float(r["confidence"]) for r in result), reverse=True
    )
    assert {r["baseModel"] for r in result} == {BM + "diffusion-model"}
    llm = rows(store, "papers-by-base-model", baseModel=BM + "llm")
    assert [(r["title"], r["method"]) for r in llm] == [(TITLE["eurekon"], "section")]


def test_papers_with_code_repository(store: ox.Store) -> None:
    result = rows(store, "papers-with-code-repository")
    assert [(r["title"], r["repository"], r["foundIn"], r["code"]) for r in result] == [
        (TITLE["dppo"], "https://github.com/irom-lab/dppo", "arxiv-comment", "Available"),
        (TITLE["failure"], "https://github.com/Org/Repo", "listed-link", "Available"),
        (TITLE["octopolicy"], "https://github.com/octo/policy", "listed-link", "Available"),
        (TITLE["steerer"], "https://github.com/lab/steerer", "arxiv-abstract", "Not available"),
        (TITLE["visuodiff"], "https://github.com/visuo/diff", "arxiv-comment", "Available"),
    ]


@pytest.mark.parametrize(
    ("modality", "expected"),
    [
        # Visual + Text is related to Vision: VLM papers take visual input
        ("vision", [("rewardclip", "Visual and text", "Vision-language model")]),
        (
            "text",
            [
                ("eurekon", "Text", "Large language model"),
                ("rewardclip", "Visual and text", "Vision-language model"),
            ],
        ),
        (
            "low-level-sensory-data",
            [
                (name, "Low-level sensory data", "Diffusion model")
                for name in ("dppo", "octopolicy", "steerer", "visuodiff")  # by title
            ],
        ),
        ("video", []),
    ],
)
def test_papers_by_input_modality(
    store: ox.Store, modality: str, expected: list[tuple[str, str, str]]
) -> None:
    result = rows(store, "papers-by-input-modality", modality=MOD + modality)
    assert [(r["paper"], r["inputs"], r["baseModels"]) for r in result] == [
        (PAPER[name], inputs, models) for name, inputs, models in expected
    ]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        # Octopolicy: section diffusion, code Yes, Real. Visuodiff: code only from its arXiv
        # comment's repository, Both. Steerer: table says no code. DPPO: no setting.
        (None, [("octopolicy", "2024"), ("visuodiff", "2023")]),
        ("2024", [("octopolicy", "2024")]),
        ("2025", []),
    ],
)
def test_showcase_query(
    store: ox.Store, since: str | None, expected: list[tuple[str, str]]
) -> None:
    params = {"since": since} if since else {}
    result = rows(store, "diffusion-policies-with-code-on-real-robots", **params)
    assert [(r["paper"], r["year"], r["since"]) for r in result] == [
        (PAPER[name], year, since or "2023") for name, year in expected
    ]


BY_TASK = {
    ("Reward signal", "Large language model"): 1,  # Eurekon
    ("Reward signal", "Vision-language model"): 1,  # Rewardclip
    ("State representation", "World model"): 1,  # Dreamforge
    ("Policy pre-training", "Diffusion model"): 2,  # Octopolicy, Visuodiff
    ("Policy fine-tuning", "Diffusion model"): 2,  # DPPO, Steerer
    ("Policy fine-tuning", "Transformer policy"): 2,  # SimpleVLA-RL, Embodied
}


def test_task_by_base_model_counts_each_paper_once_per_own_model(store: ox.Store) -> None:
    result = rows(store, "task-by-base-model")
    assert {(r["taskLabel"], r["baseModelLabel"]): int(r["papers"]) for r in result} == BY_TASK


def test_task_by_base_model_with_tags_adds_the_tables_tags(store: ox.Store) -> None:
    result = rows(store, "task-by-base-model-with-tags")
    expected = BY_TASK | {
        ("Reward signal", "Large language model"): 2,  # + Rewardclip's LLM tag
        ("Reward signal", "World model"): 1,  # Rewardclip's World Model tag
    }
    assert {(r["taskLabel"], r["baseModelLabel"]): int(r["papers"]) for r in result} == expected


def test_papers_per_dimension_and_base_model(store: ox.Store) -> None:
    result = rows(store, "papers-per-dimension-and-base-model")
    assert [(r["dimensionLabel"], r["baseModelLabel"], r["papers"]) for r in result] == [
        ("Generative Tools for RL", "Large language model", "1"),
        ("Generative Tools for RL", "Vision-language model", "1"),
        ("Generative Tools for RL", "World model", "1"),
        ("RL for Generative Policies", "Diffusion model", "4"),
        ("RL for Generative Policies", "Transformer policy", "2"),
    ]


def test_papers_with_code_by_base_model(store: ox.Store) -> None:
    result = rows(store, "papers-with-code-by-base-model")
    assert [(r["baseModelLabel"], r["papers"], set(r["titles"].split(" | "))) for r in result] == [
        ("Diffusion model", "3", {TITLE[n] for n in ("octopolicy", "visuodiff", "dppo")}),
        ("Vision-language model", "1", {TITLE["rewardclip"]}),  # its table row says Yes
    ]


def test_year_queries_fall_back_to_the_identifier_then_the_marker(store: ox.Store) -> None:
    per_year = rows(store, "papers-per-arxiv-year")
    # 2023: Eurekon (arXiv's date, not its 2401 identifier), Rewardclip, Visuodiff;
    # 2024: DPPO, Octopolicy, Agnostic, Failure (identifier); 2025: SimpleVLA-RL, Steerer,
    # Embodied, Untabled ((2025)! marker). Dreamforge has no year.
    assert [(r["year"], r["papers"]) for r in per_year] == [
        ("2023", "3"),
        ("2024", "4"),
        ("2025", "4"),
    ]
    trend = rows(store, "papers-per-year-and-base-model")
    assert [(r["year"], r["baseModel"].removeprefix(BM), r["papers"]) for r in trend] == [
        ("2023", "diffusion-model", "1"),  # Visuodiff
        ("2023", "llm", "1"),  # Eurekon
        ("2023", "vlm", "1"),  # Rewardclip
        ("2024", "diffusion-model", "2"),  # DPPO, Octopolicy
        ("2025", "diffusion-model", "1"),  # Steerer
        ("2025", "transformer-policy", "2"),  # SimpleVLA-RL, Embodied
    ]


def test_taxonomy_tree_counts_the_base_model_and_modality_branches(store: ox.Store) -> None:
    counts = {r["concept"]: int(r["papers"]) for r in rows(store, "taxonomy-tree")}
    assert counts["generative-tools-for-rl"] == 3  # Eurekon, Rewardclip, Dreamforge
    assert counts["base-model"] == 3  # each has a base model
    assert counts["modality"] == 2  # the world model has no row in this Modality table
    assert counts["rl-for-generative-policies"] == 9


# --------------------------------------------------------------------------- the real list


def _gold() -> dict[str, list[dict[str, str]]]:
    """The hand-checked labels of each paper key (tests/data/base-model-gold.csv)."""
    with GOLD_FILE.open(newline="", encoding="utf-8") as handle:
        found: dict[str, list[dict[str, str]]] = {}
        for row in csv.DictReader(handle):
            found.setdefault(row["key"], []).append(row)
    return found


@pytest.fixture(scope="module")
def real_store(upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Build the pinned snapshot offline (arXiv asked in offline mode, empty cache)."""
    root = tmp_path_factory.mktemp("real")
    options = BuildOptions(cache_dir=root / "cache", arxiv=ArxivOptions(offline=True))
    run_build(local_source(upstream_dir), root / "store", options)
    return open_store(root / "store")


@pytest.mark.slow
@pytest.mark.upstream
def test_resolver_precision_through_the_whole_build(real_store: ox.Store) -> None:
    gold = _gold()
    results = real_store.query(
        f"SELECT ?p ?m {{ ?p <{GENRL}baseModel> ?m }}", use_default_graph_as_union=True
    )
    assert isinstance(results, ox.QuerySolutions)
    pairs = [tuple(t.value if t is not None else "" for t in s) for s in results]
    assigned = {
        (paper.removeprefix(BASE + "paper/"), model.removeprefix(BM)) for paper, model in pairs
    }
    assigned = {(key, model) for key, model in assigned if key in gold}
    labels = {(k, r["base_model"]) for k, rs in gold.items() for r in rs if r["basis"] != "none"}
    keyword = {
        (k, r["base_model"]) for k, rs in gold.items() for r in rs if r["basis"] == "keyword"
    }
    assert assigned and assigned <= labels  # precision 1.0
    assert keyword <= assigned


@pytest.mark.slow
@pytest.mark.upstream
def test_real_matrix_counts_fine_tuning_papers_once_per_own_model(real_store: ox.Store) -> None:
    matrix = {
        (r["taskLabel"], r["baseModel"].removeprefix(BM)): int(r["papers"])
        for r in rows(real_store, "task-by-base-model")
    }
    gold = _gold()
    tuning = [r for rs in gold.values() for r in rs if r["section"] == "fine-tuning"]
    keyword = Counter(r["base_model"] for r in tuning if r["basis"] == "keyword")
    labelled = Counter(r["base_model"] for r in tuning if r["basis"] != "none")
    got = {m: n for (t, m), n in matrix.items() if t == "Policy fine-tuning"}
    assert got.keys() <= labelled.keys()
    for model in labelled:
        assert keyword[model] <= got.get(model, 0) <= labelled[model], model
    assert (got["diffusion-model"], got["transformer-policy"]) != (22, 22)


@pytest.mark.slow
@pytest.mark.upstream
def test_real_list_answers_offline(
    real_store: ox.Store, upstream_dir: Path, tmp_path: Path
) -> None:
    from genrl_kg.plots import plot_trends

    text = (upstream_dir / "README.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", text, re.IGNORECASE))
    ids |= set(re.findall(r"10\.48550/arXiv\.(\d{4}\.\d{4,5})", text, re.IGNORECASE))
    months = rows(real_store, "papers-per-arxiv-year")
    assert sum(int(r["papers"]) for r in months) >= len(ids)
    showcase = rows(real_store, "diffusion-policies-with-code-on-real-robots")
    assert "Diffusion Policy: Visuomotor Policy Learning via Action Diffusion" in {
        r["title"] for r in showcase
    }
    assert all(int(r["year"]) >= int(r["since"]) for r in showcase)
    assert plot_trends(real_store, tmp_path / "trends.svg")
    tree = {r["concept"]: int(r["papers"]) for r in rows(real_store, "taxonomy-tree")}
    assert 0 < tree["modality"] <= tree["base-model"] <= tree["generative-tools-for-rl"]
