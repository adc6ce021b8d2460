"""Tests for the OpenAlex source: parser, checksummed cache and batched client on a local fake API."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fake_servers
import pytest
from fake_servers import FakeResponse, FakeServer, RecordedRequest, closed_port_url

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.http import HttpClient
from genrl_kg.sources.openalex import (
    CachedAnswer,
    OpenAlexCache,
    WorkError,
    arxiv_doi,
    fetch_works,
    parse_work,
    work_to_json,
)

fake_server = fake_servers.fake_server  # the fixture

# The fields this source reads, listed here by hand from the work object's documentation.
EXPECTED_SELECT = {
    "id",
    "doi",
    "title",
    "publication_year",
    "cited_by_count",
    "referenced_works",
    "authorships",
    "primary_location",
    "locations",
    "open_access",
}
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

# --------------------------------------------------------------------------- recorded-format works


def work_json(number: int, doi: str, **changes: Any) -> dict[str, Any]:
    """Return one work in the documented OpenAlex layout (as the API sends it, extra fields too)."""
    arxiv = {
        "is_oa": True,
        "landing_page_url": "https://arxiv.org/abs/2303.04137",
        "pdf_url": "https://arxiv.org/pdf/2303.04137",
        "source": {
            "id": "https://openalex.org/S4306400194",
            "display_name": "arXiv (Cornell University)",
            "type": "repository",
        },
        "license": None,
        "version": "submittedVersion",
    }
    published = {
        "is_oa": False,
        "landing_page_url": "https://doi.org/10.15607/RSS.2023.XIX.026",
        "pdf_url": None,
        "source": {"display_name": "Robotics: Science and Systems", "type": "conference"},
        "license": None,
        "version": "publishedVersion",
    }
    work: dict[str, Any] = {
        "id": f"https://openalex.org/W{number}",
        "doi": f"https://doi.org/{doi}",
        "title": f"Paper  number\n{number}",
        "display_name": f"Paper number {number}",
        "publication_year": 2023,
        "cited_by_count": 812,
        "referenced_works": [
            "https://openalex.org/W11",
            "https://openalex.org/W12",
            "https://openalex.org/W11",
        ],
        "authorships": [
            {
                "author_position": "first",
                "author": {
                    "id": "https://openalex.org/A5023888391",
                    "display_name": "Ada Lovelace",
                    "orcid": "https://orcid.org/0000-0002-1825-0097",
                },
                "institutions": [
                    {
                        "id": "https://openalex.org/I97018004",
                        "display_name": "Stanford University",
                        "ror": "https://ror.org/00f54p054",
                        "country_code": "US",
                        "type": "education",
                    }
                ],
                "countries": ["US"],
                "is_corresponding": True,
                "raw_author_name": "Ada Lovelace",
            },
            {
                "author_position": "last",
                "author": {"id": None, "display_name": "Grace Hopper", "orcid": None},
                "institutions": [],
            },
        ],
        "primary_location": arxiv,
        "locations": [arxiv, published],
        "open_access": {
            "is_oa": True,
            "oa_status": "green",
            "oa_url": "https://arxiv.org/pdf/2303.04137",
            "any_repository_has_fulltext": True,
        },
    }
    work.update(changes)
    return work


def answer_body(results: list[Any], count: int | None = None) -> bytes:
    """Return a works answer with ``meta`` as OpenAlex sends it."""
    meta = {"count": len(results) if count is None else count, "db_response_time_ms": 7}
    meta.update({"page": 1, "per_page": 100})
    return json.dumps({"meta": meta, "results": results, "group_by": []}).encode()


def arxiv_dois(count: int) -> list[str]:
    """Return *count* distinct arXiv DOIs in the registered mixed-case form."""
    return [f"10.48550/arXiv.2301.{n:05d}" for n in range(1, count + 1)]


class FakeOpenAlex:
    """Answers ``/works?filter=doi:a|b`` from a table of works, like the real API would."""

    def __init__(self, dois: list[str], start: int = 1000) -> None:
        """Know one work for each of *dois* (numbered from *start*)."""
        self.works = {d.lower(): work_json(start + i, d.lower()) for i, d in enumerate(dois)}
        self.extra: list[Any] = []  # results appended to every answer
        self.count_bonus = 0  # claim more matches than returned

    def __call__(self, request: RecordedRequest) -> FakeResponse:
        """Return the works whose DOI was asked for."""
        asked = request.query["filter"][0].removeprefix("doi:").split("|")
        results = [self.works[d.lower()] for d in asked if d.lower() in self.works]
        results += self.extra
        body = answer_body(results, len(results) + self.count_bonus)
        return FakeResponse(body=body, content_type="application/json")


def asked_in(request: RecordedRequest) -> list[str]:
    """Return the DOIs one recorded request asked for."""
    (value,) = request.query["filter"]
    assert value.startswith("doi:")
    return value.removeprefix("doi:").split("|")


def quick_client(sleeps: list[float] | None = None) -> HttpClient:
    """Return an HttpClient that retries once and records its sleeps instead of sleeping."""
    record = sleeps if sleeps is not None else []
    return HttpClient(timeout=5.0, max_retries=1, backoff=0.01, sleep=record.append)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the warning messages logged by the package."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("genrl_kg")
    ]


def cache_bytes(directory: Path) -> dict[str, bytes]:
    """Return every file of a cache directory by name."""
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*"))}


def checksum(payload: dict[str, Any]) -> str:
    """Return the documented checksum: sha256 of sorted, compact, ASCII JSON of the payload."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- parser


