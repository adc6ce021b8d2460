"""Run the hostile inputs of issue 11 through the real CLI and record what each one costs.

Every hostile input is made here: the pinned list and tables are copied into a temp dir and
changed there; tables, cache files and servers are generated. Each case runs ``genrl-kg`` from
this venv as a subprocess against a store copy that already holds a good build, and records the
exit code, the message (first stderr line that is not progress or the offline arXiv notice),
whether a traceback was printed, wall time, peak RSS of the child (RUSAGE_CHILDREN of a small wrapper), and whether the
live store was untouched (``current`` target and a hash of ``export --format nq``).

Usage::

    python bench/bench_hostile.py                          # every case (about 6-9 minutes)
    python bench/bench_hostile.py --list
    python bench/bench_hostile.py --case nested-11 --case esc-title --json before.json
    python bench/bench_hostile.py --timeout 60 --keep      # keep the temp dir for a look

Needs ../shared/upstream/<commit> beside the project (stops with a message when absent).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

__all__ = ["CASES", "Bench", "Result", "main"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
COMMIT = "3a091cc571bb16dd9e20809563b2fb788c90ed79"
UPSTREAM = PROJECT_ROOT.parent / "shared" / "upstream" / COMMIT
CLI = Path(sys.executable).with_name("genrl-kg")
BASE = "https://w3id.org/genrl-kg/"
GENRL = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
WD_ENTITY = "http://www.wikidata.org/entity/"
ARXIV_ID = "2305.12487"  # first entry of the list: "Augmenting Autotelic Agents ..."
ARXIV_TITLE = "Augmenting Autotelic Agents with Large Language Models"
FAKE_WD = "http://127.0.0.1:9/sparql"  # endpoint the seeded Wikidata answers are filed under
TABLE = "Diffusion_Models_for_RL_Table.xlsx"
NOISE = re.compile(
    r"^\s*\u2026 |arXiv: \d+ identifiers not enriched|arXiv: \d+ paper\(s\) not enriched"
    r"|^arXiv: \d+ fetched|^\s*$"
)
NQ = re.compile(r"^(\S+) <([^>]*)> (.*) <([^>]*)> \.$")
TRACEBACK = "Traceback (most recent call last)"
EXPORT_PARSERS = {
    "turtle": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
DNS_HOOK = '''"""Log every name lookup of this process (bench_hostile, case dns-local-query)."""
import os
import socket

_LOG = os.environ.get("HOSTILE_DNS_LOG")


def _wrap(name):
    original = getattr(socket, name)

    def logged(host, *args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(f"{name} {host}\\n")
        return original(host, *args, **kwargs)

    setattr(socket, name, logged)


if _LOG:
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        _wrap(_name)
'''


# --- running a child ----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One finished child: exit code (None on timeout), output, wall time and peak RSS."""

    exit: int | None
    stdout: str
    stderr: str
    wall: float
    peak_mb: float | None


# A fresh, small process between the bench and each child: a child forked from the bench
# itself would report the bench's own peak RSS as its ru_maxrss (Linux carries the high-water
# mark across fork and exec). The wrapper enforces the time limit, so the peak of a child
# killed at the limit is still measured, and it ignores SIGTERM (a server's group gets it).
WRAPPER = """
import json, signal, subprocess, sys, resource
report, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
child = subprocess.Popen(cmd)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
try:
    code = child.wait(timeout=limit if limit > 0 else None)
except subprocess.TimeoutExpired:
    child.kill()
    child.wait()
    code = None
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as out:
    json.dump({"exit": code, "peak_kb": peak}, out)
"""


def wrapped(cmd: list[str], report: Path, limit: float) -> list[str]:
    """Return *cmd* run by the measuring wrapper (0: no time limit), reporting to *report*."""
    return [sys.executable, "-c", WRAPPER, str(report), str(limit), *cmd]


def _reap(pid: int, deadline: float) -> None:
    """Wait for *pid* until *deadline* (then kill its process group), and reap it.

    The child is left a zombie until its group has been killed, so its pid, and with it the
    group id, cannot have been reused by then.
    """
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # a stuck wrapper, or strays of the group
    os.waitpid(pid, 0)


def read_report(report: Path) -> tuple[int | None, float | None]:
    """Return (exit, peak MB) from the wrapper's report; exit None after the time limit."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return None, None
    return data["exit"], data["peak_kb"] / 1024


def run(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run *cmd* under the wrapper in its own process group, with a time limit.

    The child runs in the temp directory, so no package in the current directory shadows
    the code under test.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "report.json"
        start = time.monotonic()
        proc = subprocess.Popen(
            wrapped(cmd, report, timeout),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            cwd=tempfile.gettempdir(),
        )
        _reap(proc.pid, start + timeout + 30)
        wall = time.monotonic() - start
        code, peak = read_report(report)
        proc.returncode = -1 if code is None else code
        out.seek(0)
        err.seek(0)
        return Run(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            wall,
            peak,
        )


def message_of(text: str) -> str:
    """Return the message of a child's stderr (after a traceback: the exception line).

    Otherwise it is the first line that is not progress or the offline arXiv notice.
    """
    lines = [line.rstrip() for line in text.splitlines() if not NOISE.search(line)]
    if TRACEBACK in text:
        last = next((line for line in reversed(lines) if line.strip()), "")
        return f"[traceback] {last.strip()}"
    return lines[0].strip() if lines else "(none)"


def short(text: str, limit: int = 160) -> str:
    """Return *text* on one line, cut to *limit* characters."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


# --- the store ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreFacts:
    """What a store holds, from its N-Quads export."""

    target: str
    sha256: str
    quads: int
    papers: int
    subjects: int
    per_graph: dict[str, int]
    nq: str
    paper_iris: frozenset[str]

    def objects(self, predicate: str, graph: str | None = None) -> list[tuple[str, str]]:
        """Return (subject, object) of every quad with *predicate* (in *graph* if given)."""
        found = []
        for line in self.nq.splitlines():
            m = NQ.match(line)
            if m and m.group(2) == predicate and (graph is None or m.group(4) == graph):
                found.append((m.group(1), m.group(3)))
        return found


