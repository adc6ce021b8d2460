"""Corrupted arXiv and Wikidata cache files (issue 11 #6): each is dropped with one warning that
names it, none of its values reaches the store, and the next online run asks for it again.

Every corrupted file is made here from a good file the cache itself wrote. Corruptions that keep
the file well-formed carry a checksum recomputed by this module (sha256 of the payload's sorted,
compact, ASCII JSON, as documented in genrl_kg/safejson.py), so that the schema check, not the
checksum, is what must stop them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import fake_servers
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest
from test_arxiv import feed
from test_enrich import API, ENTRIES, KEY, PAPER, FakeArxiv, make_source

from genrl_kg.build import ArxivOptions, BuildOptions, BuildReport, run_build
from genrl_kg.build.wikidata import link_wikidata
from genrl_kg.sources.arxiv import ArxivCache, fetch_records, parse_feed
from genrl_kg.sources.upstream import local_source
from genrl_kg.sources.wikidata import WikidataCache
from genrl_kg.sources.wikidata.reconcile import PaperTarget, reconcile_papers
from genrl_kg.store import open_store

fake_server = fake_servers.fake_server  # the fixture

BASE = "https://w3id.org/genrl-kg/"
GENRL = BASE + "ontology#"
ENTITY = "http://www.wikidata.org/entity/"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
TARGET = "2301.00001"  # Paper A: the record whose cache files are corrupted
ITEMS = {"2301.00001": "Q1", "2502.00002": "Q2", "2403.00003": "Q3"}  # what fake Wikidata says
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
DEPTH = 100_000
MARK = "@@nested@@"

Corruption = Callable[[dict[str, Any], bytes], bytes]


# --------------------------------------------------------------------------- corruptions


def checksum(payload: dict[str, Any]) -> str:
    """Return the documented checksum of *payload*, computed independently of the code."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def resigned(change: Callable[[dict[str, Any]], object]) -> Corruption:
    """Return a corruption that edits the payload and writes a matching checksum."""

    def corrupt(content: dict[str, Any], raw: bytes) -> bytes:
        change(content["payload"])
        content["sha256"] = checksum(content["payload"])
        return json.dumps(content).encode()  # ensure_ascii: a lone surrogate becomes \ud800

    return corrupt


def edited(change: Callable[[dict[str, Any]], object]) -> Corruption:
    """Return a corruption that edits the payload and keeps the old checksum."""

    def corrupt(content: dict[str, Any], raw: bytes) -> bytes:
        change(content["payload"])
        return json.dumps(content).encode()

    return corrupt


def nested(place: Callable[[dict[str, Any], str], object]) -> Corruption:
    """Return a corruption that puts arrays nested DEPTH deep into the payload, checksum matching."""

    def corrupt(content: dict[str, Any], raw: bytes) -> bytes:
        place(content["payload"], MARK)
        arrays = "[" * DEPTH + "]" * DEPTH
        canonical = json.dumps(content["payload"], sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.replace(f'"{MARK}"', arrays).encode()).hexdigest()
        content["sha256"] = digest
        return json.dumps(content).replace(f'"{MARK}"', arrays).encode()

    return corrupt


def replaced(payload: dict[str, Any], new: dict[str, Any]) -> None:
    """Replace the whole content of *payload* by *new*."""
    payload.clear()
    payload.update(new)