def test_parse_work_reads_every_field_of_the_documented_layout() -> None:
    work = parse_work(work_json(4323650343, "10.48550/arxiv.2303.04137"), retrieved=NOW)
    assert (work.id, work.doi) == ("W4323650343", "10.48550/arxiv.2303.04137")
    assert work.title == "Paper number 4323650343"
    assert (work.publication_year, work.cited_by_count) == (2023, 812)
    assert work.referenced_works == ("W11", "W12")
    first, last = work.authorships
    assert (first.position, first.display_name, first.orcid) == (
        1,
        "Ada Lovelace",
        "0000-0002-1825-0097",
    )
    assert first.author_id == "A5023888391"
    (inst,) = first.institutions
    assert (inst.openalex_id, inst.display_name, inst.ror, inst.country_code) == (
        "I97018004",
        "Stanford University",
        "00f54p054",
        "US",
    )
    assert (last.position, last.orcid, last.author_id, last.institutions) == (2, None, None, ())
    assert work.primary_location is not None
    assert work.primary_location.source_type == "repository"
    assert work.primary_location.doi is None
    assert work.venue is not None
    assert (work.venue.display_name, work.venue.source_type, work.venue.doi) == (
        "Robotics: Science and Systems",
        "conference",
        "10.15607/rss.2023.xix.026",
    )
    assert work.open_access is not None
    assert (work.open_access.is_oa, work.open_access.status, work.open_access.url) == (
        True,
        "green",
        "https://arxiv.org/pdf/2303.04137",
    )
    assert work.retrieved == NOW