def store_facts(cli: Callable[..., Run], store: Path) -> StoreFacts:
    """Export *store* as N-Quads and count quads, papers and their subjects."""
    link = store / "current"
    target = os.readlink(link) if link.is_symlink() else "(none)"
    exported = cli(["export", "--store", str(store), "--format", "nq"])
    text = exported.stdout if exported.exit == 0 else ""
    papers: set[str] = set()
    subjects: dict[str, set[str]] = {}
    per_graph: dict[str, int] = {}
    for line in text.splitlines():
        m = NQ.match(line)
        if not m:
            continue
        s, p, o, g = m.groups()
        per_graph[g] = per_graph.get(g, 0) + 1
        if p == RDF_TYPE and o == f"<{GENRL}Paper>":
            papers.add(s)
        elif p == DCT + "subject":
            subjects.setdefault(s, set()).add(o)
    cats = {o for s in papers for o in subjects.get(s, ())}
    digest = hashlib.sha256(text.encode()).hexdigest() if text else "(export failed)"
    return StoreFacts(
        target,
        digest,
        len(text.splitlines()),
        len(papers),
        len(cats),
        per_graph,
        text,
        frozenset(papers),
    )


# --- results ------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table (and of the JSON)."""

    case: str
    issue: str
    exit: str = "-"
    message: str = ""
    traceback: bool | None = None
    wall_s: float | None = None
    peak_mb: float | None = None
    untouched: str = "-"
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def take(self, done: Run) -> None:
        """Copy exit code, message, traceback flag, wall time and peak RSS from *done*."""
        self.exit = "timeout" if done.exit is None else str(done.exit)
        self.message = message_of(done.stderr) if done.exit is not None else "(killed at limit)"
        self.traceback = TRACEBACK in done.stderr
        self.wall_s = round(done.wall, 2)
        self.peak_mb = None if done.peak_mb is None else round(done.peak_mb, 1)
        warnings = [ln for ln in done.stderr.splitlines() if ln.startswith("warning:")]
        warnings = [ln for ln in warnings if not NOISE.search(ln)]
        self.details["warnings"] = len(warnings)
        summary = [ln for ln in done.stderr.splitlines() if re.match(r"arXiv: \d+ fetched", ln)]
        if summary:
            self.details["arxiv_summary"] = summary[-1].strip()
        self.details["stdout_tail"] = short(done.stdout[-300:], 300)


# --- the bench ----------------------------------------------------------------------------


class Bench:
    """The temp dir, the baseline store and helpers the cases share."""

    def __init__(self, work: Path, timeout: float, code_root: Path = PROJECT_ROOT) -> None:
        """Use *work* as scratch space; *timeout* seconds per child; docs from *code_root*."""
        self.work = work
        self.code_root = code_root
        self.timeout = timeout
        self.base_store = work / "base-store"
        self.empty_cache = work / "empty-cache"
        self.empty_cache.mkdir()
        self.baseline: StoreFacts | None = None
        self.header = read_header(UPSTREAM / TABLE)

    def cli(self, args: list[str], env: dict[str, str] | None = None) -> Run:
        """Run ``genrl-kg *args*`` with the time limit."""
        return run([str(CLI), *args], self.timeout, env)

    def facts(self, store: Path) -> StoreFacts:
        """Return the facts of *store*."""
        return store_facts(lambda args: self.cli(args), store)

    def case_dir(self, name: str) -> Path:
        """Return a fresh directory for case *name*."""
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def store_copy(self, name: str) -> Path:
        """Return a copy of the baseline store for case *name* (symlinks kept)."""
        target = self.work / name / "store"
        shutil.copytree(self.base_store, target, symlinks=True)
        return target

    def source(
        self,
        name: str,
        edit: Callable[[str], str] | None = None,
        tables: dict[str, Callable[[Path], None]] | None = None,
        folder: str = COMMIT,
    ) -> Path:
        """Copy the upstream files into a folder of case *name*, then change them."""
        src = self.work / name / folder
        src.mkdir(parents=True)
        for path in sorted(UPSTREAM.iterdir()):
            if path.is_file():
                shutil.copyfile(path, src / path.name)
        if edit is not None:
            readme = src / "README.md"
            readme.write_text(edit(readme.read_text(encoding="utf-8")), encoding="utf-8")
        for table, writer in (tables or {}).items():
            (src / table).unlink(missing_ok=True)
            writer(src / table)
        return src

    def build(
        self, result: Result, src: Path, store: Path, cache: Path | None = None
    ) -> StoreFacts:
        """Build *src* into *store* (offline, enrich on); fill *result*; return the store's facts."""
        done = self.cli(
            [
                "build",
                "--source",
                str(src),
                "--store",
                str(store),
                "--offline",
                "--cache",
                str(cache or self.empty_cache),
            ]
        )
        result.take(done)
        after = self.facts(store)
        self.compare(result, after)
        return after

    def compare(self, result: Result, after: StoreFacts) -> None:
        """Say whether the store is as the baseline left it; note paper counts if not."""
        base = self.baseline
        assert base is not None
        if after.target == base.target and after.sha256 == base.sha256:
            result.untouched = "yes"
            return
        how = "swapped" if after.target != base.target else "changed in place"
        result.untouched = f"no ({how})"
        result.notes.append(
            f"store now {after.papers} papers (base {base.papers}), {after.subjects} subjects "
            f"(base {base.subjects}), {after.quads} quads (base {base.quads})"
        )
        result.details.update(papers=after.papers, subjects=after.subjects, quads=after.quads)
        deltas = {
            g.rsplit("/", 1)[-1]: after.per_graph.get(g, 0) - base.per_graph.get(g, 0)
            for g in sorted(set(after.per_graph) | set(base.per_graph))
        }
        changed = ", ".join(f"{g} {d:+d}" for g, d in deltas.items() if d)
        result.notes.append(f"quads by graph: {changed or 'same counts'}")
        new = sorted(after.paper_iris - base.paper_iris)
        if new:
            shown = ", ".join(p.strip("<>").removeprefix(BASE) for p in new[:3])
            result.notes.append(f"new papers: {shown}" + (" \u2026" if len(new) > 3 else ""))


def read_header(path: Path) -> list[str]:
    """Return the header row of the real table *path* (trailing empty cells dropped)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        row = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True))
    finally:
        workbook.close()
    cells = [str(c) if c is not None else "" for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


# --- hostile inputs -----------------------------------------------------------------------


def insert_before(text: str, prefix: str, new: list[str]) -> str:
    """Insert *new* lines before the first line that starts with *prefix*."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    return "\n".join([*lines[:at], *new, *lines[at:]])


