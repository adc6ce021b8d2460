"""Tests for the arXiv client, feed parser and cache against a local fake arXiv API."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import fake_servers
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest, closed_port_url

from genrl_kg import settings
from genrl_kg.sources.arxiv import (
    ARXIV_URL_ENV,
    ArxivAuthor,
    ArxivCache,
    FeedError,
    fetch_records,
    parse_feed,
    split_arxiv_id,
)

API = "/api/query"
FAST = {"min_interval": 0.0, "timeout": 2.0, "max_retries": 1, "backoff": 0.01}

# --------------------------------------------------------------------------- feed builder

fake_server = fake_servers.fake_server  # the fixture


def entry(
    arxiv_id: str,
    *,
    version: int = 1,
    title: str = "A Paper",
    authors: Sequence[tuple[str, Sequence[str]]] = (("Ada Lovelace", ()),),
    summary: str = "An abstract.",
    published: str = "2023-03-07T17:59:59Z",
    updated: str | None = None,
    primary: str = "cs.RO",
    categories: Sequence[str] = ("cs.RO",),
    doi: str | None = None,
    journal_ref: str | None = None,
    comment: str | None = None,
) -> str:
    """Return one <entry> in the arXiv API's documented Atom layout."""
    abs_url = f"http://arxiv.org/abs/{arxiv_id}v{version}"
    parts = [
        "<entry>",
        f"<id>{abs_url}</id>",
        f"<updated>{updated or published}</updated>",
        f"<published>{published}</published>",
        f"<title>{escape(title)}</title>",
        f"<summary>{escape(summary)}</summary>",
    ]
    for name, affiliations in authors:
        affs = "".join(f"<arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations)
        parts.append(f"<author><name>{escape(name)}</name>{affs}</author>")
    if doi:
        parts.append(f"<arxiv:doi>{doi}</arxiv:doi>")
        parts.append(f'<link title="doi" href="http://dx.doi.org/{doi}" rel="related"/>')
    if comment:
        parts.append(f"<arxiv:comment>{escape(comment)}</arxiv:comment>")
    if journal_ref:
        parts.append(f"<arxiv:journal_ref>{escape(journal_ref)}</arxiv:journal_ref>")
    parts.append(f'<link href="{abs_url}" rel="alternate" type="text/html"/>')
    pdf = f"http://arxiv.org/pdf/{arxiv_id}v{version}"
    parts.append(f'<link title="pdf" href="{pdf}" rel="related" type="application/pdf"/>')
    scheme = 'scheme="http://arxiv.org/schemas/atom"'
    parts.append(f"<arxiv:primary_category term={quoteattr(primary)} {scheme}/>")
    parts += [f"<category term={quoteattr(c)} {scheme}/>" for c in categories]
    parts.append("</entry>")
    return "\n  ".join(parts)


def feed(entries: Sequence[str], query: str = "id_list=") -> bytes:
    """Return a whole API answer around *entries*."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        f'<link href="http://arxiv.org/api/query?{escape(query)}" rel="self" '
        'type="application/atom+xml"/>\n'
        f'<title type="html">ArXiv Query: {escape(query)}</title>\n'
        "<id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>\n"
        "<updated>2024-05-01T00:00:00-04:00</updated>\n"
        f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
        "<opensearch:startIndex>0</opensearch:startIndex>\n"
        f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
    )
    return (head + "\n".join(entries) + "\n</feed>\n").encode("utf-8")


def error_feed(bad_id: str) -> bytes:
    """Return arXiv's answer to a malformed id: one entry titled 'Error'."""
    err = f"http://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}"
    return feed(
        [
            f"<entry><id>{err}</id><title>Error</title>"
            f"<summary>incorrect id format for {bad_id}</summary>"
            "<updated>2024-05-01T00:00:00-04:00</updated>"
            f'<link href="{err}" rel="alternate" type="text/html"/>'
            "<author><name>arXiv api core</name></author></entry>"
        ]
    )


DIFFUSION_POLICY = entry(
    "2303.04137",
    version=5,
    title="Diffusion Policy:\n  Visuomotor Policy Learning via   Action Diffusion",
    authors=[
        ("Cheng Chi", ["Columbia University"]),
        ("Siyuan Feng", ["Toyota Research Institute"]),
        ("Shuran Song", ["Columbia University", "Stanford University"]),
    ],
    summary="This paper introduces Diffusion Policy,\n  a new way of generating robot behavior.",
    published="2023-03-07T17:59:59Z",
    updated="2024-03-14T00:31:35Z",
    primary="cs.RO",
    categories=["cs.RO", "cs.LG"],
    comment="An extended journal version of the RSS 2023 paper",
)
PPO = entry(
    "1707.06347",
    version=2,
    title="Proximal Policy Optimization Algorithms",
    authors=[("John Schulman", ()), ("Filip Wolski", ()), ("Prafulla Dhariwal", ())],
    summary="We propose a new family of policy gradient methods for reinforcement learning.",
    published="2017-07-20T02:32:33Z",
    updated="2017-08-28T08:29:14Z",
    primary="cs.LG",
    categories=["cs.LG"],
)
OLD_STYLE = entry(
    "hep-th/9901001",
    title="Brane Configurations and Gauge Theories",
    authors=[("A. Physicist", ["Institute for Advanced Study"])],
    published="1999-01-01T12:00:00Z",
    primary="hep-th",
    categories=["hep-th", "math.AG"],
    doi="10.1016/S0370-2693(99)00001-1",
    journal_ref="Phys. Lett. B 450 (1999) 1-10",
)
PAPERS = {"2303.04137": DIFFUSION_POLICY, "1707.06347": PPO, "hep-th/9901001": OLD_STYLE}


def synthetic_ids(n: int) -> list[str]:
    """Return *n* distinct new-style identifiers."""
    return [f"2401.{i:05d}" for i in range(1, n + 1)]


class FakeArxiv:
    """A responder that answers id_list queries from a table of entries (unknown ids omitted)."""

    def __init__(self, papers: dict[str, str] | None = None, *, synthetic: bool = True) -> None:
        self.papers = dict(papers or {})
        self.synthetic = synthetic

    def __call__(self, request: RecordedRequest) -> FakeResponse:
        ids = request.query.get("id_list", [""])[0].split(",")
        entries = []
        for arxiv_id in ids:
            if arxiv_id in self.papers:
                entries.append(self.papers[arxiv_id])
            elif self.synthetic and arxiv_id.startswith("2401."):
                entries.append(entry(arxiv_id, title=f"Paper {arxiv_id}"))
        return FakeResponse(body=feed(entries), content_type="application/atom+xml")


@pytest.fixture
def arxiv(fake_server: FakeServer) -> FakeServer:
    """Return the fake server answering the query endpoint from PAPERS and synthetic ids."""
    fake_server.route(API, FakeArxiv(PAPERS))
    return fake_server


@pytest.fixture
def cache(tmp_path: Path) -> ArxivCache:
    """Return an empty cache in a temporary directory."""
    return ArxivCache(tmp_path / "arxiv")


def cache_files(cache: ArxivCache) -> list[str]:
    """Return the names of all files in the cache directory."""
    return sorted(p.name for p in cache.directory.iterdir()) if cache.directory.exists() else []


# --------------------------------------------------------------------------- parsing


def test_parse_feed_reads_every_field() -> None:
    when = datetime(2024, 5, 1, tzinfo=UTC)
    body = feed([DIFFUSION_POLICY, PPO, OLD_STYLE])
    records, problems = parse_feed(body, list(PAPERS), retrieved=when)
    assert problems == {}
    dp = records["2303.04137"]
    assert dp.version == 5
    assert dp.title == "Diffusion Policy: Visuomotor Policy Learning via Action Diffusion"
    assert (
        dp.abstract
        == "This paper introduces Diffusion Policy, a new way of generating robot behavior."
    )
    assert [a.name for a in dp.authors] == ["Cheng Chi", "Siyuan Feng", "Shuran Song"]
    assert dp.authors[2] == ArxivAuthor(
        "Shuran Song", ("Columbia University", "Stanford University")
    )
    assert dp.published == date(2023, 3, 7)
    assert dp.updated == date(2024, 3, 14)
    assert (dp.primary_category, dp.categories) == ("cs.RO", ("cs.RO", "cs.LG"))
    assert dp.comment == "An extended journal version of the RSS 2023 paper"
    assert dp.doi is None and dp.journal_ref is None
    assert dp.pdf_url == "http://arxiv.org/pdf/2303.04137v5"
    assert dp.abs_url == "http://arxiv.org/abs/2303.04137v5"
    assert dp.retrieved == when
    old = records["hep-th/9901001"]
    assert old.version == 1
    assert old.doi == "10.1016/S0370-2693(99)00001-1"
    assert old.journal_ref == "Phys. Lett. B 450 (1999) 1-10"
    assert old.categories == ("hep-th", "math.AG")
    assert old.authors == (ArxivAuthor("A. Physicist", ("Institute for Advanced Study",)),)
    assert records["1707.06347"].authors[0].affiliations == ()


def test_parse_feed_reports_missing_and_unknown_ids() -> None:
    no_title = entry("2401.99999", title="  ")
    records, problems = parse_feed(
        feed([PPO, no_title]), ["1707.06347", "2303.04137", "2401.99999"]
    )
    assert list(records) == ["1707.06347"]
    assert "not in arXiv's answer" in problems["2303.04137"]
    assert "no title" in problems["2401.99999"]


def test_parse_feed_ignores_entries_not_asked_for() -> None:
    records, problems = parse_feed(feed([PPO, DIFFUSION_POLICY]), ["1707.06347"])
    assert list(records) == ["1707.06347"] and problems == {}


def test_feed_drops_values_that_cannot_reach_the_graph(caplog: pytest.LogCaptureFixture) -> None:
    """A bad pdf link, DOI or category is dropped with one warning; control characters go."""
    bad = (
        DIFFUSION_POLICY.replace('href="http://arxiv.org/pdf/2303.04137v5"', 'href="http://x/a b"')
        .replace("Diffusion Policy:", "Diffusion\x7f Policy:")
        .replace("</entry>", "<arxiv:doi>not a doi</arxiv:doi></entry>")
        .replace("</entry>", '<category term="F.2.2; I.2.7"/></entry>')
    )
    with caplog.at_level(logging.WARNING):
        records, problems = parse_feed(feed([bad]), ["2303.04137"])
    record = records["2303.04137"]
    assert problems == {}
    assert record.title == "Diffusion Policy: Visuomotor Policy Learning via Action Diffusion"
    assert (record.pdf_url, record.doi, record.categories) == (None, None, ("cs.RO", "cs.LG"))
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith("arXiv feed: 2303.04137: dropped 3 value(s)")


@pytest.mark.parametrize(
    "text",
    [
        "1706.\uff10\uff13\uff17\uff16\uff12",
        "1706.\u0660\u0663\u0667\u0666\u0662",
        "\u0661706.03762",
    ],
    ids=["fullwidth", "arabic-indic", "arabic-indic-first"],
)
def test_unicode_digits_are_not_arxiv_identifiers(
    arxiv: FakeServer, cache: ArxivCache, text: str
) -> None:
    with pytest.raises(ValueError, match="not an arXiv identifier"):
        split_arxiv_id(text)
    result = fetch_records([text], base_url=arxiv.url_for(API), cache=cache, min_interval=0.0)
    assert result.failed == {text: "not a valid arXiv identifier"}
    assert arxiv.requests == [] and cache_files(cache) == []


BAD_BODIES = {
    "error entry": (error_feed("2303.0413"), "incorrect id format"),
    "empty feed": (feed([]), "empty feed"),
    "rate exceeded": (b"Rate exceeded.", "Rate exceeded"),
    "html page": (b"<!DOCTYPE html><html><body>Service busy</body></html>", "HTML"),
    "garbage": (b"\x00\xff\xfe garbage \x89PNG", "not XML"),
    "truncated": (feed([PPO])[:700], "truncated"),
    "empty body": (b"", "empty"),
    "not atom": (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "not an Atom feed"),
    "entity bomb": (
        b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>',
        "forbidden",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_parse_feed_rejects_bad_answers(case: str) -> None:
    body, message = BAD_BODIES[case]
    with pytest.raises(FeedError, match=message):
        parse_feed(body, ["1707.06347"])


# --------------------------------------------------------------------------- fetching


def test_batches_ids_user_agent_and_warm_cache(arxiv: FakeServer, cache: ArxivCache) -> None:
    ids = synthetic_ids(250)
    result = fetch_records(ids, base_url=arxiv.url_for(API), cache=cache, batch_size=100, **FAST)
    assert len(arxiv.requests) == 3
    first = arxiv.requests[0]
    assert first.query["id_list"] == [",".join(ids[:100])]
    assert first.query["max_results"] == ["100"] and first.query["start"] == ["0"]
    assert arxiv.requests[2].query["id_list"] == [",".join(ids[200:])]
    assert all(r.headers["user-agent"] == settings.USER_AGENT for r in arxiv.requests)
    assert len(result.records) == 250 and result.failed == {}
    assert (result.stats.fetched, result.stats.from_cache, result.stats.requests) == (250, 0, 3)
    assert len(cache_files(cache)) == 250

    arxiv.clear()
    again = fetch_records(ids, base_url=arxiv.url_for(API), cache=cache, batch_size=100, **FAST)
    assert arxiv.requests == []
    assert again.records == result.records
    assert (again.stats.fetched, again.stats.from_cache, again.stats.requests) == (0, 250, 0)


def test_default_batches_cover_the_list_in_three_requests(
    arxiv: FakeServer, cache: ArxivCache
) -> None:
    result = fetch_records(synthetic_ids(450), base_url=arxiv.url_for(API), cache=cache, **FAST)
    assert [r.query["max_results"] for r in arxiv.requests] == [["150"]] * 3
    assert result.stats.fetched == 450


def test_min_interval_between_batches(arxiv: FakeServer, cache: ArxivCache) -> None:
    options = {**FAST, "min_interval": 0.12}
    fetch_records(synthetic_ids(300), base_url=arxiv.url_for(API), cache=cache, **options)
    times = [r.time for r in arxiv.requests]
    assert len(times) == 3
    assert all(b - a >= 0.11 for a, b in itertools.pairwise(times)), times


def test_versioned_prefixed_old_style_and_invalid_ids(arxiv: FakeServer, cache: ArxivCache) -> None:
    ids = ["2303.04137v5", "arXiv:hep-th/9901001", "2303.04137", "not-an-id/../x"]
    result = fetch_records(ids, base_url=arxiv.url_for(API), cache=cache, **FAST)
    assert arxiv.requests[0].query["id_list"] == ["2303.04137,hep-th/9901001"]
    assert sorted(result.records) == ["2303.04137", "hep-th/9901001"]
    assert result.records["2303.04137"].version == 5
    assert result.failed == {"not-an-id/../x": "not a valid arXiv identifier"}
    assert sorted(cache_files(cache)) == ["2303.04137.json", "hep-th_9901001.json"]


def test_partial_answer_fails_missing_ids_and_reasks_only_them(
    arxiv: FakeServer, cache: ArxivCache
) -> None:
    ids = ["2303.04137", "1707.06347", "2312.00001"]
    url = arxiv.url_for(API)
    result = fetch_records(ids, base_url=url, cache=cache, **FAST)
    assert sorted(result.records) == ["1707.06347", "2303.04137"]
    assert list(result.failed) == ["2312.00001"]
    assert "2312.00001.json" not in cache_files(cache)
    arxiv.clear()
    again = fetch_records(ids, base_url=url, cache=cache, **FAST)
    assert [r.query["id_list"] for r in arxiv.requests] == [["2312.00001"]]
    assert again.stats.from_cache == 2 and again.stats.failed == 1


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_answer_fails_batch_caches_nothing(
    fake_server: FakeServer, cache: ArxivCache, case: str
) -> None:
    fake_server.route(API, FakeResponse(body=BAD_BODIES[case][0]))
    result = fetch_records(
        ["1707.06347", "2303.04137"], base_url=fake_server.url_for(API), cache=cache, **FAST
    )
    assert result.records == {}
    assert set(result.failed) == {"1707.06347", "2303.04137"}
    assert BAD_BODIES[case][1].lower() in result.failed["1707.06347"].lower()
    assert cache_files(cache) == []
    assert len(fake_server.requests) == 1


def test_503_retried_with_retry_after_then_batch_given_up(
    fake_server: FakeServer, cache: ArxivCache
) -> None:
    busy = FakeResponse(status=503, headers={"Retry-After": "0"})
    fake_server.queue(busy, busy)
    fake_server.route(API, FakeArxiv())
    ids = synthetic_ids(200)
    result = fetch_records(
        ids, base_url=fake_server.url_for(API), cache=cache, batch_size=100, **FAST
    )
    assert len(fake_server.requests) == 3  # batch 1: two 503s; batch 2: one answer
    assert set(result.failed) == set(ids[:100])
    assert "HTTP 503" in result.failed[ids[0]]
    assert sorted(result.records) == ids[100:]


def test_slow_server_times_out_and_build_goes_on(
    fake_server: FakeServer, cache: ArxivCache
) -> None:
    fake_server.route(API, FakeResponse(body=feed([PPO]), delay=0.6))
    options = {**FAST, "timeout": 0.15}
    result = fetch_records(
        ["1707.06347"], base_url=fake_server.url_for(API), cache=cache, **options
    )
    assert result.failed == {"1707.06347": f"{fake_server.url}: timeout after 2 attempts"}
    assert len(fake_server.requests) == 2
    assert cache_files(cache) == []


def test_no_route_goes_offline_at_once_with_one_warning(
    cache: ArxivCache, caplog: pytest.LogCaptureFixture
) -> None:
    cache.store(parse_feed(feed([PPO]), ["1707.06347"])[0]["1707.06347"])
    ids = ["1707.06347", *synthetic_ids(250)]
    options = {**FAST, "max_retries": 5}
    with caplog.at_level(logging.WARNING):
        result = fetch_records(
            ids, base_url=closed_port_url(API), cache=cache, batch_size=100, **options
        )
    assert result.stats.requests == 1
    assert result.stats.went_offline
    assert list(result.records) == ["1707.06347"]
    assert len(result.failed) == 250
    assert all(reason.startswith("offline") for reason in result.failed.values())
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "connection refused" in warnings[0].getMessage()


def test_offline_never_touches_network(arxiv: FakeServer, cache: ArxivCache) -> None:
    url = arxiv.url_for(API)
    fetch_records(["1707.06347"], base_url=url, cache=cache, **FAST)
    arxiv.clear()
    result = fetch_records(
        ["1707.06347", "2303.04137"], base_url=url, cache=cache, offline=True, **FAST
    )
    assert arxiv.requests == []
    assert list(result.records) == ["1707.06347"]
    assert result.failed == {"2303.04137": "offline: not in the cache"}


def test_refresh_refetches_and_keeps_cache_on_error(
    fake_server: FakeServer, cache: ArxivCache
) -> None:
    url = fake_server.url_for(API)
    fake_server.route(API, FakeArxiv(PAPERS))
    first = fetch_records(["1707.06347"], base_url=url, cache=cache, **FAST)
    before = cache.path_for("1707.06347").read_bytes()
    fake_server.route(API, FakeResponse(body=error_feed("1707.06347")))
    kept = fetch_records(["1707.06347"], base_url=url, cache=cache, refresh=True, **FAST)
    assert len(fake_server.requests) == 2
    assert kept.records == first.records and kept.failed == {}
    assert kept.stats.kept_stale == 1
    assert cache.path_for("1707.06347").read_bytes() == before
    renamed = PPO.replace("Proximal Policy Optimization Algorithms", "PPO, Revised")
    fake_server.route(API, FakeArxiv({"1707.06347": renamed}))
    fresh = fetch_records(["1707.06347"], base_url=url, cache=cache, refresh=True, **FAST)
    assert fresh.records["1707.06347"].title == "PPO, Revised"
    assert cache.load("1707.06347").title == "PPO, Revised"


def test_max_age_refetches_only_old_records(arxiv: FakeServer, cache: ArxivCache) -> None:
    records, _ = parse_feed(feed([PPO, DIFFUSION_POLICY]), ["1707.06347", "2303.04137"])
    old = datetime.now(UTC) - timedelta(days=10)
    cache.store(replace(records["1707.06347"], retrieved=old))
    cache.store(records["2303.04137"])
    ids = ["1707.06347", "2303.04137"]
    result = fetch_records(
        ids, base_url=arxiv.url_for(API), cache=cache, max_age=timedelta(days=1), **FAST
    )
    assert [r.query["id_list"] for r in arxiv.requests] == [["1707.06347"]]
    assert result.stats.fetched == 1 and result.stats.from_cache == 1
    assert cache.load("1707.06347").retrieved > old


def test_corrupt_cache_file_is_warned_and_refetched(
    arxiv: FakeServer, cache: ArxivCache, caplog: pytest.LogCaptureFixture
) -> None:
    cache.directory.mkdir(parents=True)
    cache.path_for("1707.06347").write_bytes(b'{"format": 1, "record": {"arxiv_id": ')
    with caplog.at_level(logging.WARNING):
        result = fetch_records(["1707.06347"], base_url=arxiv.url_for(API), cache=cache, **FAST)
    # the message, not the path (tmp_path holds this test's name), must say what happened
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert message.startswith(f"arXiv cache: dropped {cache.path_for('1707.06347')} (")
    assert len(arxiv.requests) == 1
    assert result.records["1707.06347"].title == "Proximal Policy Optimization Algorithms"
    assert cache.load("1707.06347") == result.records["1707.06347"]


def test_cache_round_trip_and_leftover_temp_files_are_ignored(cache: ArxivCache) -> None:
    record = parse_feed(feed([OLD_STYLE]), ["hep-th/9901001"])[0]["hep-th/9901001"]
    path = cache.store(record)
    assert path.name == "hep-th_9901001.json"
    assert cache.load("hep-th/9901001") == record
    content = json.loads(path.read_text())
    assert (content["schema"], content["version"]) == ("genrl-kg/arxiv-record", 2)
    assert content["payload"]["retrieved"] == record.retrieved.isoformat()
    canonical = json.dumps(content["payload"], sort_keys=True, separators=(",", ":"))
    assert content["sha256"] == hashlib.sha256(canonical.encode("ascii")).hexdigest()
    (cache.directory / ".1707.06347.abc.tmp").write_bytes(b'{"format": 1, "rec')  # killed run
    assert cache_files(cache) == [".1707.06347.abc.tmp", "hep-th_9901001.json"]
    assert cache.load("1707.06347") is None
    assert cache.ids() == ["hep-th/9901001"]


def test_base_url_from_environment(
    arxiv: FakeServer, cache: ArxivCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARXIV_URL_ENV, arxiv.url_for(API))
    result = fetch_records(["1707.06347"], cache=cache, **FAST)
    assert len(arxiv.requests) == 1 and list(result.records) == ["1707.06347"]


def test_progress_reports_cache_then_batches(arxiv: FakeServer, cache: ArxivCache) -> None:
    url = arxiv.url_for(API)
    fetch_records(["1707.06347"], base_url=url, cache=cache, **FAST)
    calls: list[tuple[int, int]] = []
    ids = ["1707.06347", *synthetic_ids(150)]
    fetch_records(
        ids,
        base_url=url,
        cache=cache,
        batch_size=100,
        progress=lambda d, t: calls.append((d, t)),
        **FAST,
    )
    assert calls == [(1, 151), (101, 151), (151, 151)]
