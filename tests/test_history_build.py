"""``build --history``: graph/history, its saved queries, diff, the Atom feed, growth and stats.

A fixture history is made here (git init, commits with chosen dates); every expected value is
written from that plan by hand. Tests over ../shared/upstream/history.bundle skip without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import feedparser
import pyoxigraph as ox
import pytest
from fake_servers import closed_port_url
from test_build_cli import assert_one_error, run_cli
from test_queries import rows

from genrl_kg.build import BuildOptions, build_graphs
from genrl_kg.sources.history import checkout_version, read_history
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed on this machine")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLE = PROJECT_ROOT.parent / "shared" / "upstream" / "history.bundle"
BASE = "https://w3id.org/genrl-kg/"
TAX = BASE + "taxonomy/"
GENRL = "https://w3id.org/genrl-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
UPSTREAM = "abcd4444" + "0" * 32
NO_TITLE = "- [[paper]](https://arxiv.org/abs/2401.00009)"
OCTO = "Octo: An Open-Source Generalist Robot Policy"
E_TITLE = 'Paper E: "Safe" & Sound'

HEAD = "# Fixture list\n\n## Generative Tools for RL\n\n### Task\n\n#### Reward Signal\n\n"
V1 = f"""{HEAD}##### 1.Learning reward functions with LLMs
- Paper A: Reward Learning