def insert_after(text: str, needle: str, new: list[str]) -> str:
    """Insert *new* lines after the first line that contains *needle*."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if needle in line) + 1
    return "\n".join([*lines[:at], *new, *lines[at:]])


def long_title(size: int) -> Callable[[str], str]:
    """Return an edit that pads the first entry's title to a line of *size* bytes."""

    def edit(text: str) -> str:
        filler = ("generative policy reward model " * (size // 31 + 1))[:size]
        line = f" - {ARXIV_TITLE} {filler} [[paper]](https://arxiv.org/abs/{ARXIV_ID})"
        return "\n".join(line if ARXIV_TITLE in ln else ln for ln in text.split("\n"))

    return edit


def write_table_rows(path: Path, header: list[str], rows: int, seed: int = 11) -> None:
    """Write a table named like the real one: the real header and *rows* made-up rows."""
    from openpyxl import Workbook

    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from xlsx_fixtures import WORDS as words

    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for i in range(rows):
        key = f"{rng.choice(words)}{2018 + i % 8}{rng.choice(words)}{i}"
        sheet.append([key] + [rng.choice(words) for _ in header[1:]])
    workbook.save(path)


def write_million_rows(path: Path, header: list[str], rows: int = 1_000_000) -> None:
    """Write the real header (openpyxl write_only), then *rows* one-cell rows.

    The data rows are written without ``r`` attributes (valid OOXML) so the archive stays
    under the 32 MiB unpacked cap: openpyxl's own rows take about 60 bytes each. The writer is
    the tests' own (tests/xlsx_fixtures.py).
    """
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from xlsx_fixtures import write_one_cell_rows

    write_one_cell_rows(path, rows, header)


def write_million_rows_plain(path: Path, header: list[str], rows: int = 1_000_000) -> None:
    """Write the real header and *rows* one-cell rows with openpyxl write_only as it comes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(header)
    for i in range(rows):
        sheet.append([i])
    workbook.save(path)


def arxiv_record(title: str = ARXIV_TITLE, pdf_url: str | None = None) -> dict[str, Any]:
    """Return an arXiv cache file's content as genrl_kg/sources/arxiv/cache.py writes it."""
    retrieved = "2025-11-01T00:00:00+00:00"
    return {
        "format": 1,
        "retrieved": retrieved,
        "record": {
            "arxiv_id": ARXIV_ID,
            "version": 1,
            "title": title,
            "authors": [{"name": "Cedric Colas", "affiliations": []}],
            "abstract": "A made-up abstract for the benchmark.",
            "published": "2023-05-21",
            "updated": "2023-05-21",
            "primary_category": "cs.AI",
            "categories": ["cs.AI"],
            "doi": None,
            "journal_ref": None,
            "comment": None,
            "pdf_url": pdf_url or f"http://arxiv.org/pdf/{ARXIV_ID}v1",
            "abs_url": f"http://arxiv.org/abs/{ARXIV_ID}v1",
            "retrieved": retrieved,
        },
    }


def wikidata_record(value: Any, key: str = ARXIV_ID) -> dict[str, Any]:
    """Return a Wikidata cache file as genrl_kg/sources/wikidata/cache.py writes it (kind arxiv)."""
    answer = {"retrieved": "2025-11-01T00:00:00+00:00", "value": value}
    return {"format": 1, "kind": "arxiv", "key": key, "answers": {FAKE_WD: answer}}


def deep_json(depth: int = 100_000) -> bytes:
    """Return a cache-shaped JSON document with an array nested *depth* levels."""
    return b'{"format": 1, "record": ' + b"[" * depth + b"]" * depth + b"}"


def seed_cache(root: Path, arxiv: bytes | None = None, wikidata: bytes | None = None) -> Path:
    """Write a cache dir: a good arXiv and Wikidata file unless replaced by the bytes given."""
    good_arxiv = json.dumps(arxiv_record(), indent=1, sort_keys=True).encode()
    good_wd = json.dumps(wikidata_record(["Q4115189"]), indent=1, sort_keys=True).encode()
    (root / "arxiv").mkdir(parents=True)
    (root / "wikidata" / "arxiv").mkdir(parents=True)
    (root / "arxiv" / f"{ARXIV_ID}.json").write_bytes(arxiv or good_arxiv)
    (root / "wikidata" / "arxiv" / f"{ARXIV_ID}.json").write_bytes(wikidata or good_wd)
    return root


# --- small servers ------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP request to 127.0.0.1:*port*; return status, headers (lower case), body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class Serve:
    """``genrl-kg serve`` on a free port, under the wrapper, in its own process group."""

    def __init__(self, store: Path, log: Path, *extra: str, **env: str) -> None:
        """Start the server on *store*, stderr to *log*; wait until /health answers."""
        self.port = free_port()
        self.log = log
        self.report = log.with_suffix(".rusage.json")
        cmd = [str(CLI), "serve", "--store", str(store), "--port", str(self.port), *extra]
        with log.open("wb") as err:
            self.proc = subprocess.Popen(
                wrapped(cmd, self.report, 0),
                stdout=subprocess.DEVNULL,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **env},
                cwd=tempfile.gettempdir(),
            )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited at start: {self.stderr()[-300:]}")
            with contextlib.suppress(OSError):
                if request(self.port, "GET", "/health")[0] == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("serve did not answer /health within 40 s")

    def stderr(self) -> str:
        """Return what the server wrote to stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> tuple[int | None, float | None]:
        """SIGTERM the process group, SIGKILL after 15 s; return (exit, peak MB)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        _reap(self.proc.pid, time.monotonic() + 15)
        self.proc.returncode = 0
        return read_report(self.report)


@contextlib.contextmanager
def canned_server(answer: Callable[[str], tuple[int, str, bytes]]) -> Iterator[int]:
    """Serve *answer*(request text) -> (status, content type, body) on a free port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def _reply(self, text: str) -> None:
            status, kind, body = answer(text)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(self.path)

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            self._reply(self.rfile.read(size).decode("utf-8", "replace"))

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


# --- cases: the list and the tables (1, 2, 3, 4, 5) ---------------------------------------


def build_case(
    bench: Bench,
    name: str,
    issue: str,
    edit: Callable[[str], str] | None = None,
    tables: dict[str, Callable[[Path], None]] | None = None,
) -> tuple[Result, StoreFacts]:
    """Build a changed copy of the upstream into a copy of the good store."""
    result = Result(name, issue)
    bench.case_dir(name)
    src = bench.source(name, edit, tables)
    after = bench.build(result, src, bench.store_copy(name))
    return result, after


def case_baseline(bench: Bench) -> Result:
    """The unchanged pinned upstream into an empty store: the reference for every case."""
    result = Result("baseline", "-")
    src = bench.source("baseline-src")
    result.take(
        bench.cli(
            [
                "build",
                *("--source", str(src), "--store", str(bench.base_store)),
                *("--offline", "--cache", str(bench.empty_cache)),
            ]
        )
    )
    bench.baseline = bench.facts(bench.base_store)
    base = bench.baseline
    result.untouched = "(new store)"
    which = run([sys.executable, "-c", "import genrl_kg; print(genrl_kg.__file__)"], 60)
    result.notes.append(f"code: {which.stdout.strip() or which.stderr.strip()[-100:]}")
    result.notes.append(
        f"{base.papers} papers, {base.subjects} subjects, {base.quads} quads, current={base.target}"
    )
    result.details.update(papers=base.papers, subjects=base.subjects, quads=base.quads)
    return result


def case_nested_11(bench: Bench) -> Result:
    """Eleven nested list markers on one line before '## RL for Generative Policies'."""
    line = "- - - - - - - - - - - Deep [[paper]](https://arxiv.org/abs/2501.00001)"
    edit = lambda t: insert_before(t, "## RL for Generative Policies", [line, ""])  # noqa: E731
    return build_case(bench, "nested-11", "1", edit)[0]


def case_indent_1000(bench: Bench) -> Result:
    """A list nested 1,000 levels deep after the first subsection (18 entries)."""
    lines = ["", *(" " * (2 * i) + f"- level {i}" for i in range(1000)), ""]
    edit = lambda t: insert_before(t, "##### 2.VLMs for reward learning", lines)  # noqa: E731
    return build_case(bench, "indent-1000", "1", edit)[0]


def case_line_1mb(bench: Bench) -> Result:
    """The first entry's line padded to 1 MB."""
    return build_case(bench, "line-1mb", "2", long_title(2**20))[0]


def case_line_4mb(bench: Bench) -> Result:
    """The first entry's line padded to 4 MB (the file cap is 20 MB)."""
    return build_case(bench, "line-4mb", "2", long_title(4 * 2**20))[0]


def _table_case(bench: Bench, name: str, writer: Callable[[Path, list[str]], None]) -> Result:
    """Replace the diffusion-models table with *writer*'s file; note its sizes."""
    sizes: dict[str, int] = {}

    def write(path: Path) -> None:
        writer(path, bench.header)
        with zipfile.ZipFile(path) as archive:
            sizes["unpacked"] = sum(i.file_size for i in archive.infolist())
        sizes["file"] = path.stat().st_size

    start = time.monotonic()
    result, _ = build_case(bench, name, "2", tables={TABLE: write})
    result.notes.insert(
        0, f"{TABLE}: {sizes['file'] / 1e6:.2f} MB file, {sizes['unpacked'] / 1e6:.1f} MB unpacked"
    )
    result.details.update(sizes, setup_and_run_s=round(time.monotonic() - start, 1))
    return result


def case_table_5000(bench: Bench) -> Result:
    """A 5,000-row table with the real header, named like the real one."""
    return _table_case(bench, "table-5000", lambda p, h: write_table_rows(p, h, 5000))


def case_table_1m(bench: Bench) -> Result:
    """A table of one million one-cell rows, about 31 MB unpacked (under the 32 MiB cap)."""
    return _table_case(bench, "table-1m", write_million_rows)


def case_table_1m_openpyxl(bench: Bench) -> Result:
    """One million one-cell rows straight from openpyxl write_only (about 60 MB unpacked)."""
    return _table_case(bench, "table-1m-openpyxl", write_million_rows_plain)


def _unicode_case(bench: Bench, name: str, arxiv_id: str) -> Result:
    """Add one entry whose arXiv link has non-ASCII digits."""
    line = f" - Unicode digits paper {name} [[paper]](https://arxiv.org/abs/{arxiv_id})"
    result, after = build_case(bench, name, "3", lambda t: insert_after(t, ARXIV_TITLE, [line]))
    kept = [o for _, o in after.objects(GENRL + "arxivId") if not o.isascii()]
    result.notes.append(f"non-ASCII arxivId literals in store: {len(kept)}")
    return result


def case_arxiv_fullwidth(bench: Bench) -> Result:
    """``abs/1706.\\uff10\\uff13...``: fullwidth digits in an arXiv link."""
    return _unicode_case(bench, "arxiv-fullwidth", "1706.\uff10\uff13\uff17\uff16\uff12")


def case_arxiv_arabic(bench: Bench) -> Result:
    """Arabic-Indic digits in an arXiv link."""
    digits = "".join(chr(0x0660 + int(d)) for d in "1706")
    rest = "".join(chr(0x0660 + int(d)) for d in "03762")
    return _unicode_case(bench, "arxiv-arabic", f"{digits}.{rest}")


def case_link_schemes(bench: Bench) -> Result:
    """data:, mailto: and ftp: links as entries; count non-http(s) genrl:listedLink objects."""
    links = [
        "data:image/png;base64,iVBORw0KGgo=",
        "mailto:someone@example.org",
        "ftp://127.0.0.1/x",
    ]
    lines = [f" - Scheme paper {i} [[paper]]({url})" for i, url in enumerate(links)]
    result, _ = build_case(
        bench, "link-schemes", "4", lambda t: insert_after(t, ARXIV_TITLE, lines)
    )
    rq = bench.work / "link-schemes" / "non-http-links.rq"
    rq.write_text(
        f"PREFIX genrl: <{GENRL}>\nSELECT ?paper ?link WHERE {{ ?paper genrl:listedLink ?link .\n"
        '  FILTER(!STRSTARTS(STR(?link), "http://") && !STRSTARTS(STR(?link), "https://")) }\n',
        encoding="utf-8",
    )
    store = bench.work / "link-schemes" / "store"
    done = bench.cli(["query", str(rq), "--store", str(store), "--format", "csv"])
    rows = [r for r in done.stdout.splitlines()[1:] if r.strip()] if done.exit == 0 else []
    result.notes.append(
        f"non-http(s) listedLink: {len(rows)}" if done.exit == 0 else f"query failed: {done.exit}"
    )
    result.details["non_http_links"] = [short(r, 120) for r in rows]
    papers = sorted({r.split(",")[0] for r in rows if r.startswith(BASE)})
    if papers:
        result.notes.append(_rendered_links(bench, store, papers))
    return result


def _rendered_links(bench: Bench, store: Path, papers: list[str]) -> str:
    """Return the non-http(s) hrefs the resource pages of *papers* render."""
    server = Serve(store, bench.work / "link-schemes" / "serve.log", "--workers", "1")
    found = []
    try:
        for paper in papers:
            path = "/resource/" + paper[len(BASE) :]
            status, _, body = request(server.port, "GET", path, {"Accept": "text/html"})
            hrefs = re.findall(rb'href="(data:|mailto:|ftp:)', body)
            found += [f"{status} {m.decode()}" for m in hrefs]
    finally:
        server.stop()
    return f"resource pages of {len(papers)} papers render non-http(s) hrefs: {found or 'none'}"


def case_esc_title(bench: Bench) -> Result:
    """A title with ESC; every export parsed again with rdflib (the second parser)."""
    line = " - Escape \x1b[31m title [[paper]](https://arxiv.org/abs/2501.00011)"
    result, after = build_case(
        bench, "esc-title", "5", lambda t: insert_after(t, ARXIV_TITLE, [line])
    )
    escaped = any(mark in after.nq for mark in ("\\u001B", "\\u001b", "\x1b"))
    result.notes.append(f"ESC in the store's nq export: {'yes' if escaped else 'no'}")
    if result.exit != "0":
        result.notes.append("build failed: exports not checked")
        return result
    import rdflib

    store = bench.work / "esc-title" / "store"
    verdicts = {}
    for fmt, parser in EXPORT_PARSERS.items():
        out = bench.work / "esc-title" / f"export.{fmt}"
        done = bench.cli(["export", "--store", str(store), "--format", fmt, "-o", str(out)])
        if done.exit != 0:
            verdicts[fmt] = f"export exit {done.exit}: {message_of(done.stderr)}"
            continue
        try:
            rdflib.Dataset().parse(out, format=parser)
            verdicts[fmt] = "ok"
        except Exception as exc:  # any parser failure is the finding
            verdicts[fmt] = f"NOT well-formed ({type(exc).__name__}: {short(str(exc), 80)})"
    result.details["exports"] = verdicts
    result.notes.append("rdflib re-parse: " + ", ".join(f"{k} {v}" for k, v in verdicts.items()))
    return result


# --- cases: caches (6) --------------------------------------------------------------------


def _cache_case(
    bench: Bench, name: str, arxiv: bytes | None = None, wikidata: bytes | None = None
) -> Result:
    """Build offline from a seeded cache; note what reached the arXiv and links graphs."""
    result = Result(name, "6")
    bench.case_dir(name)
    cache = seed_cache(bench.work / name / "cache", arxiv, wikidata)
    src = bench.source(name)
    after = bench.build(result, src, bench.store_copy(name), cache)
    same = [o for _, o in after.objects(OWL_SAME_AS)]
    odd = [o for o in same if o.startswith(f"<{WD_ENTITY}") and not re.match(r"<.*/Q\d+>$", o)]
    arxiv_quads = after.per_graph.get(BASE + "graph/arxiv", 0)
    summary = str(result.details.get("arxiv_summary", ""))
    result.notes.append(
        f"arxiv graph {arxiv_quads} quads; owl:sameAs {len(same)}, non-Q wd items {odd or 0}"
        + (f"; {summary}" if summary else "")
    )
    return result


def _link_offline_case(bench: Bench, name: str, wikidata: bytes) -> Result:
    """``link wikidata --offline`` over a seeded Wikidata cache and a good store."""
    result = Result(name, "6")
    bench.case_dir(name)
    cache = seed_cache(bench.work / name / "cache", wikidata=wikidata)
    store = bench.store_copy(name)
    done = bench.cli(
        [
            *("link", "wikidata", "--offline", "--store", str(store)),
            *("--cache", str(cache), "--endpoint", FAKE_WD),
        ]
    )
    result.take(done)
    bench.compare(result, bench.facts(store))
    papers = next((ln for ln in done.stdout.splitlines() if ln.startswith("papers:")), "")
    result.notes.append(short(papers) or "no report")
    return result


def case_cache_good(bench: Bench) -> Result:
    """Control: a good arXiv record and a good Wikidata answer for the first entry."""
    return _cache_case(bench, "cache-good")


def case_cache_arxiv_deep(bench: Bench) -> Result:
    """An arXiv cache file nested 100,000 levels deep."""
    return _cache_case(bench, "cache-arxiv-deep", arxiv=deep_json())


def case_cache_arxiv_surrogate(bench: Bench) -> Result:
    r"""A lone surrogate (\ud800) in a cached arXiv title."""
    data = json.dumps(arxiv_record(title="Augmenting \ud800 Autotelic Agents")).encode()
    return _cache_case(bench, "cache-arxiv-surrogate", arxiv=data)


def case_cache_arxiv_bad_iri(bench: Bench) -> Result:
    """An invalid IRI in a cached pdf_url."""
    data = json.dumps(arxiv_record(pdf_url="http://arxiv.org/pdf/2305 12487<v1>")).encode()
    return _cache_case(bench, "cache-arxiv-bad-iri", arxiv=data)


WD_DEEP = b'{"format": 1, "kind": "arxiv", "key": "' + ARXIV_ID.encode() + b'", "answers": '
WD_CASES = {
    "deep": WD_DEEP + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "shape": json.dumps(wikidata_record([{"item": "Q4115189"}])).encode(),
    "dict": json.dumps(wikidata_record({"a": 1})).encode(),
}


def case_cache_wd_deep(bench: Bench) -> Result:
    """A Wikidata cache file nested 100,000 levels deep (build reads it)."""
    return _cache_case(bench, "cache-wd-deep", wikidata=WD_CASES["deep"])


def case_cache_wd_shape(bench: Bench) -> Result:
    """A Wikidata answer of the wrong shape (a list of objects, not Q-ids)."""
    return _cache_case(bench, "cache-wd-shape", wikidata=WD_CASES["shape"])


def case_cache_wd_dict(bench: Bench) -> Result:
    """A cached Wikidata answer {"a": 1}."""
    return _cache_case(bench, "cache-wd-dict", wikidata=WD_CASES["dict"])


def case_link_wd_deep(bench: Bench) -> Result:
    """``link wikidata --offline`` reading the deeply nested Wikidata cache file."""
    return _link_offline_case(bench, "link-offline-wd-deep", WD_CASES["deep"])


def case_link_wd_shape(bench: Bench) -> Result:
    """``link wikidata --offline`` reading the wrong-shape answer."""
    return _link_offline_case(bench, "link-offline-wd-shape", WD_CASES["shape"])


def case_link_wd_dict(bench: Bench) -> Result:
    """``link wikidata --offline`` reading the answer {"a": 1}."""
    return _link_offline_case(bench, "link-offline-wd-dict", WD_CASES["dict"])


# --- cases: the server and the CLI (7-12) ---------------------------------------------------


def _serve_case(
    bench: Bench, name: str, issue: str, probe: Callable[[Serve, Result], None], *extra: str
) -> Result:
    """Start ``serve`` on a store copy, run *probe*, stop it, check the store."""
    result = Result(name, issue)
    bench.case_dir(name)
    store = bench.store_copy(name)
    start = time.monotonic()
    server = Serve(store, bench.work / name / "serve.log", *extra)
    try:
        probe(server, result)
    finally:
        code, peak = server.stop()
    result.wall_s = round(time.monotonic() - start, 2)
    result.peak_mb = None if peak is None else round(peak, 1)
    result.details["serve_exit_after_sigterm"] = code
    result.traceback = TRACEBACK in server.stderr()
    bench.compare(result, bench.facts(store))
    return result


def case_resource_unknown(bench: Bench) -> Result:
    """``/resource/<unknown>`` in every format, next to a known paper."""

    def probe(server: Serve, result: Result) -> None:
        answers = {}
        for path in (f"paper/arxiv/{ARXIV_ID}", "paper/arxiv/0000.00000"):
            for accept in (
                "text/turtle",
                "application/ld+json",
                "application/n-triples",
                "text/html",
            ):
                status, _, body = request(
                    server.port, "GET", f"/resource/{path}", {"Accept": accept}
                )
                answers[f"{path} {accept}"] = [status, len(body)]
        result.details["answers"] = answers
        unknown = {k.split()[1]: v for k, v in answers.items() if "0000" in k}
        result.message = "unknown: " + ", ".join(f"{a} {s}/{n} B" for a, (s, n) in unknown.items())
        known = {k.split()[1]: v for k, v in answers.items() if ARXIV_ID in k}
        result.notes.append("known: " + ", ".join(f"{a} {s}/{n} B" for a, (s, n) in known.items()))

    return _serve_case(bench, "resource-unknown", "7", probe)


def case_cors(bench: Bench) -> Result:
    """CORS headers on /health, on a preflight for POST /sparql and on a read route."""
    origin = "https://evil.example"

    def probe(server: Serve, result: Result) -> None:
        status, head, body = request(server.port, "GET", "/health", {"Origin": origin})
        keys = sorted(json.loads(body)) if status == 200 else []
        pre_status, pre, _ = request(
            server.port,
            "OPTIONS",
            "/sparql",
            {
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        read_status, read, _ = request(
            server.port, "GET", "/sparql?" + urlencode({"query": "ASK {}"}), {"Origin": origin}
        )
        acao = "access-control-allow-origin"
        result.message = (
            f"/health {status} ACAO={head.get(acao, '-')}; preflight POST /sparql {pre_status} "
            f"ACAO={pre.get(acao, '-')} methods={pre.get('access-control-allow-methods', '-')}"
        )
        result.notes.append(f"GET /sparql {read_status} ACAO={read.get(acao, '-')}")
        result.notes.append(f"/health keys: {', '.join(keys)}")
        result.details.update(health_headers=head, preflight_headers=pre, read_headers=read)

    return _serve_case(bench, "cors", "8", probe)


def case_long_chain(bench: Bench) -> Result:
    """A 14 KB ``1+1+...+1`` query: status, recovery, and whether anything logged the death."""

    def probe(server: Serve, result: Result) -> None:
        query = "SELECT (" + "+".join(["1"] * 7000) + " AS ?x) WHERE {}"
        before = len(server.stderr())
        start = time.monotonic()
        status, _, body = request(
            server.port,
            "POST",
            "/sparql",
            {
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
            query.encode(),
        )
        took = time.monotonic() - start
        time.sleep(1.0)
        _, _, health = request(server.port, "GET", "/health")
        ask, _, _ = request(server.port, "GET", "/sparql?" + urlencode({"query": "ASK {}"}))
        logged = server.stderr()[before:]
        deaths = [
            ln for ln in logged.splitlines() if re.search(r"worker|died|kill|signal|exit", ln, re.I)
        ]
        result.message = f"{len(query)} B query: HTTP {status} in {took:.1f} s; ASK after: {ask}"
        killed = json.loads(health).get("killed", "?") if health[:1] == b"{" else "?"
        result.notes.append(
            f"/health killed={killed}; body {short(body.decode('utf-8', 'replace'), 80)}"
        )
        result.notes.append(
            f"server log lines after the query: {len(logged.splitlines())}, naming a worker death: "
            f"{len(deaths)}" + (f" ({short(deaths[0], 100)})" if deaths else "")
        )
        result.details.update(status=status, log=short(logged, 600))

    return _serve_case(bench, "long-chain", "12", probe, "--workers", "1", "--processes", "1")


def case_allow_update(bench: Bench) -> Result:
    """``serve --allow-update``: flag, docs, the build lock, an update, a build beside it."""
    result = Result("allow-update", "11")
    bench.case_dir("allow-update")
    help_text = bench.cli(["serve", "--help"]).stdout
    docs = [p.name for p in bench.code_root.glob("README*.md") if "allow-update" in p.read_text()]
    result.notes.append(
        f"flag in serve --help: {'yes' if '--allow-update' in help_text else 'no'}; "
        f"named in {', '.join(docs) or 'no README'}"
    )
    if "--allow-update" not in help_text:
        result.message = "no --allow-update flag"
        return result
    store = bench.store_copy("allow-update")
    live = (store / "current").resolve()
    token = "bench-token"
    start = time.monotonic()
    server = Serve(
        store,
        bench.work / "allow-update" / "serve.log",
        "--allow-update",
        GENRL_KG_UPDATE_TOKEN=token,
    )
    try:
        with (store / ".lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
                lock = "not held by the server"
            except OSError:
                lock = "held by the server"
        update = 'INSERT DATA { GRAPH <urn:bench:hostile> { <urn:bench:s> <urn:bench:p> "x" } }'
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Bearer {token}",
        }
        first, _, _ = request(
            server.port, "POST", "/sparql", headers, urlencode({"update": update}).encode()
        )
        written = bench.facts(store)
        built = bench.cli(
            [
                *("build", "--source", str(UPSTREAM), "--store", str(store)),
                *("--offline", "--cache", str(bench.empty_cache)),
            ]
        )
        second, _, body = request(
            server.port, "POST", "/sparql", headers, urlencode({"update": update}).encode()
        )
    finally:
        code, peak = server.stop()
    result.wall_s = round(time.monotonic() - start, 2)
    result.peak_mb = None if peak is None else round(peak, 1)
    result.message = (
        f"build lock {lock}; update -> HTTP {first}, live build now {written.quads} quads "
        f"(base {bench.baseline.quads if bench.baseline else '?'}), current unchanged: "
        f"{written.target == (bench.baseline.target if bench.baseline else None)}"
    )
    result.notes.append(
        f"build beside the server: exit {built.exit}; served build dir still there: "
        f"{'yes' if live.exists() else 'no'}; update after it -> HTTP {second} {short(body.decode('utf-8', 'replace'), 60)}"
    )
    result.traceback = TRACEBACK in server.stderr()
    result.details["serve_exit_after_sigterm"] = code
    bench.compare(result, bench.facts(store))
    return result


def case_dns_local_query(bench: Bench) -> Result:
    """A local ``query`` with no SERVICE: which host names it resolves."""
    result = Result("dns-local-query", "9")
    folder = bench.case_dir("dns-local-query")
    store = bench.store_copy("dns-local-query")
    hook = folder / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(DNS_HOOK, encoding="utf-8")
    rq = folder / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    log = folder / "dns.log"
    args = ["query", str(rq), "--store", str(store), "--format", "csv"]
    path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
    env = {"PYTHONPATH": path, "HOSTILE_DNS_LOG": str(log)}
    result.take(bench.cli(args, env))
    names = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    hosts = sorted({ln.split(" ", 1)[1] for ln in names if " " in ln})
    result.message = f"{len(names)} lookup(s): {', '.join(hosts) or 'none'}" + (
        f" | cli: {result.message}" if result.exit != "0" else ""
    )
    result.details["lookups"] = names
    if shutil.which("strace"):
        trace = folder / "strace.txt"
        traced = run(
            [
                "strace",
                "-f",
                "-qq",
                "-s",
                "256",
                "-e",
                "trace=network",
                "-o",
                str(trace),
                str(CLI),
                *args,
            ],
            bench.timeout,
        )
        text = trace.read_text(errors="replace") if trace.exists() else ""
        dns = len(re.findall(r"connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\(53\)", text))
        queried = sorted(set(re.findall(r"((?:query[\w-]*|www)\\10wikidata)", text)))
        result.notes.append(
            f"strace (exit {traced.exit}): {dns} connect() to port 53"
            + (
                "; qnames " + ", ".join(q.replace(chr(92) + "10", ".") + ".org" for q in queried)
                if queried
                else ""
            )
        )
    else:
        result.notes.append("strace not installed")
    bench.compare(result, bench.facts(store))
    return result


ENDPOINT_BODIES = {
    "truncated": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}',
    "shape": b'{"head":{"vars":"n"},"results":{"bindings":{"n":1}}}',
    "binding": b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"bogus"}}]}}',
}