def test_work_to_json_reads_back_identically_in_strict_mode() -> None:
    work = parse_work(work_json(7, "10.1234/x"), retrieved=NOW)
    assert parse_work(work_to_json(work), retrieved=NOW, strict=True) == work
    no_venue = parse_work(work_json(8, "10.1234/y", locations=None), retrieved=NOW)
    assert no_venue.venue is None
    assert parse_work(work_to_json(no_venue), retrieved=NOW, strict=True) == no_venue


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Return a mutation setting the dotted *path* (integers index arrays) to *value*."""

    def mutate(work: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = work
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("id", 5, "work.id: expected a string, got integer"),
        ("id", "https://openalex.org/A5", "not an OpenAlex W id"),
        ("doi", None, "work.doi: expected a string, got null"),
        ("doi", "https://example.org/x", "work.doi: not a DOI"),
        ("cited_by_count", "5", "work.cited_by_count: expected an integer, got string"),
        ("cited_by_count", True, "work.cited_by_count: expected an integer, got boolean"),
        ("cited_by_count", 1.5, "expected an integer, got number"),
        ("cited_by_count", -1, "work.cited_by_count: -1 is below 0"),
        ("authorships", {}, "work.authorships: expected an array, got object"),
        ("title", "Red \x1b[31m title", "work.title: forbidden character '\\x1b'"),
        ("title", "lone \ud800 surrogate", "work.title: forbidden character"),
        ("referenced_works", ["https://openalex.org/A1"], "work.referenced_works[0]"),
        (
            "authorships.0.institutions",
            "MIT",
            "work.authorships[0].institutions: expected an array",
        ),
        ("authorships.0.author.display_name", 3, "work.authorships[0].author.display_name"),
        ("authorships.1.author", None, "work.authorships[1].author: expected an object"),
        ("primary_location.version", "<b>x</b>", "work.primary_location.version: unexpected value"),
        ("open_access", {"is_oa": "yes"}, "work.open_access.is_oa: expected true or false"),
        ("publication_year", "2023", "work.publication_year: expected an integer"),
    ],
)
def test_parse_work_rejects_wrong_type_or_shape_naming_the_field(
    path: str, value: Any, reason: str
) -> None:
    data = work_json(1, "10.1234/x")
    _set(path, value)(data)
    with pytest.raises(WorkError) as caught:
        parse_work(data, retrieved=NOW)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("path", "value", "read"),
    [
        ("authorships.0.author.orcid", "https://orcid.org/0000-0002-1825-0098", "orcid"),
        ("authorships.0.institutions.0.ror", "https://ror.org/03yrm5c27", "ror"),
        ("authorships.0.institutions.0.country_code", "usa", "country"),
        ("open_access.oa_url", "javascript:alert(1)", "oa_url"),
        ("open_access.oa_url", "https://x.org/a b", "oa_url"),
    ],
)
def test_bad_identifier_or_url_is_dropped_with_a_note_or_fatal_in_strict_mode(
    path: str, value: str, read: str
) -> None:
    data = work_json(1, "10.1234/x")
    _set(path, value)(data)
    notes: list[str] = []
    work = parse_work(data, retrieved=NOW, notes=notes)
    found = {
        "orcid": work.authorships[0].orcid,
        "ror": work.authorships[0].institutions[0].ror,
        "country": work.authorships[0].institutions[0].country_code,
        "oa_url": work.open_access.url if work.open_access else "missing",
    }
    assert found[read] is None
    assert len(notes) == 1
    assert notes[0].startswith("work." + path.split(".")[0])
    with pytest.raises(WorkError):
        parse_work(data, retrieved=NOW, strict=True)


def test_arxiv_doi_is_the_datacite_form() -> None:
    assert arxiv_doi("2303.04137v3") == "10.48550/arxiv.2303.04137"
    with pytest.raises(ValueError):
        arxiv_doi("../etc/passwd")
    with pytest.raises(ValueError):
        arxiv_doi("2303.\uff10\uff14\uff11\uff13\uff17")  # fullwidth digits


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "https://openalex.org/W\u0661\u0662"),  # Arabic-Indic digits
        ("authorships.0.author.orcid", "0000-0002-\uff11825-0097"),
        ("authorships.0.institutions.0.ror", "03yrm5c\uff12\uff16"),
    ],
)
def test_identifiers_with_unicode_digits_are_refused(path: str, value: str) -> None:
    data = work_json(1, "10.1234/x")
    _set(path, value)(data)
    with pytest.raises(WorkError):
        parse_work(data, retrieved=NOW, strict=True)


# --------------------------------------------------------------------------- client: requests


def test_250_dois_take_3_requests_of_at_most_100_cold_and_none_warm(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    dois = arxiv_dois(250)
    fake_server.route("/works", FakeOpenAlex(dois))
    cache = OpenAlexCache(tmp_path)
    seen: list[tuple[int, int]] = []
    cold = fetch_works(
        dois,
        fake_server.url,
        cache,
        mailto="kg@example.org",
        progress=lambda d, t: seen.append((d, t)),
    )
    requests = fake_server.requests_to("/works")
    assert len(requests) == 3
    asked = [doi for r in requests for doi in asked_in(r)]
    assert all(len(asked_in(r)) <= 100 for r in requests)
    assert sorted(asked) == sorted(d.lower() for d in dois)  # each DOI asked exactly once
    assert len(cold.records) == 250
    assert cold.stats.requests == 3
    assert cold.records["10.48550/arxiv.2301.00250"].id == "W1249"
    assert seen[-1] == (250, 250)

    warm = fetch_works(dois, fake_server.url, cache, mailto="kg@example.org")
    assert len(fake_server.requests_to("/works")) == 3
    assert (warm.stats.requests, warm.stats.from_cache) == (0, 250)
    assert warm.records == cold.records


@pytest.mark.parametrize(("count", "requests"), [(100, 1), (101, 2), (200, 2), (201, 3)])
def test_batches_hold_at_most_100_dois_and_are_as_few_as_possible(
    fake_server: FakeServer, tmp_path: Path, count: int, requests: int
) -> None:
    dois = arxiv_dois(count)
    fake_server.route("/works", FakeOpenAlex(dois))
    result = fetch_works(dois, fake_server.url, OpenAlexCache(tmp_path), http=quick_client())
    sizes = [len(asked_in(r)) for r in fake_server.requests]
    assert len(sizes) == requests  # ceil(count / 100)
    assert max(sizes) <= 100
    assert sum(sizes) == len(result.records) == count


def test_real_list_size_takes_2_requests_cold(fake_server: FakeServer, tmp_path: Path) -> None:
    dois = arxiv_dois(190) + [f"10.1109/ICRA.2024.{n}" for n in range(5)]
    fake_server.route("/works", FakeOpenAlex(dois))
    result = fetch_works(dois, fake_server.url, OpenAlexCache(tmp_path), http=quick_client())
    assert (len(fake_server.requests), len(result.records)) == (2, 195)


def test_request_carries_user_agent_mailto_select_and_per_page(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake_server.route("/api/works", FakeOpenAlex(["10.1234/a"]))
    fetch_works(
        ["10.1234/A"],
        fake_server.url_for("/api/"),
        OpenAlexCache(tmp_path),
        mailto="kg@example.org",
    )
    (request,) = fake_server.requests
    assert request.path == "/api/works"
    assert request.headers["user-agent"] == settings.USER_AGENT
    assert request.query["mailto"] == ["kg@example.org"]
    assert "api_key" not in request.query
    assert set(request.query["select"][0].split(",")) == EXPECTED_SELECT
    assert request.query["per-page"] == ["100"]
    assert request.query["filter"] == ["doi:10.1234/a"]


def test_api_key_replaces_mailto_and_never_reaches_our_log(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_server.route("/works", FakeResponse(status=500, body=b"oops"))
    key = "SeCrEtKeY123"
    fetch_works(
        ["10.1234/a"],
        fake_server.url,
        OpenAlexCache(tmp_path),
        mailto="kg@example.org",
        api_key=key,
        http=quick_client(),
    )
    assert {r.query["api_key"][0] for r in fake_server.requests} == {key}
    assert all("mailto" not in r.query for r in fake_server.requests)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("genrl_kg")]
    assert len(ours) >= 3  # two retries and the warning were logged, none with the key
    assert not [m for m in ours if key in m]


def test_dois_are_matched_case_insensitively_with_or_without_prefix(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake = FakeOpenAlex([])
    fake.extra = [work_json(5, "10.1109/icra.2024.1"), work_json(6, "10.48550/arxiv.2303.04137")]
    fake.extra[1]["doi"] = "10.48550/ARXIV.2303.04137"  # bare, upper case
    fake_server.route("/works", fake)
    asked = ["https://doi.org/10.1109/ICRA.2024.1", "10.48550/arXiv.2303.04137"]
    result = fetch_works(asked, fake_server.url, OpenAlexCache(tmp_path))
    assert {d: w.id for d, w in result.records.items()} == {
        "10.1109/icra.2024.1": "W5",
        "10.48550/arxiv.2303.04137": "W6",
    }


def test_unusable_dois_are_failed_without_a_request(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake_server.route("/works", FakeOpenAlex([]))
    result = fetch_works(
        ["not a doi", "10.1234/a|b", "10.1234/a,b"], fake_server.url, OpenAlexCache(tmp_path)
    )
    assert set(result.failed) == {"not a doi", "10.1234/a|b", "10.1234/a,b"}
    assert fake_server.requests == []


def test_base_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="base URL"):
        fetch_works(["10.1234/a"], "file:///etc", OpenAlexCache(tmp_path))


# --------------------------------------------------------------------------- client: answers


def test_partial_answer_caches_not_found_with_its_date(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    asked = ["10.1234/a", "10.1234/b", "10.1234/c", "10.1234/d", "10.1234/e"]
    fake_server.route("/works", FakeOpenAlex(["10.1234/a", "10.1234/c", "10.1234/e"]))
    cache = OpenAlexCache(tmp_path)
    before = datetime.now(UTC)
    cold = fetch_works(asked, fake_server.url, cache)
    assert sorted(cold.records) == ["10.1234/a", "10.1234/c", "10.1234/e"]
    assert sorted(cold.not_found) == ["10.1234/b", "10.1234/d"]
    assert all(before <= when <= datetime.now(UTC) for when in cold.not_found.values())
    names = {hashlib.sha256(d.encode()).hexdigest() + ".json" for d in asked}
    assert set(cache_bytes(tmp_path)) == names

    warm = fetch_works(asked, fake_server.url, cache)
    assert len(fake_server.requests) == 1
    assert warm.not_found == cold.not_found
    assert warm.records == cold.records


def test_work_for_a_doi_not_asked_is_ignored_with_a_warning(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeOpenAlex(["10.1234/a"])
    fake.extra = [work_json(999, "10.9999/other")]
    fake_server.route("/works", fake)
    cache = OpenAlexCache(tmp_path)
    result = fetch_works(["10.1234/a", "10.1234/b"], fake_server.url, cache)
    assert list(result.records) == ["10.1234/a"]
    assert list(result.not_found) == ["10.1234/b"]
    assert all(w.id != "W999" for w in result.records.values())
    assert not cache.path_for("10.9999/other").exists()
    assert any("W999" in m and "not asked" in m for m in warnings_of(caplog))


def test_two_works_with_one_doi_keep_the_most_cited(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake = FakeOpenAlex([])
    fake.extra = [
        work_json(5, "10.1234/a", cited_by_count=10),
        work_json(7, "10.1234/a", cited_by_count=20),
        work_json(3, "10.1234/a", cited_by_count=20),
    ]
    fake_server.route("/works", fake)
    result = fetch_works(["10.1234/a"], fake_server.url, OpenAlexCache(tmp_path))
    assert result.records["10.1234/a"].id == "W3"


def test_rejected_work_fails_its_doi_only(fake_server: FakeServer, tmp_path: Path) -> None:
    fake = FakeOpenAlex(["10.1234/a"])
    fake.extra = [work_json(8, "10.1234/b", cited_by_count="many")]
    fake_server.route("/works", fake)
    cache = OpenAlexCache(tmp_path)
    result = fetch_works(["10.1234/a", "10.1234/b", "10.1234/c"], fake_server.url, cache)
    assert list(result.records) == ["10.1234/a"]
    assert "cited_by_count" in result.failed["10.1234/b"]
    assert list(result.not_found) == ["10.1234/c"]
    assert not cache.path_for("10.1234/b").exists()


@pytest.mark.parametrize(
    "extra",
    [
        [{"id": "https://openalex.org/W9", "doi": None}],  # a rejected work with no DOI to blame
        ["not an object"],
    ],
)
def test_unattributable_bad_work_caches_no_negative_answer(
    fake_server: FakeServer, tmp_path: Path, extra: list[Any]
) -> None:
    fake = FakeOpenAlex(["10.1234/a"])
    fake.extra = extra
    fake_server.route("/works", fake)
    cache = OpenAlexCache(tmp_path)
    result = fetch_works(["10.1234/a", "10.1234/b"], fake_server.url, cache)
    assert list(result.records) == ["10.1234/a"]
    assert list(result.failed) == ["10.1234/b"]
    assert result.not_found == {}
    assert not cache.path_for("10.1234/b").exists()


def test_truncated_answer_caches_no_negative_answer(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake = FakeOpenAlex(["10.1234/a"])
    fake.count_bonus = 4  # meta.count says 5 works matched, 1 came back
    fake_server.route("/works", fake)
    cache = OpenAlexCache(tmp_path)
    result = fetch_works(["10.1234/a", "10.1234/b"], fake_server.url, cache)
    assert list(result.records) == ["10.1234/a"]
    assert "incomplete" in result.failed["10.1234/b"]
    assert not cache.path_for("10.1234/b").exists()


def test_429_waits_as_long_as_retry_after_says(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.queue(FakeResponse(status=429, headers={"Retry-After": "7"}), path="/works")
    fake_server.route("/works", FakeOpenAlex(["10.1234/a"]))
    sleeps: list[float] = []
    http = HttpClient(timeout=5.0, max_retries=2, backoff=0.01, max_wait=60.0, sleep=sleeps.append)
    result = fetch_works(["10.1234/a"], fake_server.url, OpenAlexCache(tmp_path), http=http)
    assert sleeps == [7.0]
    assert list(result.records) == ["10.1234/a"]
    assert result.stats.requests == len(fake_server.requests) == 2


FAULTS = {
    "http-500": FakeResponse(status=500, body=b"Internal Server Error"),
    "http-403": FakeResponse(status=403, body=b'{"error": "budget exhausted"}'),
    "garbage-json": FakeResponse(
        body=b'{"meta": {"count": 1}, "results": [{"id": ', content_type="application/json"
    ),
    "html-200": FakeResponse(
        body=b"<!DOCTYPE html><html><body>Maintenance</body></html>", content_type="text/html"
    ),
    "error-object": FakeResponse(
        body=b'{"error": "Invalid query", "message": "bad filter"}', content_type="application/json"
    ),
    "wrong-shape": FakeResponse(
        body=b'{"meta": {"count": 1}, "results": {"id": 1}}', content_type="application/json"
    ),
    "deep-nesting": FakeResponse(
        body=b"[" * 200_000 + b"]" * 200_000, content_type="application/json"
    ),
    "nan-count": FakeResponse(
        body=b'{"meta": {"count": NaN}, "results": []}', content_type="application/json"
    ),
    "bad-utf8": FakeResponse(
        body=b'{"meta": {"count": 0}, "results": ["\xff"]}', content_type="application/json"
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_on_refresh_keeps_cache_bytes_and_records(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    dois = ["10.1234/a", "10.1234/b", "10.1234/c"]
    fake_server.route("/works", FakeOpenAlex(["10.1234/a", "10.1234/b"]))
    cache = OpenAlexCache(tmp_path)
    first = fetch_works(dois, fake_server.url, cache, http=quick_client())
    before = cache_bytes(tmp_path)
    assert len(before) == 3

    fake_server.route("/works", FAULTS[fault])
    caplog.clear()
    again = fetch_works(dois, fake_server.url, cache, refresh=True, http=quick_client())
    assert cache_bytes(tmp_path) == before
    assert again.records == first.records
    assert again.not_found == first.not_found
    assert set(again.stale) == set(dois)
    assert again.failed == {}
    assert len(warnings_of(caplog)) == 1


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_on_cold_run_fails_every_doi_and_writes_nothing(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    fake_server.route("/works", FAULTS[fault])
    result = fetch_works(
        ["10.1234/a", "10.1234/b"], fake_server.url, OpenAlexCache(tmp_path), http=quick_client()
    )
    assert sorted(result.failed) == ["10.1234/a", "10.1234/b"]
    assert (result.records, result.not_found) == ({}, {})
    assert cache_bytes(tmp_path) == {}
    (warning,) = warnings_of(caplog)
    assert "10.1234/a" in warning


def test_refetch_that_finds_nothing_keeps_the_cached_work(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake_server.route("/works", FakeOpenAlex(["10.1234/a"]))
    cache = OpenAlexCache(tmp_path)
    first = fetch_works(["10.1234/a"], fake_server.url, cache)
    before = cache_bytes(tmp_path)
    fake_server.route("/works", FakeOpenAlex([]))
    again = fetch_works(["10.1234/a"], fake_server.url, cache, refresh=True)
    assert again.records == first.records
    assert "no longer finds" in again.stale["10.1234/a"]
    assert cache_bytes(tmp_path) == before


def test_no_route_goes_offline_with_one_warning_and_uses_the_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = OpenAlexCache(tmp_path)
    cached = parse_work(work_json(5, "10.1234/a"), retrieved=NOW)
    cache.store(CachedAnswer("10.1234/a", NOW, cached))
    cache.store(CachedAnswer("10.1234/z", NOW, None))
    before = cache_bytes(tmp_path)
    result = fetch_works(
        ["10.1234/a", "10.1234/z", "10.1234/b", "10.1234/c"], closed_port_url(), cache
    )
    assert cache_bytes(tmp_path) == before
    assert result.stats.went_offline
    assert result.stats.requests == 1
    assert result.records == {"10.1234/a": cached}
    assert result.not_found == {"10.1234/z": NOW}
    assert sorted(result.failed) == ["10.1234/b", "10.1234/c"]
    (warning,) = warnings_of(caplog)
    assert "offline" in warning


def test_offline_asks_nothing_and_uses_the_cache(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.route("/works", FakeOpenAlex(["10.1234/a", "10.1234/b"]))
    cache = OpenAlexCache(tmp_path)
    old = datetime.now(UTC) - timedelta(days=400)
    cache.store(
        CachedAnswer("10.1234/a", old, parse_work(work_json(5, "10.1234/a"), retrieved=old))
    )
    result = fetch_works(
        ["10.1234/a", "10.1234/b"], fake_server.url, cache, offline=True, max_age=timedelta(days=1)
    )
    assert fake_server.requests == []
    assert list(result.records) == ["10.1234/a"]
    assert result.failed == {"10.1234/b": "offline: not in the cache"}
    assert result.stats.went_offline


@pytest.mark.parametrize(("age_days", "max_age_days", "requests"), [(10, 7, 1), (10, 30, 0)])
def test_max_age_refetches_older_answers(
    fake_server: FakeServer, tmp_path: Path, age_days: int, max_age_days: int, requests: int
) -> None:
    fake_server.route("/works", FakeOpenAlex(["10.1234/a"]))
    cache = OpenAlexCache(tmp_path)
    old = datetime.now(UTC) - timedelta(days=age_days)
    cache.store(CachedAnswer("10.1234/a", old, None))
    result = fetch_works(
        ["10.1234/a"], fake_server.url, cache, max_age=timedelta(days=max_age_days)
    )
    assert len(fake_server.requests) == requests
    assert ("10.1234/a" in result.records) == bool(requests)


def test_refresh_refetches_and_rewrites_the_date(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.route("/works", FakeOpenAlex(["10.1234/a"]))
    cache = OpenAlexCache(tmp_path)
    old = datetime.now(UTC) - timedelta(days=3)
    cache.store(
        CachedAnswer("10.1234/a", old, parse_work(work_json(5, "10.1234/a"), retrieved=old))
    )
    result = fetch_works(["10.1234/a"], fake_server.url, cache, refresh=True)
    assert len(fake_server.requests) == 1
    assert result.records["10.1234/a"].id == "W1000"
    loaded = cache.load("10.1234/a")
    assert loaded is not None and loaded.retrieved > old + timedelta(days=2)


# --------------------------------------------------------------------------- cache on disk


def _stored(tmp_path: Path) -> tuple[OpenAlexCache, Path, dict[str, Any]]:
    """Store one work and return (cache, its file, the file's parsed content)."""
    cache = OpenAlexCache(tmp_path)
    work = parse_work(work_json(5, "10.1234/a"), retrieved=NOW)
    path = cache.store(CachedAnswer("10.1234/a", NOW, work))
    return cache, path, json.loads(path.read_text("utf-8"))


def test_cache_file_has_schema_date_and_independently_checked_checksum(tmp_path: Path) -> None:
    _, path, content = _stored(tmp_path)
    assert path.name == hashlib.sha256(b"10.1234/a").hexdigest() + ".json"
    assert content["schema"] == "genrl-kg/openalex-work"
    assert content["version"] == 1
    assert content["payload"]["retrieved"] == "2026-11-30T12:00:00+00:00"
    assert content["sha256"] == checksum(content["payload"])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def _resigned(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], bytes]:
    """Return a corruption that edits the payload and writes a matching checksum."""

    def corrupt(content: dict[str, Any]) -> bytes:
        change(content["payload"])
        content["sha256"] = checksum(content["payload"])
        return json.dumps(content).encode()  # ensure_ascii: a lone surrogate becomes \ud800

    return corrupt


