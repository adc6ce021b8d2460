"""The W3C SPARQL 1.1 Protocol suite (re-encoded in tests/w3c_protocol) against the live server.

The endpoint is read-only (the data comes from `genrl-kg build`), so the suite's 7 update cases
are not applicable as written: each must be refused with 403 naming the read-only policy, and
must change nothing. The 13 query and 14 negative cases run as the suite states them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from w3c_protocol.cases import CASES, Case
from w3c_protocol.harness import build_store, live_server
from w3c_protocol.runner import run_case, suite_quads

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
QUERY_AND_NEGATIVE = [c for c in CASES if c.kind != "update"]
UPDATES = [c for c in CASES if c.kind == "update"]


@pytest.fixture(scope="module")
def read_only_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the suite's graphs (the only mode there is)."""
    store = build_store(tmp_path_factory.mktemp("w3c") / "store", suite_quads())
    with live_server(store, timeout=5.0, workers=2) as url:
        yield url


@pytest.mark.parametrize("case", QUERY_AND_NEGATIVE, ids=[c.name for c in QUERY_AND_NEGATIVE])
def test_query_and_negative_cases(read_only_url: str, case: Case) -> None:
    """Every query case and every negative case of the suite passes."""
    with httpx.Client(timeout=30) as client:
        outcome = run_case(client, read_only_url, case)
    assert outcome.passed, outcome.detail


def _count(client: httpx.Client, url: str) -> int:
    """Return the number of quads the server holds."""
    response = client.get(
        url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/json"}
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("case", UPDATES, ids=[c.name for c in UPDATES])
def test_update_cases_are_refused(read_only_url: str, case: Case) -> None:
    """Not applicable to a read-only endpoint: the update is refused (403) and changes nothing."""
    step = case.steps[0]
    with httpx.Client(timeout=30) as client:
        before = _count(client, read_only_url)
        headers = {"Content-Type": step.content_type} if step.content_type else {}
        response = client.request(
            step.method, read_only_url + step.path, content=step.body, headers=headers
        )
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
        assert _count(client, read_only_url) == before == len(suite_quads())


def test_suite_is_complete() -> None:
    """The re-encoding holds all 34 cases of the manifest: 13 query, 7 update, 14 negative."""
    kinds = [c.kind for c in CASES]
    assert (kinds.count("query"), kinds.count("update"), kinds.count("negative")) == (13, 7, 14)
    assert Path(__file__).parent.joinpath("w3c_protocol", "cases.py").is_file()