## Old Ideas
- Paper B [[paper]](https://ieeexplore.ieee.org/abstract/document/11080043)

## RL for Generative Policies

### RL Pre-Training

#### 2.Diffusion Policy
- Paper D [[paper]](https://arxiv.org/abs/2502.00002)
"""
V2 = f"""{HEAD}##### 1.Learning reward functions with LLMs
- Paper A: Reward Learning [[paper]](https://arxiv.org/abs/2301.00001)
- Paper B [[paper]](https://ieeexplore.ieee.org/abstract/document/11080043)
{NO_TITLE}

##### 2.VLMs for reward learning
- Paper C [[paper]](https://openreview.net/forum?id=abcDEF123)

## RL for Generative Policies

### RL Pre-Training

#### 2.Diffusion Policy
- Paper D [[paper]](https://arxiv.org/abs/2502.00002)
- {OCTO} [[paper]](https://arxiv.org/abs/2405.12213)
"""
V3 = f"""{HEAD}##### 1.Learning reward functions with LLMs
- Paper A: Reward Learning with LLMs [[paper]](https://arxiv.org/abs/2301.00001)
- Paper B [[paper]](https://ieeexplore.ieee.org/abstract/document/11080043)

##### 2.VLMs for reward learning
- Paper C [[paper]](https://openreview.net/forum?id=abcDEF123)

####   Planning & Exploration

##### 4.Diffusion models for planning and exploration
- Paper D [[paper]](https://arxiv.org/pdf/2502.00002v2)

## RL for Generative Policies

### RL Pre-Training

#### 2.Diffusion Policy
- {OCTO} [[paper]](https://arxiv.org/abs/2405.12213)

### Policy Safety (new!)
- {E_TITLE} [[paper]](https://robot-e.github.io/)
"""
V4 = (
    V3.replace(
        "##### 1.Learning reward functions with LLMs",
        "##### 1. Learning Reward Functions with LLMs",
    )
    .replace(f"- {OCTO} [[paper]](https://arxiv.org/abs/2405.12213)\n", "")
    .replace(
        "- Paper C [[paper]](https://openreview.net/forum?id=abcDEF123)\n",
        "- Paper C [[paper]](https://openreview.net/forum?id=abcDEF123)\n" * 2,
    )
    + "- (2025)! Paper F [[paper]](https://arxiv.org/abs/2403.00003)\n"
)
TABLE = "Diffusion policies Table.xlsx"
# (label, date of author and committer, files (None deletes), message), oldest first.
COMMITS: list[tuple[str, str, dict[str, str | bytes | None], str]] = [
    ("V1", "2024-08-17T10:00:00+02:00", {"README.md": V1}, "Initial list"),
    ("V2", "2024-11-05T09:00:00+00:00", {"README.md": V2}, "Links"),
    ("T1", "2025-01-10T12:00:00+00:00", {TABLE: b"PK-not-a-workbook"}, "Add files via upload"),
    ("V3", "2025-03-07T12:00:00-05:00", {"README.md": V3}, "Update README.md"),
    (
        "V4",
        "2025-06-11T08:30:00+02:00",
        {"README.md": V4, TABLE: None},
        f"New\n\nUpstream-Commit: {UPSTREAM}",
    ),
]
DATE = {label: date for label, date, _, _ in COMMITS}
WHEN = {label: datetime.fromisoformat(date) for label, date in DATE.items()}
PAPER = {
    "A": "arxiv/2301.00001",
    "B": "ieee/11080043",
    "C": "openreview/abcDEF123",
    "D": "arxiv/2502.00002",
    "E": "web/robot-e.github.io",
    "F": "arxiv/2403.00003",
    "Octo": "arxiv/2405.12213",
}
IRI = {name: f"{BASE}paper/{key}" for name, key in PAPER.items()}
FIRST = {"A": "V1", "B": "V1", "D": "V1", "C": "V2", "E": "V3", "F": "V4"}
# (paper, version, from concepts, to concepts); V4 renames a heading of the same concept: no move.
MOVES = {
    ("B", "V2", (BASE + "taxonomy/old-ideas",), (TAX + "learning-reward-functions-with-llms",)),
    (
        "D",
        "V3",
        (TAX + "diffusion-policy",),
        (TAX + "diffusion-models-for-planning-and-exploration",),
    ),
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in *repo* and return its stdout."""
    assert GIT is not None
    out = subprocess.run(
        [GIT, *args], cwd=repo, env={**os.environ, **(env or {})}, check=True, capture_output=True
    )
    return out.stdout.decode()


def commit(repo: Path, files: dict[str, str | bytes | None], message: str, date: str) -> str:
    """Write *files* and commit them with author and committer date *date*; return the hash."""
    for name, content in files.items():
        if content is None:
            (repo / name).unlink()
        else:
            (repo / name).write_bytes(content.encode() if isinstance(content, str) else content)
    git(repo, "add", "-A")
    env = {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": "Cy",
        "GIT_COMMITTER_EMAIL": "cy@example.org",
        "GIT_COMMITTER_DATE": date,
    }
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def make_repo(
    path: Path, commits: list[tuple[str, str, dict[str, str | bytes | None], str]]
) -> dict[str, str]:
    """Create a repository at *path* with *commits*; return the hash of each label."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    return {label: commit(path, files, msg, date) for label, date, files, msg in commits}


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """Run a SELECT over the union graph; return rows of lexical values ('' when unbound)."""
    prefixes = f"PREFIX genrl: <{GENRL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
    prefixes += "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    results = store.query(prefixes + query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    return [tuple(t.value if t is not None else "" for t in s) for s in results]


def when(value: str) -> datetime:
    """Return an xsd:dateTime's lexical form as an aware datetime (``Z`` and ``+00:00`` alike)."""
    return datetime.fromisoformat(value)


def timed(store: ox.Store, query: str) -> list[tuple[str | datetime, ...]]:
    """Run :func:`select` and turn every dateTime value into a datetime."""
    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}T")
    return [tuple(when(v) if pattern.match(v) else v for v in row) for row in select(store, query)]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Return the fixture history and the hash of each commit label."""
    root = tmp_path_factory.mktemp("history-build")
    return root / "list", make_repo(root / "list", COMMITS)


@pytest.fixture(scope="module")
def built(repo: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture history through the CLI; return the store directory."""
    root = tmp_path_factory.mktemp("history-store")
    proc = run_cli(
        "build",
        "--history",
        repo[0],
        "--store",
        root / "store",
        "--cache",
        root / "cache",
        "--no-enrich",
    )
    assert proc.returncode == 0, proc.stderr
    assert "history: 4 versions of the list (5 commits)" in proc.stdout
    return root / "store"


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    """Open the fixture history's store."""
    return open_store(built)


# --------------------------------------------------------------------------- the history graph


def test_every_version_is_a_list_version_node(
    store: ox.Store, repo: tuple[Path, dict[str, str]]
) -> None:
    path, hashes = repo
    readme_commits = git(path, "log", "--reverse", "--format=%H", "--", "README.md").split()
    assert readme_commits == [hashes[v] for v in ("V1", "V2", "V3", "V4")]
    found = timed(
        store,
        """SELECT ?c ?date ?e ?p ?up WHERE { ?v a genrl:ListVersion ; genrl:commit ?c ;
        dcterms:date ?date ; genrl:entryCount ?e ; genrl:paperCount ?p .
        OPTIONAL { ?v genrl:upstreamCommit ?up } } ORDER BY ?date""",
    )
    # entries / papers counted by hand: V2's bullet without a title is no entry; V4 lists C twice.
    counts = {"V1": ("3", "3"), "V2": ("5", "5"), "V3": ("6", "6"), "V4": ("7", "6")}
    assert found == [
        (hashes[v], WHEN[v], *counts[v], UPSTREAM if v == "V4" else "")
        for v in ("V1", "V2", "V3", "V4")
    ]
    types = select(store, "SELECT ?t WHERE { ?v genrl:commit ?c . FILTER(isLiteral(?c)) ?v a ?t }")
    assert {t for (t,) in types} == {GENRL + "ListVersion"}


def test_current_papers_get_first_listed_date_and_version(
    store: ox.Store, repo: tuple[Path, dict[str, str]]
) -> None:
    found = timed(
        store,
        """SELECT ?paper ?first ?c WHERE { ?paper a genrl:Paper ;
        genrl:firstListed ?first ; genrl:firstListedIn/genrl:commit ?c } ORDER BY ?paper""",
    )
    expected = sorted((IRI[p], WHEN[v], repo[1][v]) for p, v in FIRST.items())
    assert found == expected
    datatype = select(
        store, "SELECT (DATATYPE(?d) AS ?t) WHERE { ?p genrl:firstListed ?d } LIMIT 1"
    )
    assert datatype == [("http://www.w3.org/2001/XMLSchema#dateTime",)]


def test_delisted_paper_is_never_a_current_paper(
    store: ox.Store, repo: tuple[Path, dict[str, str]]
) -> None:
    octo = IRI["Octo"]
    types = {t for (t,) in select(store, f"SELECT ?t WHERE {{ <{octo}> a ?t }}")}
    assert types == {GENRL + "DelistedPaper"}
    found = timed(
        store,
        f"""SELECT ?title ?id ?first ?delisted ?last WHERE {{ <{octo}> dcterms:title ?title ;
        genrl:arxivId ?id ; genrl:firstListed ?first ; genrl:delistedOn ?delisted ;
        genrl:lastListedIn/genrl:commit ?last }}""",
    )
    assert found == [(OCTO, "2405.12213", WHEN["V2"], WHEN["V4"], repo[1]["V3"])]
    papers = {p for (p,) in select(store, "SELECT ?p WHERE { ?p a genrl:Paper }")}
    assert papers == {IRI[p] for p in FIRST}


def test_moves_and_retitles_are_dated_changes(
    store: ox.Store, repo: tuple[Path, dict[str, str]]
) -> None:
    hashes = repo[1]
    moves = select(
        store,
        """SELECT ?paper ?c (GROUP_CONCAT(DISTINCT STR(?from)) AS ?f) (GROUP_CONCAT(DISTINCT STR(?to)) AS ?t)
        WHERE { ?paper genrl:change ?m . ?m a genrl:SectionMove ; genrl:inVersion/genrl:commit ?c .
        OPTIONAL { ?m genrl:fromSection ?from } OPTIONAL { ?m genrl:toSection ?to } } GROUP BY ?paper ?c""",
    )
    assert set(moves) == {(IRI[p], hashes[v], " ".join(f), " ".join(t)) for p, v, f, t in MOVES}
    retitles = select(
        store,
        """SELECT ?paper ?c ?from ?to WHERE { ?paper genrl:change ?r .
        ?r a genrl:Retitle ; genrl:inVersion/genrl:commit ?c ; genrl:fromTitle ?from ; genrl:toTitle ?to }""",
    )
    assert retitles == [
        (IRI["A"], hashes["V3"], "Paper A: Reward Learning", "Paper A: Reward Learning with LLMs")
    ]


def test_past_section_is_a_concept_outside_the_taxonomy_scheme(store: ox.Store) -> None:
    old = BASE + "taxonomy/old-ideas"
    assert select(store, f"SELECT ?l WHERE {{ <{old}> skos:prefLabel ?l }}") == [("Old Ideas",)]
    assert select(store, f"SELECT ?s WHERE {{ <{old}> skos:inScheme ?s }}") == []
    assert old not in {r["concept"] for r in rows(store, "taxonomy-tree")}


def test_queries_about_the_current_list_do_not_count_delisted_papers(store: ox.Store) -> None:
    per_category = {r["category"]: int(r["papers"]) for r in rows(store, "papers-per-category")}
    # V4 by hand: A, B under reward functions; C under VLMs; D planning; E, F policy safety.
    assert per_category == {
        "learning-reward-functions-with-llms": 2,
        "vlms-for-reward-learning": 1,
        "diffusion-models-for-planning-and-exploration": 1,
        "policy-safety": 2,
    }
    assert "diffusion-policy" not in per_category  # only the delisted Octo was left there


# --------------------------------------------------------------------------- saved queries


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2025-01-01", ["F", "E"]),
        ("2025-06-11", ["F"]),
        ("2025-06-12", []),
        ("2024-01-01", ["F", "E", "C", "A", "B", "D"]),
    ],
)
def test_papers_added_since(store: ox.Store, since: str, expected: list[str]) -> None:
    found = rows(store, "papers-added-since", since=since)
    # Newest first; A, B and D share V1's date and follow by title.
    assert [r["paper"] for r in found] == [IRI[p] for p in expected]
    assert all(r["since"] == since for r in found)


def test_list_growth_is_cumulative_per_month(store: ox.Store) -> None:
    found = [(r["month"], int(r["added"]), int(r["papers"])) for r in rows(store, "list-growth")]
    # First listed: A, B, D in 2024-08; C in 2024-11; E in 2025-03; F in 2025-06 (Octo is gone).
    assert found == [("2024-08", 3, 3), ("2024-11", 1, 4), ("2025-03", 1, 5), ("2025-06", 1, 6)]


def test_list_growth_by_dimension(store: ox.Store) -> None:
    found = [
        (r["dimensionLabel"], r["month"], int(r["added"]), int(r["papers"]))
        for r in rows(store, "list-growth-by-dimension")
    ]
    tools, policies = "Generative Tools for RL", "RL for Generative Policies"
    assert found == [
        (tools, "2024-08", 3, 3),  # A, B, D (D is filed under planning now)
        (tools, "2024-11", 1, 4),  # C
        (policies, "2025-03", 1, 1),  # E
        (policies, "2025-06", 1, 2),  # F
    ]


def test_delisted_papers_query(store: ox.Store, repo: tuple[Path, dict[str, str]]) -> None:
    found = rows(store, "delisted-papers")
    assert [
        (r["paper"], r["title"], r["arxivId"], when(r["firstListed"]), r["lastCommit"])
        for r in found
    ] == [(IRI["Octo"], OCTO, "2405.12213", WHEN["V2"], repo[1]["V3"])]
    assert when(found[0]["delistedOn"]) == WHEN["V4"]


def test_section_moves_query(store: ox.Store, repo: tuple[Path, dict[str, str]]) -> None:
    found = rows(store, "section-moves")
    assert [(r["paper"], r["commit"], when(r["date"])) for r in found] == [
        (IRI["B"], repo[1]["V2"], WHEN["V2"]),
        (IRI["D"], repo[1]["V3"], WHEN["V3"]),
    ]
    labels = {
        c: v
        for c, v in select(
            store, "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(LANG(?l) = 'en') }"
        )
    }
    for row, (_, _, before, after) in zip(found, sorted(MOVES, key=lambda m: m[1]), strict=True):
        assert row["fromSections"] == labels[before[0]] and row["toSections"] == labels[after[0]]
    assert found[0]["fromSections"] == "Old Ideas"


# --------------------------------------------------------------------------- stats, feed, plot


@pytest.mark.slow
def test_stats_report_the_history(built: Path, repo: tuple[Path, dict[str, str]]) -> None:
    proc = run_cli("stats", "--store", built)
    assert proc.returncode == 0, proc.stderr
    assert "history              4 versions of the list read (5 commits)" in proc.stdout
    assert "first listed       2024: 4, 2025: 2  (6 current papers)" in proc.stdout
    assert "delisted papers    1" in proc.stdout
    line = V2.splitlines().index(NO_TITLE) + 1
    problems = re.findall(r"^  problem (\w+) lines? ([\d, -]+): (.*)$", proc.stdout, re.M)
    v2 = [(lines, msg) for short, lines, msg in problems if short == repo[1]["V2"][:7]]
    assert any(str(line) in lines.split(", ") and "no title" in msg for lines, msg in v2), (
        proc.stdout
    )
    assert not any(short in (repo[1]["V3"][:7], repo[1]["V4"][:7]) for short, _, _ in problems)
    data = json.loads(run_cli("stats", "--store", built, "--json").stdout)["build"]["history"]
    assert data["first_listed_per_year"] == {"2024": 4, "2025": 2}
    assert set(data["timings"]) == {"read", "parse", "track", "convert"}


def test_atom_feed_lists_newest_first(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "new-papers.atom"
    proc = run_cli("export", "--store", built, "--format", "atom", "-o", out)
    assert proc.returncode == 0, proc.stderr
    feed = feedparser.parse(out.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    # Newest first; A, D and B share V1's date and follow in IRI order.
    order = ["F", "E", "C", "A", "D", "B"]
    assert [e.id for e in feed.entries] == [IRI[p] for p in order]
    entries = {e.id: e for e in feed.entries}
    assert entries[IRI["E"]].title == E_TITLE
    assert entries[IRI["F"]].link == IRI["F"]
    related = {link.href for link in entries[IRI["F"]].links if link.rel == "related"}
    assert related == {"https://arxiv.org/abs/2403.00003"}
    assert [t.term for t in entries[IRI["F"]].tags] == [TAX + "policy-safety"]
    assert entries[IRI["F"]].published == "2025-06-11T06:30:00Z"  # 08:30 at +02:00
    assert feed.feed.updated == "2025-06-11T06:30:00Z"
    from genrl_kg.feeds import atom_feed

    assert atom_feed(open_store(built), BASE) == out.read_bytes()  # the same bytes every time


def test_atom_feed_escapes_markup_and_drops_control_characters() -> None:
    from genrl_kg.feeds import atom_feed

    store, graph = ox.Store(), ox.NamedNode(BASE + "graph/list")
    paper = ox.NamedNode(BASE + "paper/title/x")
    dated = ox.Literal("2025-01-02T03:04:05+01:00", datatype=ox.NamedNode(XSD + "dateTime"))
    for predicate, value in (
        (RDF_TYPE, ox.NamedNode(GENRL + "Paper")),
        ("http://purl.org/dc/terms/title", ox.Literal('<b>Bold</b> & \x0bplain "q"')),
        (GENRL + "firstListed", dated),
    ):
        store.add(ox.Quad(paper, ox.NamedNode(predicate), value, graph))
    feed = feedparser.parse(atom_feed(store, "http://127.0.0.1:7878/"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == '<b>Bold</b> & plain "q"'
    assert feed.entries[0].title_detail.type == "text/plain"
    assert feed.entries[0].published == "2025-01-02T02:04:05Z"
    assert feed.feed.id == "http://127.0.0.1:7878/feed.atom"
    empty = feedparser.parse(atom_feed(ox.Store(), "http://127.0.0.1:7878/"))
    assert not empty.bozo and empty.entries == []


@pytest.mark.slow
def test_plot_growth_draws_each_dimension(built: Path, tmp_path: Path) -> None:
    from genrl_kg.plots import ALL_PAPERS, plot_growth

    data = plot_growth(open_store(built), tmp_path / "growth.svg")
    lines = {(r.dimension, r.month, r.papers) for r in data}
    assert lines == {
        ("Generative Tools for RL", "2024-08", 3),
        ("Generative Tools for RL", "2024-11", 4),
        ("RL for Generative Policies", "2025-03", 1),
        ("RL for Generative Policies", "2025-06", 2),
        (ALL_PAPERS, "2024-08", 3),
        (ALL_PAPERS, "2024-11", 4),
        (ALL_PAPERS, "2025-03", 5),
        (ALL_PAPERS, "2025-06", 6),
    }
    plot_growth(open_store(built), tmp_path / "again.svg")
    svg = (tmp_path / "growth.svg").read_bytes()
    assert svg == (tmp_path / "again.svg").read_bytes()
    for text in (b"Papers on the list over time", b"RL for Generative Policies", b"2024-08"):
        assert text in svg
    proc = run_cli("plot", "growth", "--store", built, "-o", tmp_path / "growth.png")
    assert proc.returncode == 0 and (tmp_path / "growth.png").read_bytes()[:4] == b"\x89PNG"


# --------------------------------------------------------------------------- diff


def diff_json(*args: object) -> dict[str, object]:
    """Run ``genrl-kg diff ARGS --json`` and return its answer."""
    proc = run_cli("diff", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def summary(data: dict[str, object]) -> tuple[list[str], list[str], list[str], list[str]]:
    """Return the keys added, removed, moved and retitled in a diff's JSON."""
    return tuple(  # type: ignore[return-value]
        sorted(str(item["key"]) for item in data[name])  # type: ignore[attr-defined]
        for name in ("added", "removed", "moved", "retitled")
    )


V2_TO_V4 = (
    sorted([PAPER["E"], PAPER["F"]]),
    [PAPER["Octo"]],
    [PAPER["D"]],
    [PAPER["A"]],
)


@pytest.mark.slow
def test_diff_two_commits(repo: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    path, hashes = repo
    data = diff_json(hashes["V2"][:7], UPSTREAM[:8], "--history", path, "--cache", tmp_path)
    assert summary(data) == V2_TO_V4
    assert (data["old_papers"], data["new_papers"]) == (5, 6)
    text = run_cli("diff", hashes["V2"][:7], hashes["V4"], "--history", path).stdout
    assert text.splitlines()[0].endswith(": 5 -> 6 papers")
    assert f"- {PAPER['Octo']}  {OCTO}" in text


def test_diff_commits_uses_the_history_of_the_last_build(
    built: Path, repo: tuple[Path, dict[str, str]]
) -> None:
    assert summary(diff_json(repo[1]["V2"][:7], repo[1]["V4"][:7], "--store", built)) == V2_TO_V4


@pytest.mark.slow
def test_diff_folders_and_stores(
    repo: tuple[Path, dict[str, str]], built: Path, tmp_path: Path
) -> None:
    history = read_history(repo[0])
    old = tmp_path / "v2"
    checkout_version(history, repo[1]["V2"], old)
    new = tmp_path / "v4"
    checkout_version(history, repo[1]["V4"], new)
    assert summary(diff_json(old, new)) == V2_TO_V4
    proc = run_cli("build", "--source", old, "--store", tmp_path / "store", "--no-enrich")
    assert proc.returncode == 0, proc.stderr
    assert summary(diff_json(tmp_path / "store", built)) == V2_TO_V4
    assert summary(diff_json(tmp_path / "store", new)) == V2_TO_V4  # a store against a folder


def test_diff_of_a_commit_without_a_history_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("diff", "abc1234", "def5678", "--store", tmp_path / "none")
    assert_one_error(proc, "abc1234", "--history")


# --------------------------------------------------------------------------- build paths


def test_stage_reads_the_history_itself_when_not_handed_one(
    repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    newest = tmp_path / "newest"
    checkout_version(read_history(repo[0]), repo[1]["V4"], newest)
    options = BuildOptions(history_dir=repo[0])
    quads, report = build_graphs(local_source(newest, commit=repo[1]["V4"]), options)
    graph = quads["history"]
    first = ox.NamedNode(GENRL + "firstListed")
    for paper, version in FIRST.items():
        (found,) = graph.objects(ox.NamedNode(IRI[paper]), first)
        assert isinstance(found, ox.Literal) and found.datatype.value.endswith("#dateTime")
        assert when(found.value) == WHEN[version]
    again, _ = build_graphs(local_source(newest, commit=repo[1]["V4"]), options)
    assert list(again["history"]) == list(graph)  # same order, same quads
    assert report.timings["history"] > 0


def test_history_url_is_cloned_into_the_cache(
    repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    proc = run_cli(
        "build",
        "--history",
        repo[0].as_uri(),
        "--store",
        tmp_path / "store",
        "--cache",
        tmp_path / "cache",
        "--no-enrich",
    )
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "cache" / "history").iterdir()] != []
    papers = select(
        open_store(tmp_path / "store"),
        "SELECT ?p WHERE { ?p genrl:firstListed ?d ; a genrl:Paper }",
    )
    assert len(papers) == len(FIRST)


def failing_sources(tmp_path: Path) -> dict[str, tuple[str, dict[str, str], tuple[str, ...]]]:
    """Return (history argument, extra environment, words of the error) for each failure."""
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "README.md").write_text(V1, encoding="utf-8")
    no_readme = tmp_path / "no-readme"
    make_repo(no_readme, [("N", "2024-08-17T10:00:00+00:00", {"notes.txt": "x"}, "Notes")])
    no_git = tmp_path / "bin"
    no_git.mkdir()
    return {
        "no git": (str(plain), {"PATH": str(no_git)}, ("git is not installed",)),
        "not a repository": (str(plain), {}, ("not a git repository", str(plain))),
        "unreachable URL": (closed_port_url("/list.git"), {}, ("cannot clone", "127.0.0.1")),
        "no README": (str(no_readme), {}, ("no README.md in the git history",)),
    }


@pytest.mark.parametrize("case", ["no git", "not a repository", "unreachable URL", "no README"])
def test_failures_are_one_line_and_leave_the_store(built: Path, tmp_path: Path, case: str) -> None:
    source, env, words = failing_sources(tmp_path)[case]
    live = os.readlink(built / "current")
    full = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")} | env
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "genrl_kg.cli",
            "build",
            "--history",
            source,
            "--store",
            str(built),
            "--cache",
            str(tmp_path / "cache"),
            "--no-enrich",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=full,
        cwd=PROJECT_ROOT,
    )
    assert_one_error(proc, *words)
    assert os.readlink(built / "current") == live


@pytest.mark.slow
def test_export_atom_without_history_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "README.md").write_text(V4, encoding="utf-8")
    assert (
        run_cli(
            "build", "--source", source, "--store", tmp_path / "store", "--no-enrich"
        ).returncode
        == 0
    )
    proc = run_cli(
        "export", "--store", tmp_path / "store", "--format", "atom", "-o", tmp_path / "x.atom"
    )
    assert_one_error(proc, "--history")
    assert not (tmp_path / "x.atom").exists()


# --------------------------------------------------------------------------- the real history


def bundle_clone(tmp_path: Path) -> Path:
    """Clone ../shared/upstream/history.bundle into *tmp_path*, or skip when it is absent."""
    if not BUNDLE.is_file():
        pytest.skip(
            f"history bundle not found at {BUNDLE} (needs ../shared/upstream/history.bundle)"
        )
    target = tmp_path / "upstream"
    assert GIT is not None
    subprocess.run([GIT, "clone", "-q", "-b", "main", str(BUNDLE), str(target)], check=True)
    return target


@pytest.mark.slow
def test_real_history_builds(tmp_path: Path) -> None:
    upstream = bundle_clone(tmp_path)
    log = ["log", "--first-parent", "--format=%H"]
    readme_versions = len(git(upstream, *log, "--", "README.md").split())
    commits = len(git(upstream, *log, "--", "README.md", "*.xlsx").split())
    proc = run_cli(
        "build", "--history", upstream, "--store", tmp_path / "store", "--no-enrich", timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert f"history: {readme_versions} versions of the list ({commits} commits)" in proc.stdout
    store = open_store(tmp_path / "store")
    versions = select(store, "SELECT (COUNT(?v) AS ?n) WHERE { ?v a genrl:ListVersion }")
    assert versions == [(str(readme_versions),)]
    unlisted = select(
        store, "SELECT ?p WHERE { ?p a genrl:Paper FILTER NOT EXISTS { ?p genrl:firstListed ?d } }"
    )
    assert unlisted == []
    # Papers with an arXiv link that left the list: ids in some version but not the newest,
    # less those whose title is still listed (a paper relinked elsewhere is not delisted).
    arxiv = re.compile(
        r"(?:arxiv\.org/(?:abs|pdf|html)/|doi\.org/10\.48550/arxiv\.)(\d{4}\.\d{4,5})", re.I
    )
    newest = (upstream / "README.md").read_text(encoding="utf-8")
    ever: dict[str, str] = {}
    for sha in git(upstream, *log, "--", "README.md").split():
        text = git(upstream, "show", f"{sha}:README.md")
        for line in text.splitlines():
            for found in arxiv.findall(line):
                ever[found] = line.split("[")[0].strip("-*! ").strip()
    squash = lambda t: re.sub(r"[^a-z0-9]", "", t.lower())  # noqa: E731
    gone = {
        i
        for i, title in ever.items()
        if i not in newest and squash(title)[:30] not in squash(newest)
    }
    delisted = select(store, "SELECT ?id WHERE { ?p a genrl:DelistedPaper ; genrl:arxivId ?id }")
    assert {i for (i,) in delisted} == gone