def _endpoint_case(bench: Bench, kind: str) -> Result:
    """``query --endpoint`` against a local server that answers malformed SPARQL JSON."""
    result = Result(f"endpoint-{kind}", "10")
    folder = bench.case_dir(result.case)
    rq = folder / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    body = ENDPOINT_BODIES[kind]
    with canned_server(lambda _: (200, "application/sparql-results+json", body)) as port:
        url = f"http://127.0.0.1:{port}/sparql"
        result.take(bench.cli(["query", str(rq), "--endpoint", url]))
    result.notes.append(f"body: {short(body.decode(), 70)}")
    return result


def case_endpoint_truncated(bench: Bench) -> Result:
    """Truncated SPARQL JSON from the remote endpoint."""
    return _endpoint_case(bench, "truncated")


def case_endpoint_shape(bench: Bench) -> Result:
    """SPARQL JSON of the wrong shape (vars a string, bindings an object)."""
    return _endpoint_case(bench, "shape")


def case_endpoint_binding(bench: Bench) -> Result:
    """A binding without a value."""
    return _endpoint_case(bench, "binding")


# --- cases: provenance (13, 14) -------------------------------------------------------------


def void_report(bench: Bench, store: Path, facts: StoreFacts) -> tuple[str, dict[str, Any]]:
    """Compare void:triples in graph/build with build.json and with the quads really there."""
    stated = {
        s.strip("<>"): int(re.match(r'"(\d+)"', o).group(1))  # type: ignore[union-attr]
        for s, o in facts.objects(VOID_TRIPLES, BASE + "graph/build")
        if re.match(r'"(\d+)"', o)
    }
    info = json.loads((store / "build.json").read_text()) if (store / "build.json").exists() else {}
    recorded = info.get("triples", {})
    dataset = stated.get(BASE + "dataset")
    wrong = {
        g.rsplit("/", 1)[-1]: (n, facts.per_graph.get(g, 0))
        for g, n in stated.items()
        if g != BASE + "dataset" and n != facts.per_graph.get(g, 0)
    }
    text = (
        f"dataset void:triples {dataset}, build.json sum {sum(recorded.values()) or '-'}, "
        f"quads in store {facts.quads}; graphs stated != real: {wrong or 'none'}"
    )
    return text, {"stated": stated, "build_json": recorded, "real": facts.per_graph}


