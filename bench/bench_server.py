"""Load-test `genrl-kg serve` against `oxigraph serve-read-only` on the same store.

Three servers on the same store in one run: ours with the response cache off (--cache-mb 0),
ours with it on, and oxigraph. Scenarios (16 keep-alive clients each: wrk when installed,
else Python threads):
  lookup   one-paper lookup by arXiv id, every id in the store in turn (round-robin)
  unique   the same lookups made unique per request by a trailing comment (cache never hits)
  count    papers per category (GROUP BY over every paper)
  mix      lookup load plus 4 clients sending runaway cartesian COUNTs (ours, cache off and on)
The cache hit rate is read from /status of every HTTP process before and after each run.

Usage::

    python bench/bench_server.py                    # synthetic 10k-paper store in a temp dir
    python bench/bench_server.py --store DIR --duration 20 --mix-duration 60
    python bench/bench_server.py --store DIR --client python   # Python load generator

DIR may be a `genrl-kg build --store` directory (its ``current`` database is served).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from genrl_kg.server.running import resolve_database

BASE = "https://w3id.org/genrl-kg/"
GENRL = "https://w3id.org/genrl-kg/ontology#"
DCT = "http://purl.org/dc/terms/"
LOOKUP = f'SELECT ?paper ?title WHERE {{ ?paper <{GENRL}arxivId> "{{id}}" ; <{DCT}title> ?title }}'
COUNT = f"SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p <{DCT}subject> ?c }} GROUP BY ?c"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def arxiv(i: int) -> str:
    """Return the synthetic arXiv id of paper *i*."""
    return f"2{i // 10000:03d}.{i % 10000:05d}"


def make_store(path: Path, papers: int) -> None:
    """Write a synthetic genrl-kg-shaped store with *papers* papers over 40 categories."""
    n, lit, rdf_type = (
        ox.NamedNode,
        ox.Literal,
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    )
    graph = n(BASE + "graph/list")
    quads = []
    for i in range(papers):
        paper = n(f"{BASE}paper/arxiv/{arxiv(i)}")
        quads += [
            ox.Quad(paper, rdf_type, n(GENRL + "Paper"), graph),
            ox.Quad(paper, n(DCT + "title"), lit(f"Synthetic paper {i}"), graph),
            ox.Quad(paper, n(GENRL + "arxivId"), lit(arxiv(i)), graph),
            ox.Quad(paper, n(DCT + "subject"), n(f"{BASE}taxonomy/c{i % 40}"), graph),
            ox.Quad(paper, n(DCT + "subject"), n(f"{BASE}taxonomy/c{(i * 7) % 40}"), graph),
        ]
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int, timeout: float = 60) -> None:
    """Wait until a server answers on *port*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/sparql?query=ASK%7B%7D")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port}")


def tree_rss_mb(pid: int) -> float:
    """Return the resident memory of *pid* and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Client(threading.Thread):
    """One keep-alive client sending queries until *stop* is set."""

    def __init__(
        self, port: int, make_query: object, stop: threading.Event, timeout: float
    ) -> None:
        """Prepare the client."""
        super().__init__(daemon=True)
        self.port, self.make_query, self.stop, self.timeout = port, make_query, stop, timeout
        self.latencies: list[float] = []
        self.errors: dict[int, int] = {}

    def run(self) -> None:
        """Send requests in a loop."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        while not self.stop.is_set():
            query = self.make_query()  # type: ignore[operator]
            path = "/sparql?" + urlencode({"query": query})
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 599
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            elapsed = time.perf_counter() - started
            self.latencies.append(elapsed)
            if status != 200:
                self.errors[status] = self.errors.get(status, 0) + 1


def load(
    port: int, make_query: object, clients: int, duration: float, timeout: float = 30
) -> tuple[list[Client], float]:
    """Run *clients* clients for *duration* s; return (threads, elapsed)."""
    stop = threading.Event()
    threads = [Client(port, make_query, stop, timeout) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout + 5)
    return threads, time.monotonic() - started