def only(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the one endpoint's answer of a Wikidata payload."""
    (answer,) = payload["answers"].values()
    return answer


def renamed(payload: dict[str, Any], edit: Callable[[str], str]) -> None:
    """File the one answer of a Wikidata payload under an edited endpoint URL."""
    ((url, answer),) = payload["answers"].items()
    payload["answers"] = {edit(url): answer}


COMMON: dict[str, Corruption] = {
    "a-1-file": lambda c, raw: b'{"a":1}',
    "truncated": lambda c, raw: raw[: len(raw) // 2],
    "binary-garbage": lambda c, raw: bytes(range(255, -1, -1)) * 8,
    "empty-file": lambda c, raw: b"",
    "nan": lambda c, raw: raw.replace(b'"schema"', b'"x": NaN, "schema"'),
}
ARXIV_CORRUPTIONS: dict[str, Corruption] = {
    **COMMON,
    "deep-nesting": nested(lambda p, mark: p.update(title=mark)),
    "lone-surrogate": resigned(lambda p: p.update(title="Paper \ud800 A")),
    "invalid-iri": resigned(lambda p: p.update(pdf_url="http://arxiv.org/pdf/2301 00001<v1>")),
    "wrong-shape": resigned(lambda p: p.update(authors={"name": "Alice Smith"})),
    "a-1-payload": resigned(lambda p: replaced(p, {"a": 1})),
    "checksum-mismatch": edited(lambda p: p.update(title="Paper A, tampered")),
    "control-character": resigned(lambda p: p.update(title="Paper \x1b[2J A")),
    "number-as-string": resigned(lambda p: p.update(version="1")),
    "unicode-digits-id": resigned(lambda p: p.update(arxiv_id="2301.0000\u0661")),
    "category-not-iri-safe": resigned(lambda p: p.update(categories=["cs.LG", "cs LG"])),
    "pdf-url-not-http": resigned(lambda p: p.update(pdf_url="javascript:alert(1)")),
    "record-of-another-id": resigned(lambda p: p.update(arxiv_id="2403.00003")),
    "retrieved-in-future": resigned(lambda p: p.update(retrieved="2999-01-01T00:00:00+00:00")),
}
WIKIDATA_CORRUPTIONS: dict[str, Corruption] = {
    **COMMON,
    "deep-nesting": nested(lambda p, mark: only(p).update(value=mark)),
    "lone-surrogate": resigned(lambda p: renamed(p, lambda url: url + "\ud800")),
    "invalid-iri": resigned(lambda p: renamed(p, lambda url: url.replace("/sparql", "/sp arql"))),
    "wrong-shape": resigned(lambda p: only(p).update(value=[{"item": "Q1"}])),
    "a-1-answer": resigned(lambda p: only(p).update(value={"a": 1})),
    "checksum-mismatch": edited(lambda p: only(p).update(value=["Q666"])),
    "not-a-qid": resigned(lambda p: only(p).update(value=["a"])),
    "unicode-digit-qid": resigned(lambda p: only(p).update(value=["Q\u0661"])),
    "qid-with-leading-zero": resigned(lambda p: only(p).update(value=["Q01"])),
    "number-not-qid": resigned(lambda p: only(p).update(value=[1])),
    "endpoint-not-http": resigned(lambda p: renamed(p, lambda url: "file:///etc/passwd")),
    "time-without-zone": resigned(lambda p: only(p).update(retrieved="2026-01-02T03:04:05")),
    "answer-of-another-key": resigned(lambda p: p.update(key="2403.00003")),
}


# the corruptions of issue 11 run through the whole build; every corruption runs at cache level
ISSUE = [
    "deep-nesting",
    "lone-surrogate",
    "invalid-iri",
    "wrong-shape",
    "a-1-file",
    "truncated",
    "checksum-mismatch",
    "binary-garbage",
]
ARXIV_ISSUE = [*ISSUE, "a-1-payload"]
WIKIDATA_ISSUE = [*ISSUE, "a-1-answer"]


def corrupt_file(path: Path, corruption: Corruption) -> None:
    """Replace the good file at *path* by its corrupted form (which must differ from it)."""
    raw = path.read_bytes()
    bad = corruption(json.loads(raw), raw)
    assert bad != raw
    path.write_bytes(bad)


# --------------------------------------------------------------------------- helpers


def warnings_naming(caplog: pytest.LogCaptureFixture, path: Path) -> list[str]:
    """Return the warnings logged by the package that name *path*."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING
        and r.name.startswith("genrl_kg")
        and str(path) in r.getMessage()
    ]


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the warnings logged by any cache module."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.endswith(".cache")
    ]


def facts(store: Path, graph: str, node: str) -> set[tuple[str, str]]:
    """Return (predicate, object) of *node* and (subject, predicate) pointing at it, in *graph*."""
    query = (
        f"SELECT ?a ?b WHERE {{ GRAPH <{BASE}graph/{graph}> "
        f"{{ {{ <{node}> ?a ?b }} UNION {{ ?a ?b <{node}> }} }} }}"
    )
    return {(row["a"].value, row["b"].value) for row in open_store(store).query(query)}  # type: ignore[union-attr]


def same_as(store: Path) -> set[tuple[str, str]]:
    """Return every owl:sameAs pair in the store."""
    query = f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{SAME_AS}> ?o }} }}"
    return {(row["s"].value, row["o"].value) for row in open_store(store).query(query)}  # type: ignore[union-attr]


def build(root: Path, arxiv: ArxivOptions | None) -> BuildReport:
    """Build the fixture list in *root* with the cache in *root*/cache."""
    options = BuildOptions(cache_dir=root / "cache", arxiv=arxiv)
    return run_build(local_source(make_source(root)), root / "store", options)


def seed_arxiv(root: Path) -> ArxivCache:
    """Write good cache files for the three arXiv papers of the fixture list."""
    cache = ArxivCache(root / "cache" / "arxiv")
    records, problems = parse_feed(feed(list(ENTRIES.values())), ENTRIES, retrieved=NOW)
    assert problems == {}
    for record in records.values():
        cache.store(record)
    return cache


class FakeWikidata:
    """Answer P818 lookups from ITEMS (recording what was asked); every other query: no rows."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, request: RecordedRequest) -> FakeResponse:
        query = parse_qs(request.body.decode())["query"][0]
        rows = []
        if "wdt:P818" in query:
            values = re.search(r"VALUES \?id \{([^}]*)\}", query)
            assert values is not None
            ids = re.findall(r'"([^"]+)"', values.group(1))
            self.asked.append(ids)
            rows = [
                {
                    "item": {"type": "uri", "value": ENTITY + ITEMS[i]},
                    "id": {"type": "literal", "value": i},
                }
                for i in ids
                if i in ITEMS
            ]
        body = json.dumps({"head": {"vars": ["item", "id"]}, "results": {"bindings": rows}})
        return FakeResponse(body=body, content_type="application/sparql-results+json")


def seed_wikidata(root: Path, endpoint: str) -> WikidataCache:
    """Write good answers of *endpoint* for the three arXiv papers of the fixture list."""
    cache = WikidataCache(root / "cache" / "wikidata")
    for arxiv_id, qid in ITEMS.items():
        cache.store("arxiv", arxiv_id, endpoint, [qid], NOW)
    return cache


# --------------------------------------------------------------------------- arXiv


@pytest.mark.parametrize("name", ARXIV_ISSUE)
def test_corrupted_arxiv_cache_file_in_builds(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    path = seed_arxiv(tmp_path).path_for(TARGET)
    corrupt_file(path, ARXIV_CORRUPTIONS[name])
    store = tmp_path / "store"

    with caplog.at_level(logging.WARNING):
        report = build(tmp_path, ArxivOptions(offline=True))
    assert len(warnings_naming(caplog, path)) == 1
    assert len(cache_warnings(caplog)) == 1
    assert (report.arxiv.enriched, report.arxiv.not_enriched) == (2, [KEY["A"]])
    assert facts(store, "arxiv", PAPER["A"]) == {(GENRL + "enriched", "false")}
    assert (GENRL + "arxivTitle", "Paper F") in facts(store, "arxiv", PAPER["F"])

    caplog.clear()
    fake_server.route(API, FakeArxiv())
    with caplog.at_level(logging.WARNING):
        again = build(tmp_path, ArxivOptions(base_url=fake_server.url_for(API), min_interval=0.0))
    assert [r.query["id_list"] for r in fake_server.requests] == [[TARGET]]
    assert again.arxiv.not_enriched == []
    assert (GENRL + "arxivTitle", "PAPER-A!") in facts(store, "arxiv", PAPER["A"])
    assert len(warnings_naming(caplog, path)) == 1  # read once more before the request
    found = ArxivCache(tmp_path / "cache" / "arxiv").read(TARGET)
    assert found is not None and found.verified and found.record.title == "PAPER-A!"


@pytest.mark.parametrize("name", sorted(ARXIV_CORRUPTIONS))
def test_corrupted_arxiv_cache_file_is_dropped_and_asked_again(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    cache = seed_arxiv(tmp_path)
    path = cache.path_for(TARGET)
    corrupt_file(path, ARXIV_CORRUPTIONS[name])
    with caplog.at_level(logging.WARNING):
        offline = fetch_records(list(ITEMS), cache=cache, offline=True)
    assert len(warnings_naming(caplog, path)) == 1 and len(cache_warnings(caplog)) == 1
    assert sorted(offline.records) == ["2403.00003", "2502.00002"]
    assert offline.failed == {TARGET: "offline: not in the cache"}

    fake_server.route(API, FakeArxiv())
    online = fetch_records(
        list(ITEMS), base_url=fake_server.url_for(API), cache=cache, min_interval=0
    )
    assert [r.query["id_list"] for r in fake_server.requests] == [[TARGET]]
    assert (
        online.records[TARGET].title == "PAPER-A!" and cache.load(TARGET) == online.records[TARGET]
    )


def _legacy(path: Path, change: Callable[[dict[str, Any]], object] = lambda r: None) -> None:
    """Rewrite a sealed arXiv cache file in the older layout ({"format": 1, ...}, no checksum)."""
    record = json.loads(path.read_bytes())["payload"]
    change(record)
    legacy = {"format": 1, "retrieved": record["retrieved"], "record": record}
    path.write_text(json.dumps(legacy, indent=1, sort_keys=True), encoding="utf-8")


def test_old_format_arxiv_file_is_stale_used_offline_and_asked_again(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = seed_arxiv(tmp_path).path_for(TARGET)
    _legacy(path)
    with caplog.at_level(logging.WARNING):
        offline = build(tmp_path, ArxivOptions(offline=True))
    assert warnings_naming(caplog, path) == [] and cache_warnings(caplog) == []
    assert offline.arxiv.not_enriched == []
    assert (GENRL + "arxivTitle", "PAPER-A!") in facts(tmp_path / "store", "arxiv", PAPER["A"])

    fake_server.route(API, FakeArxiv())
    build(tmp_path, ArxivOptions(base_url=fake_server.url_for(API), min_interval=0.0))
    assert [r.query["id_list"] for r in fake_server.requests] == [[TARGET]]
    assert set(json.loads(path.read_bytes())) == {"schema", "version", "sha256", "payload"}


def test_old_format_arxiv_file_with_a_bad_value_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = seed_arxiv(tmp_path).path_for(TARGET)
    _legacy(path, lambda r: r.update(pdf_url="http://arxiv.org/pdf/2301 00001<v1>"))
    with caplog.at_level(logging.WARNING):
        report = build(tmp_path, ArxivOptions(offline=True))
    assert len(warnings_naming(caplog, path)) == 1
    assert report.arxiv.not_enriched == [KEY["A"]]
    assert facts(tmp_path / "store", "arxiv", PAPER["A"]) == {(GENRL + "enriched", "false")}


# --------------------------------------------------------------------------- Wikidata


@pytest.mark.parametrize("name", WIKIDATA_ISSUE)
def test_corrupted_wikidata_cache_file_in_builds(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    endpoint = fake_server.url_for("/sparql")
    wikidata = FakeWikidata()
    fake_server.route("/sparql", wikidata)
    path = seed_wikidata(tmp_path, endpoint).path_for("arxiv", TARGET)
    corrupt_file(path, WIKIDATA_CORRUPTIONS[name])
    store = tmp_path / "store"
    good = {(PAPER["D"], ENTITY + "Q2"), (PAPER["F"], ENTITY + "Q3")}

    with caplog.at_level(logging.WARNING):
        build(tmp_path, None)  # the links stage reads the cache
    assert len(warnings_naming(caplog, path)) == 1
    assert len(cache_warnings(caplog)) == 1
    assert same_as(store) == good
    assert facts(store, "links", PAPER["A"]) == set()

    caplog.clear()
    live = os.readlink(store / "current")
    with caplog.at_level(logging.WARNING):
        offline = link_wikidata(
            store, endpoint=endpoint, cache_dir=tmp_path / "cache", offline=True
        )
    assert len(warnings_naming(caplog, path)) == 1
    assert (offline.papers_linked, offline.papers_unchecked) == (2, 1)
    assert os.readlink(store / "current") == live and fake_server.requests == []

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        online = link_wikidata(store, endpoint=endpoint, cache_dir=tmp_path / "cache")
    assert wikidata.asked == [[TARGET]]
    assert online.papers_linked == 3
    assert same_as(store) == good | {(PAPER["A"], ENTITY + "Q1")}
    assert len(warnings_naming(caplog, path)) == 1  # read once more before the request
    assert (
        WikidataCache(tmp_path / "cache" / "wikidata").load("arxiv", TARGET, endpoint) is not None
    )


@pytest.mark.parametrize("name", sorted(WIKIDATA_CORRUPTIONS))
def test_corrupted_wikidata_cache_file_is_dropped_and_asked_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    endpoint = "http://127.0.0.1:9/sparql"
    path = seed_wikidata(tmp_path, endpoint).path_for("arxiv", TARGET)
    corrupt_file(path, WIKIDATA_CORRUPTIONS[name])
    cache = WikidataCache(tmp_path / "cache" / "wikidata")
    papers = [PaperTarget(PAPER[k], (i,), ()) for k, i in (("A", TARGET), ("F", "2403.00003"))]
    with caplog.at_level(logging.WARNING):
        result = reconcile_papers(cache, papers, None)
        assert cache.load("arxiv", TARGET, endpoint) is None  # what link wikidata asks again
    assert len(warnings_naming(caplog, path)) == 1 and len(cache_warnings(caplog)) == 1
    assert [(link.paper, link.qid) for link in result.papers] == [(PAPER["F"], "Q3")]
    assert result.unchecked == [PAPER["A"]]


def test_old_format_wikidata_file_is_stale_used_offline_and_asked_again(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = fake_server.url_for("/sparql")
    wikidata = FakeWikidata()
    fake_server.route("/sparql", wikidata)
    path = seed_wikidata(tmp_path, endpoint).path_for("arxiv", TARGET)
    payload = json.loads(path.read_bytes())["payload"]
    path.write_text(json.dumps({"format": 1, **payload}), encoding="utf-8")
    store = tmp_path / "store"
    with caplog.at_level(logging.WARNING):
        build(tmp_path, None)
    assert warnings_naming(caplog, path) == []
    assert (PAPER["A"], ENTITY + "Q1") in same_as(store)

    link_wikidata(store, endpoint=endpoint, cache_dir=tmp_path / "cache")
    assert wikidata.asked == [[TARGET]]
    assert set(json.loads(path.read_bytes())) == {"schema", "version", "sha256", "payload"}


# --------------------------------------------------------------------------- command line

CLI_CASES = [
    ("arxiv", "deep-nesting"),
    ("arxiv", "lone-surrogate"),
    ("arxiv", "invalid-iri"),
    ("arxiv", "binary-garbage"),
    ("wikidata", "deep-nesting"),
    ("wikidata", "wrong-shape"),
    ("wikidata", "a-1-answer"),
    ("wikidata", "truncated"),
]


def _cli_build(root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``genrl-kg build --offline`` on the fixture list with the cache in *root*/cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENRL_KG_")}
    args = ["build", "--offline", "--source", str(make_source(root))]
    args += ["--cache", str(root / "cache"), "--store", str(root / "store")]
    return subprocess.run(
        [sys.executable, "-m", "genrl_kg.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def _seed_both(root: Path) -> dict[str, Path]:
    """Write good arXiv and Wikidata caches; return the files of TARGET by cache."""
    arxiv = seed_arxiv(root).path_for(TARGET)
    wikidata = seed_wikidata(root, "http://127.0.0.1:9/sparql").path_for("arxiv", TARGET)
    return {"arxiv": arxiv, "wikidata": wikidata}


def _lines(stderr: str) -> list[str]:
    """Return the stderr lines that are not progress lines."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("  …")]


@pytest.fixture(scope="module")
def control_stderr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Return what an offline CLI build says when TARGET's file in one cache is simply absent."""
    said = {}
    for cache in ("arxiv", "wikidata"):
        root = tmp_path_factory.mktemp(f"control-{cache}")
        _seed_both(root)[cache].unlink()
        done = _cli_build(root)
        assert done.returncode == 0, done.stderr
        said[cache] = _lines(done.stderr)
    return said


@pytest.mark.slow
@pytest.mark.parametrize(("cache", "name"), CLI_CASES)
def test_cli_offline_build_with_a_corrupted_cache(
    tmp_path: Path, control_stderr: dict[str, list[str]], cache: str, name: str
) -> None:
    path = _seed_both(tmp_path)[cache]
    corruptions = ARXIV_CORRUPTIONS if cache == "arxiv" else WIKIDATA_CORRUPTIONS
    corrupt_file(path, corruptions[name])
    done = _cli_build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = _lines(done.stderr)
    naming = [line for line in lines if str(path) in line]
    assert len(naming) == 1 and naming[0].startswith("WARNING ")
    assert [line for line in lines if line not in naming] == control_stderr[cache]