def case_void_counts(bench: Bench) -> Result:
    """void:triples of the good build against build.json and the store (no link step)."""
    assert bench.baseline is not None
    result = Result("void-counts", "13")
    text, details = void_report(bench, bench.base_store, bench.baseline)
    result.message = text
    result.notes.append(
        "computed once at describe time from GraphSet.counts(); link wikidata keeps graph/build"
    )
    result.details.update(details)
    return result


def case_void_after_link(bench: Bench) -> Result:
    """``link wikidata`` against a local fake Wikidata that knows the first paper."""
    result = Result("void-after-link", "13")
    bench.case_dir("void-after-link")
    store = bench.store_copy("void-after-link")

    def answer(text: str) -> tuple[int, str, bytes]:
        query = parse_qs(text).get("query", [""])[0]
        found = re.search(r'VALUES \?id \{ "([^"]+)"', query)
        rows = []
        if "wdt:P818" in query and found:
            item = {"type": "uri", "value": WD_ENTITY + "Q4115189"}
            rows = [{"item": item, "id": {"type": "literal", "value": found.group(1)}}]
        body = {"head": {"vars": ["item", "id"]}, "results": {"bindings": rows}}
        return 200, "application/sparql-results+json", json.dumps(body).encode()

    with canned_server(answer) as port:
        url = f"http://127.0.0.1:{port}/sparql"
        done = bench.cli(
            [
                *("link", "wikidata", "--store", str(store), "--endpoint", url),
                *("--cache", str(bench.work / "void-after-link" / "cache")),
            ]
        )
    result.take(done)
    after = bench.facts(store)
    bench.compare(result, after)
    text, details = void_report(bench, store, after)
    result.notes.insert(0, text)
    result.notes.append(short(next((ln for ln in done.stdout.splitlines() if "papers:" in ln), "")))
    result.details.update(details)
    return result