def summary(threads: list[Client], elapsed: float) -> dict[str, float]:
    """Return throughput, p50, p99 (ms) and error count."""
    latencies = sorted(x for t in threads for x in t.latencies)
    errors = sum(sum(t.errors.values()) for t in threads)
    if not latencies:
        return {"rps": 0, "p50": 0, "p99": 0, "errors": errors, "n": 0}
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "rps": len(latencies) / elapsed,
        "p50": pick(0.5),
        "p99": pick(0.99),
        "errors": errors,
        "n": len(latencies),
    }


WRK_SCRIPT = """
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local queries = {}
for line in io.lines("%(queries)s") do queries[#queries + 1] = line end
local index = nil
local sent = 0
local unique = %(unique)s
request = function()
  if index == nil then index = (tid * 7919) %% #queries end
  index = index %% #queries + 1
  sent = sent + 1
  local path = queries[index]
  if unique then path = path .. "%%23" .. tostring(tid) .. "-" .. tostring(sent) end
  return wrk.format("GET", path, {["Accept"] = "application/sparql-results+json"})
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("WRK %%d %%f %%f %%f %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status))
end
"""


def wrk_load(
    port: int, paths: list[str], clients: int, duration: float, tmp: Path, unique: bool = False
) -> dict[str, float]:
    """Run wrk with *clients* connections over *paths* in turn; return the summary dict."""
    listing, script = tmp / "paths.txt", tmp / "load.lua"
    listing.write_text("\n".join(paths) + "\n")
    script.write_text(WRK_SCRIPT % {"queries": listing, "unique": "true" if unique else "false"})
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{duration:g}s", "-s", str(script)]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    n, seconds, p50, p99, errors = line.split()[1:]
    return {
        "rps": int(n) / float(seconds),
        "p50": float(p50),
        "p99": float(p99),
        "errors": int(errors),
        "n": int(n),
    }