def _edited(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], bytes]:
    """Return a corruption that edits the file's content and keeps the old checksum."""

    def corrupt(content: dict[str, Any]) -> bytes:
        change(content)
        return json.dumps(content).encode()

    return corrupt


CORRUPTIONS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "bad-json": lambda c: b'{"schema": "genrl-kg/openalex-work", ',
    "deep-nesting": lambda c: b'{"payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a-1": lambda c: b'{"a":1}',
    "bad-utf8": lambda c: json.dumps(c).encode().replace(b"Ada", b"\xffda"),
    "nan": lambda c: (
        json.dumps(c).encode().replace(b'"cited_by_count": 812', b'"cited_by_count": NaN')
    ),
    "checksum-mismatch": _edited(lambda c: c["payload"]["work"].update(cited_by_count=9999)),
    "checksum-missing": _edited(lambda c: c.pop("sha256")),
    "wrong-schema-version": _edited(lambda c: c.update(version=2)),
    "lone-surrogate": _resigned(lambda p: p["work"].update(title="x \ud800 y")),
    "control-char": _resigned(lambda p: p["work"].update(title="x \x1b[2J y")),
    "wrong-shape": _resigned(lambda p: p["work"].update(authorships={"a": 1})),
    "invalid-iri": _resigned(lambda p: p["work"]["open_access"].update(oa_url="https://x.org/a b")),
    "bad-orcid": _resigned(
        lambda p: p["work"]["authorships"][0]["author"].update(
            orcid="https://orcid.org/0000-0002-1825-0098"
        )
    ),
    "other-doi": _resigned(lambda p: p.update(doi="10.1234/b")),
    "work-of-other-doi": _resigned(lambda p: p["work"].update(doi="https://doi.org/10.1234/b")),
    "future-date": _resigned(lambda p: p.update(retrieved="2999-01-01T00:00:00+00:00")),
    "naive-date": _resigned(lambda p: p.update(retrieved="2026-11-30T12:00:00")),
    "extra-key": _resigned(lambda p: p.update(note="hi")),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_bad_cache_file_is_dropped_with_one_warning_and_asked_again(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    cache, path, content = _stored(tmp_path)
    path.write_bytes(CORRUPTIONS[name](copy.deepcopy(content)))
    assert cache.load("10.1234/a") is None
    (warning,) = warnings_of(caplog)
    assert path.name in warning

    caplog.clear()
    fake_server.route("/works", FakeOpenAlex(["10.1234/a"]))
    result = fetch_works(["10.1234/a"], fake_server.url, cache)
    assert len(fake_server.requests) == 1
    assert result.records["10.1234/a"].id == "W1000"
    reloaded = cache.load("10.1234/a")
    assert reloaded is not None and reloaded.work == result.records["10.1234/a"]


def test_valid_cache_file_round_trips(tmp_path: Path) -> None:
    cache, _, _ = _stored(tmp_path)
    loaded = cache.load("10.1234/a")
    assert loaded is not None
    assert loaded.work == parse_work(work_json(5, "10.1234/a"), retrieved=NOW)
    assert loaded.retrieved == NOW