def _source_case(bench: Bench, name: str, folder: str, edit: Callable[[str], str] | None) -> Result:
    """Build from a copy in *folder*; report the commit, URLs and date graph/build claims."""
    result = Result(name, "14")
    bench.case_dir(name)
    src = bench.source(name, edit, folder=folder)
    after = bench.build(result, src, bench.store_copy(name))
    graph = BASE + "graph/build"
    commit = [o for _, o in after.objects(GENRL + "upstreamCommit", graph)]
    used = [o for _, o in after.objects(PROV + "used", graph)]
    created = [o for _, o in after.objects(DCT + "created", graph)]
    source = [o for _, o in after.objects(DCT + "source", graph)]
    readme = next((u for u in used if u.endswith("README.md>")), used[0] if used else "-")
    result.notes.insert(
        0,
        f"claims commit {commit[0] if commit else '-'}, source {source[0] if source else '-'}, "
        f"used {readme}, created {created[0] if created else '-'}",
    )
    result.details.update(commit=commit, used=used, created=created, source=source)
    return result


def case_source_local(bench: Bench) -> Result:
    """``--source`` on a folder not named after the commit."""
    return _source_case(bench, "source-local", "my-copy", None)


def case_source_fake_pinned(bench: Bench) -> Result:
    """A changed README in a folder named after the pinned commit (checksums not matching)."""
    edit = lambda t: t.replace(ARXIV_TITLE, "A title that is not upstream's")  # noqa: E731
    return _source_case(bench, "source-fake-pinned", COMMIT, edit)