def store_arxiv_ids(store: Path, fallback: int) -> list[str]:
    """Return the arXiv ids in *store* (or the synthetic ones when it has none)."""
    db = ox.Store.read_only(str(store))
    text = f"SELECT DISTINCT ?a WHERE {{ ?p <{GENRL}arxivId> ?a }} ORDER BY ?a"
    answer = db.query(text, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    ids = [str(row[0].value) for row in answer]
    del db
    return ids or [arxiv(i) for i in range(fallback)]


def round_robin(texts: list[str], unique: bool = False) -> Callable[[], str]:
    """Return a thread-safe maker of the next text in turn (made unique by a comment if asked)."""
    counter = itertools.count()

    def make() -> str:
        n = next(counter)
        text = texts[n % len(texts)]
        return f"{text} #{n}" if unique else text

    return make


def cache_counters(port: int, processes: int) -> tuple[int, int] | None:
    """Return (hits, misses) summed over our HTTP processes, or None when the cache is off."""
    seen: dict[str, tuple[int, int]] = {}
    for _ in range(50 * processes):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/status")
            doc = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        if doc.get("cache") is None:
            return None
        seen[doc["instance"]] = (doc["cache"]["hits"], doc["cache"]["misses"])
        if len(seen) >= processes:
            break
    return sum(h for h, _ in seen.values()), sum(m for _, m in seen.values())


def start_ours(
    store: Path, port: int, args: argparse.Namespace, cache_mb: float
) -> subprocess.Popen[bytes]:
    """Start `run_server` on *port* in a child process."""
    code = (
        "import sys; from pathlib import Path; from genrl_kg.server import run_server; "
        f"run_server(Path({str(store)!r}), '127.0.0.1', {port}, timeout={args.timeout}, "
        f"workers={args.workers}, processes={args.processes}, cache_mb={cache_mb})"
    )
    return subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="an existing store (default: synthetic)")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--mix-duration", type=float, default=60.0, help="0 skips the mix")
    parser.add_argument("--timeout", type=float, default=10.0, help="our server's query deadline")
    parser.add_argument("--workers", type=int, default=2, help="query workers per process")
    parser.add_argument("--processes", type=int, default=2, help="our HTTP processes")
    parser.add_argument("--cache-mb", type=float, default=64.0, help="cache of the cache-on run")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    args = parser.parse_args()
    use_wrk = (args.client or ("wrk" if shutil.which("wrk") else "python")) == "wrk"
    tmp = Path(tempfile.mkdtemp(prefix="genrl-bench-"))
    store = args.store or tmp / "store"
    if not args.store:
        make_store(store, args.papers)
    store = resolve_database(store).resolve()  # a build directory serves current/db
    ids = store_arxiv_ids(store, args.papers)
    off_port, on_port, oxi_port = free_port(), free_port(), free_port()
    off = start_ours(store, off_port, args, 0)
    on = start_ours(store, on_port, args, args.cache_mb)
    oxigraph_bin = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    oxi = subprocess.Popen(
        [
            oxigraph_bin,
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{oxi_port}",
            "--union-default-graph",
        ],
        stderr=subprocess.DEVNULL,
    )
    servers = (
        ("cache off", off_port),
        (f"cache {args.cache_mb:g}MB", on_port),
        ("oxigraph", oxi_port),
    )
    try:
        for port in (off_port, on_port, oxi_port):
            wait_up(port)
        lookups = [LOOKUP.replace("{id}", i) for i in ids]
        print(f"client: {'wrk' if use_wrk else 'python threads'}; {len(ids)} lookup ids")
        print(
            f"{'scenario':<8} {'server':<13} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'vs oxi':>6} {'hits':>6}"
        )
        for name, texts, unique in (
            ("lookup", lookups, False),
            ("count", [COUNT], False),
            ("unique", lookups, True),
        ):
            rows = []
            for label, port in servers:
                before = cache_counters(port, args.processes) if port != oxi_port else None
                if use_wrk:
                    paths = ["/sparql?" + urlencode({"query": t}) for t in texts]
                    s = wrk_load(port, paths, args.clients, args.duration, tmp, unique)
                else:
                    s = summary(
                        *load(port, round_robin(texts, unique), args.clients, args.duration)
                    )
                after = cache_counters(port, args.processes) if before is not None else None
                hit_rate = "-"
                if before is not None and after is not None:
                    hits, misses = after[0] - before[0], after[1] - before[1]
                    hit_rate = f"{100 * hits / max(hits + misses, 1):.1f}%"
                rows.append((label, s, hit_rate))
            oxi_rps = max(rows[-1][1]["rps"], 1)
            for label, s, hit_rate in rows:
                print(
                    f"{name:<8} {label:<13} {s['rps']:>8.0f} {s['p50']:>7.1f} {s['p99']:>7.1f} "
                    f"{s['errors']:>6} {s['rps'] / oxi_rps:>6.2f} {hit_rate:>6}",
                    flush=True,
                )
        if args.mix_duration > 0:
            for label, server, port in (("cache off", off, off_port), ("cache on", on, on_port)):
                mix(label, server, port, round_robin(lookups), args)
    finally:
        for process in (off, on, oxi):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def mix(
    label: str,
    server: subprocess.Popen[bytes],
    port: int,
    lookup: object,
    args: argparse.Namespace,
) -> None:
    """Normal lookups plus 4 runaway clients on our server; memory sampled every second."""
    stop = threading.Event()
    normal = [Client(port, lookup, stop, 30) for _ in range(args.clients)]
    runaway = [Client(port, lambda: RUNAWAY, stop, args.timeout + 20) for _ in range(4)]
    peak = 0.0
    started = time.monotonic()
    for thread in normal + runaway:
        thread.start()
    while time.monotonic() - started < args.mix_duration:
        peak = max(peak, tree_rss_mb(server.pid))
        time.sleep(1)
    stop.set()
    for thread in normal + runaway:
        thread.join(args.timeout + 30)
    elapsed = time.monotonic() - started
    s = summary(normal, elapsed)
    r = [x for t in runaway for x in t.latencies]
    r_errors = sum(sum(t.errors.values()) for t in runaway)
    print(
        f"mix ({label}): normal {s['rps']:.0f} req/s p50 {s['p50']:.1f} ms p99 {s['p99']:.1f} ms "
        f"errors {s['errors']}; runaways {len(r)} answered, {r_errors} with an error, "
        f"slowest {max(r, default=0):.1f} s (deadline {args.timeout:g} s); peak RSS {peak:.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