# --- registry and output ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A selectable case."""

    name: str
    run: Callable[[Bench], Result]


CASES = [
    Case("nested-11", case_nested_11),
    Case("indent-1000", case_indent_1000),
    Case("arxiv-fullwidth", case_arxiv_fullwidth),
    Case("arxiv-arabic", case_arxiv_arabic),
    Case("link-schemes", case_link_schemes),
    Case("esc-title", case_esc_title),
    Case("cache-good", case_cache_good),
    Case("cache-arxiv-deep", case_cache_arxiv_deep),
    Case("cache-arxiv-surrogate", case_cache_arxiv_surrogate),
    Case("cache-arxiv-bad-iri", case_cache_arxiv_bad_iri),
    Case("cache-wd-deep", case_cache_wd_deep),
    Case("cache-wd-shape", case_cache_wd_shape),
    Case("cache-wd-dict", case_cache_wd_dict),
    Case("link-offline-wd-deep", case_link_wd_deep),
    Case("link-offline-wd-shape", case_link_wd_shape),
    Case("link-offline-wd-dict", case_link_wd_dict),
    Case("resource-unknown", case_resource_unknown),
    Case("cors", case_cors),
    Case("dns-local-query", case_dns_local_query),
    Case("endpoint-truncated", case_endpoint_truncated),
    Case("endpoint-shape", case_endpoint_shape),
    Case("endpoint-binding", case_endpoint_binding),
    Case("allow-update", case_allow_update),
    Case("long-chain", case_long_chain),
    Case("void-counts", case_void_counts),
    Case("void-after-link", case_void_after_link),
    Case("source-local", case_source_local),
    Case("source-fake-pinned", case_source_fake_pinned),
    Case("line-1mb", case_line_1mb),
    Case("table-5000", case_table_5000),
    Case("line-4mb", case_line_4mb),
    Case("table-1m-openpyxl", case_table_1m_openpyxl),
    Case("table-1m", case_table_1m),
]


def format_table(results: list[Result]) -> str:
    """Return the results as a Markdown table."""
    head = "| case | issue | exit | message | traceback? | wall s | peak MB | store untouched? | notes |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        tb = "-" if r.traceback is None else ("yes" if r.traceback else "no")
        cells = [
            r.case,
            r.issue,
            r.exit,
            short(r.message, 150),
            tb,
            "-" if r.wall_s is None else f"{r.wall_s:.1f}",
            "-" if r.peak_mb is None else f"{r.peak_mb:.0f}",
            r.untouched,
            short("; ".join(r.notes), 400),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def leftover_processes(marker: str) -> list[int]:
    """Return the pids whose command line mentions *marker* (our temp dir)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
    return pids


def main(argv: list[str] | None = None) -> int:
    """Run the selected cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case", action="append", default=[], help="run only this case (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per child")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument(
        "--code",
        type=Path,
        default=None,
        help="run the genrl_kg package in DIR instead of the installed one "
        "(e.g. a `git archive HEAD | tar -x -C DIR` snapshot; put first on PYTHONPATH)",
    )
    args = parser.parse_args(argv)
    if args.list:
        for case in CASES:
            print(f"{case.name:24} {(case.run.__doc__ or '').strip()}")
        return 0
    unknown = set(args.case) - {c.name for c in CASES}
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))} (see --list)")
    if not UPSTREAM.is_dir():
        print(
            f"needs the pinned upstream folder ../shared/upstream/{COMMIT} beside the project "
            f"root ({UPSTREAM} is absent)",
            file=sys.stderr,
        )
        return 2
    if not CLI.exists():
        print(f"{CLI}: no genrl-kg in this venv (pip install -e .)", file=sys.stderr)
        return 2
    selected = [c for c in CASES if not args.case or c.name in args.case]
    if args.code is not None:
        code = str(args.code.resolve())
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (code, os.environ.get("PYTHONPATH")) if p
        )
    work = Path(tempfile.mkdtemp(prefix="genrl-hostile-"))
    results: list[Result] = []
    started = time.monotonic()
    try:
        bench = Bench(work, args.timeout, args.code.resolve() if args.code else PROJECT_ROOT)
        for case in [Case("baseline", case_baseline), *selected]:
            print(
                f"[{time.monotonic() - started:6.1f}s] {case.name} ...", file=sys.stderr, flush=True
            )
            try:
                result = case.run(bench)
            except Exception as exc:  # one broken case must not stop the others
                result = Result(case.name, "?", message=f"bench error: {type(exc).__name__}: {exc}")
            results.append(result)
            print(
                f"          {result.exit} {short(result.message, 120)}", file=sys.stderr, flush=True
            )
            if case.name != "baseline" and not args.keep:
                shutil.rmtree(work / case.name, ignore_errors=True)
    finally:
        for pid in leftover_processes(str(work)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(format_table(results))
    print(
        f"\n{len(results)} rows in {time.monotonic() - started:.0f} s; work dir "
        f"{work if args.keep else '(removed)'}"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
