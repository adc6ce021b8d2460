"""The list's git history: reading versions, tracking papers across them, diffs, errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from genrl_kg.errors import GenrlKgError, SourceError
from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import parse_list
from genrl_kg.sources.history import (
    History,
    PaperState,
    Timeline,
    checkout_version,
    diff_data,
    diff_versions,
    find_version,
    format_diff,
    link_versions,
    parse_history,
    read_history,
    track_history,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLE = PROJECT_ROOT.parent / "shared" / "upstream" / "history.bundle"
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed on this machine")

UPSTREAM_D = "abcd1111" + "0" * 32
UPSTREAM_F = "abcd2222" + "0" * 32
TABLE_SPACES = "Diffusion policies Table.xlsx"
TABLE_EXCEL = "LLM RL Excel.xlsx"
TABLE_SUMMARY = "Diffusion_Models_RL_Summary.xlsx"

README_1 = """\ufeff# Awesome list
## 1. Large Language Models
### 1.1 Reward design
- Eureka: Human-Level Reward Design via Coding Large Language Models
- Text2Reward: Reward Shaping with Language Models [link](https://arxiv.org/abs/2309.11489)
## 2. Vision Language Models
- Octo: An Open-Source Generalist Robot Policy [[paper]](https://arxiv.org/abs/2405.12213)
- Code as Reward: Empowering RL with VLMs [[paper]](https://arxiv.org/abs/2402.04764)
"""
EUREKA_2 = "- Eureka: Human-Level Reward Design via Coding Large Language Models"
EUREKA_2 += " [[paper]](https://arxiv.org/abs/2310.12931)"
README_2 = f"""# Awesome list
## 1. Large Language Models
### 1.1 Reward design
{EUREKA_2}
- Text2Reward: Reward Shaping with Language Models [link](https://arxiv.org/abs/2309.11489)
## 2. Vision Language Models
- Code as Reward: Empowering RL with VLMs [[paper]](https://arxiv.org/abs/2402.04764)
- (2025)! Diffusion Policy: Visuomotor Policy Learning [[paper]](https://arxiv.org/abs/2303.04137)
## 3. Generalist Policies
- Octo: An Open-Source Generalist Robot Policy [[paper]](https://arxiv.org/abs/2405.12213)
"""
README_3 = """# Awesome list
## 1. Large Language Models
### 1.1 Reward design
- Eureka: Reward Design via Coding LLMs [[paper]](https://arxiv.org/abs/2310.12931)
## 2. Vision Language Models
- Code as Reward: Empowering RL with VLMs [[paper]](https://openreview.net/forum?id=6P88DMUDvH)
- (2025)! Diffusion Policy: Visuomotor Policy Learning [[paper]](https://arxiv.org/abs/2303.04137)
"""
README_4 = README_3.replace(
    "## 2.",
    "- Text2Reward: Reward Shaping with Language Models [link](https://arxiv.org/abs/2309.11489)\n"
    "## 2.",
)
# (label, author date, files written (None deletes), message); the committer date is +1 hour.
COMMITS: list[tuple[str, str, dict[str, str | bytes | None], str]] = [
    ("A", "2024-08-17T10:00:00+02:00", {"README.md": README_1, TABLE_SPACES: b"PK-1"}, "Initial"),
    ("B", "2024-09-01T09:00:00+00:00", {TABLE_EXCEL: b"PK-2"}, "Add files via upload"),
    ("C", "2025-03-07T12:00:00-05:00", {"README.md": README_2}, "Update README.md"),
    ("E", "2025-04-01T12:00:00+00:00", {"notes.txt": "not the list"}, "Unrelated"),
    (
        "D",
        "2025-06-11T08:30:00+02:00",
        {"README.md": README_3, TABLE_SPACES: None, TABLE_SUMMARY: b"PK-3"},
        f"Update README.md\n\nUpstream-Commit: {UPSTREAM_D}",
    ),
    (
        "F",
        "2025-07-01T08:00:00+02:00",
        {"README.md": README_4},
        f"Back\n\nUpstream-Commit: {UPSTREAM_F}",
    ),
]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in *repo* for the fixture and return its stdout."""
    assert GIT is not None
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run([GIT, *args], cwd=repo, env=full_env, check=True, capture_output=True)
    return out.stdout.decode()


def _commit(repo: Path, files: dict[str, str | bytes | None], message: str, date: str) -> str:
    """Write *files*, commit them with the given author date (committer one hour later)."""
    for name, content in files.items():
        path = repo / name
        if content is None:
            path.unlink()
        else:
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    _git(repo, "add", "-A")
    committed = (datetime.fromisoformat(date) + timedelta(hours=1)).isoformat()
    env = {
        "GIT_AUTHOR_NAME": "Ada Author",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Cy Committer",
        "GIT_COMMITTER_EMAIL": "cy@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": committed,
    }
    _git(repo, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    return _git(repo, "rev-parse", "HEAD").strip()


def _init(repo: Path, *extra: str) -> Path:
    """Create an empty repository at *repo*."""
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", *extra)
    return repo


@pytest.fixture(scope="module")
def fixture_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Build the small history of COMMITS; return the repository and the hash of each label."""
    repo = _init(tmp_path_factory.mktemp("history") / "list")
    hashes = {label: _commit(repo, files, msg, date) for label, date, files, msg in COMMITS}
    return repo, hashes


@pytest.fixture(scope="module")
def history(fixture_repo: tuple[Path, dict[str, str]]) -> History:
    """Read the fixture history."""
    return read_history(fixture_repo[0])


@pytest.fixture(scope="module")
def timeline(history: History) -> Timeline:
    """Track the fixture history's papers."""
    return track_history(history)


def test_versions_are_the_commits_that_changed_the_list_or_a_table(
    fixture_repo: tuple[Path, dict[str, str]], history: History
) -> None:
    _, hashes = fixture_repo
    assert [v.commit for v in history.versions] == [hashes[x] for x in "ABCDF"]
    assert [v.commit for v in history.list_versions] == [hashes[x] for x in "ACDF"]
    first = history.versions[0]
    assert first.author_date == datetime(2024, 8, 17, 10, tzinfo=timezone(timedelta(hours=2)))
    assert first.committer_date == datetime(2024, 8, 17, 11, tzinfo=timezone(timedelta(hours=2)))
    assert first.date == first.committer_date
    assert (first.author, first.subject) == ("Ada Author", "Initial")
    assert history.versions[2].author_date.utcoffset() == timedelta(hours=-5)


def test_upstream_trailer_tables_and_text_at_each_commit(history: History) -> None:
    a, b, c, d, f = history.versions
    assert (a.upstream_commit, d.upstream_commit, f.upstream_commit) == (
        None,
        UPSTREAM_D,
        UPSTREAM_F,
    )
    assert a.table_names == (TABLE_SPACES,)
    assert b.table_names == (TABLE_SPACES, TABLE_EXCEL)
    assert d.table_names == (TABLE_SUMMARY, TABLE_EXCEL)  # sorted by name
    assert a.readme == README_1.removeprefix("\ufeff")  # the BOM is dropped, as read_list does
    assert b.readme == a.readme and not b.list_changed
    assert (c.readme, d.readme, f.readme) == (README_2, README_3, README_4)


def test_find_version_by_prefix_or_upstream_hash(
    fixture_repo: tuple[Path, dict[str, str]], history: History
) -> None:
    _, hashes = fixture_repo
    assert find_version(history, hashes["C"][:7]).commit == hashes["C"]
    assert find_version(history, hashes["C"].upper()).commit == hashes["C"]
    assert find_version(history, UPSTREAM_D[:10]).commit == hashes["D"]
    with pytest.raises(SourceError, match="ambiguous commit prefix"):
        find_version(history, "abcd")
    with pytest.raises(SourceError, match=r"^fedcba9876: no commit in the history of README\.md"):
        find_version(history, "fedcba9876")
    with pytest.raises(SourceError, match="not a commit hash"):
        find_version(history, "HEAD~1")


def test_checkout_writes_the_list_and_its_tables(
    fixture_repo: tuple[Path, dict[str, str]], history: History, tmp_path: Path
) -> None:
    _, hashes = fixture_repo
    target = tmp_path / "v-c"
    version = checkout_version(history, hashes["C"][:8], target)
    assert version.commit == hashes["C"]
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["README.md", TABLE_SPACES, TABLE_EXCEL]
    )
    assert (target / "README.md").read_text(encoding="utf-8") == README_2
    assert (target / TABLE_SPACES).read_bytes() == b"PK-1"
    first = checkout_version(fixture_repo[0], hashes["A"], tmp_path / "v-a")
    assert (tmp_path / "v-a" / "README.md").read_bytes() == README_1.encode()  # bytes as committed
    assert first.table_names == (TABLE_SPACES,)
    with pytest.raises(SourceError, match="checkout folder exists and is not empty"):
        checkout_version(history, hashes["D"], target)


def test_paper_listed_by_title_then_linked_then_retitled_is_one_paper(
    fixture_repo: tuple[Path, dict[str, str]], timeline: Timeline
) -> None:
    _, hashes = fixture_repo
    eureka = timeline.by_key()["arxiv/2310.12931"]
    assert eureka.first_listed.commit == hashes["A"]
    assert eureka.first_listed.date.year == 2024
    assert eureka.delisted is None
    assert [(r.version.commit, r.old_title, r.new_title) for r in eureka.retitles] == [
        (
            hashes["D"],
            "Eureka: Human-Level Reward Design via Coding Large Language Models",
            "Eureka: Reward Design via Coding LLMs",
        )
    ]
    assert [(r.version.commit, r.new_key) for r in eureka.rekeys] == [
        (hashes["C"], "arxiv/2310.12931")
    ]


def test_removed_paper_is_delisted_with_its_last_version(
    fixture_repo: tuple[Path, dict[str, str]], timeline: Timeline
) -> None:
    _, hashes = fixture_repo
    assert [p.key for p in timeline.delisted] == ["arxiv/2405.12213"]
    octo = timeline.delisted[0]
    assert (octo.first_listed.commit, octo.last_listed.commit) == (hashes["A"], hashes["C"])
    assert octo.delisted is not None and octo.delisted.commit == hashes["D"]
    assert octo.delisted.upstream_commit == UPSTREAM_D
    assert octo.versions_listed == 2
    assert [(m.old_sections, m.new_sections) for m in octo.moves] == [
        ((("Vision Language Models",),), (("Generalist Policies",),))
    ]


def test_paper_changing_its_link_or_coming_back_is_never_delisted(
    fixture_repo: tuple[Path, dict[str, str]], timeline: Timeline
) -> None:
    _, hashes = fixture_repo
    papers = timeline.by_key()
    code = papers["openreview/6P88DMUDvH"]
    assert (code.first_listed.commit, code.delisted) == (hashes["A"], None)
    assert [(r.old_key, r.new_key) for r in code.rekeys] == [
        ("arxiv/2402.04764", "openreview/6P88DMUDvH")
    ]
    back = papers["arxiv/2309.11489"]
    assert back.delisted is None and back.first_listed.commit == hashes["A"]
    assert [r.commit for r in back.relisted] == [hashes["F"]]
    assert back.versions_listed == 3


def test_current_papers_counts_and_years(
    fixture_repo: tuple[Path, dict[str, str]], timeline: Timeline
) -> None:
    _, hashes = fixture_repo
    assert [p.key for p in timeline.current] == [
        "arxiv/2310.12931",
        "arxiv/2309.11489",
        "openreview/6P88DMUDvH",
        "arxiv/2303.04137",
    ]
    assert timeline.by_key()["arxiv/2303.04137"].first_listed.commit == hashes["C"]
    assert [(v.commit, v.entries, v.papers) for v in timeline.versions] == [
        (hashes["A"], 4, 4),
        (hashes["C"], 5, 5),
        (hashes["D"], 3, 3),
        (hashes["F"], 4, 4),
    ]
    assert timeline.first_listed_per_year() == {2024: 3, 2025: 1}


def test_two_papers_of_one_version_are_never_joined() -> None:
    x = PaperState("title/x", "X", "x", (("title", "x"),), ())
    y = PaperState("title/y", "Y", "y", (("title", "y"),), ())
    both = PaperState("arxiv/1", "X", "x", (("arxiv", "1"), ("title", "x"), ("title", "y")), ())
    assert link_versions([[x, y], [both]]) == [[0, 1], [0]]
    assert link_versions([[x], [y], [both]]) == [[0], [0], [0]]  # never side by side: one chain


def test_diff_between_two_versions(history: History) -> None:
    a, c, d, _ = parse_history(history)
    diff = diff_versions(a, d, "A", "D", via=[c])
    assert [p.key for p in diff.added] == ["arxiv/2303.04137"]
    assert [p.key for p in diff.removed] == ["arxiv/2309.11489", "arxiv/2405.12213"]
    assert [(r.key, r.new_title) for r in diff.retitled] == [
        ("arxiv/2310.12931", "Eureka: Reward Design via Coding LLMs")
    ]
    rekeyed = sorted((r.new_key, r.old_key) for r in diff.rekeyed)
    assert [new for new, _ in rekeyed] == ["arxiv/2310.12931", "openreview/6P88DMUDvH"]
    assert rekeyed[0][1].startswith("title/eureka") and rekeyed[1][1] == "arxiv/2402.04764"
    text = format_diff(diff)
    assert text.splitlines()[0] == "A -> D: 4 -> 3 papers"
    assert "  + arxiv/2303.04137  Diffusion Policy: Visuomotor Policy Learning" in text
    data = json.loads(json.dumps(diff_data(diff)))
    assert data["added"][0]["key"] == "arxiv/2303.04137"
    assert data["removed"][0]["sections"] == [["Large Language Models", "Reward design"]]


def test_diff_without_the_versions_between_and_moves(history: History) -> None:
    a, c, d, _ = parse_history(history)
    direct = diff_versions(a, d)  # Eureka changed its title and gained a link: no shared identity
    assert [p.key for p in direct.added] == ["arxiv/2310.12931", "arxiv/2303.04137"]
    assert len(direct.removed) == 3 and not direct.retitled
    moved = diff_versions(a.parsed, c.papers).moved
    assert [(m.key, m.new_sections) for m in moved] == [
        ("arxiv/2405.12213", (("Generalist Policies",),))
    ]
    assert diff_versions(d, parse_list(README_3)).unchanged


def test_side_branch_commits_are_not_versions_only_the_merge_is(tmp_path: Path) -> None:
    repo = _init(tmp_path / "merge")
    base = _commit(repo, {"README.md": README_1}, "one", "2025-01-01T00:00:00+00:00")
    _git(repo, "checkout", "-q", "-b", "side")
    side = _commit(repo, {"README.md": README_2}, "side", "2025-01-02T00:00:00+00:00")
    _git(repo, "checkout", "-q", "-")
    main = _commit(repo, {TABLE_EXCEL: b"PK"}, "table", "2025-01-03T00:00:00+00:00")
    env = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A"}
    env |= {"GIT_COMMITTER_EMAIL": "a@x"}
    _git(repo, "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "merge", "side", env=env)
    merge = _git(repo, "rev-parse", "HEAD").strip()
    versions = read_history(repo).versions
    assert [v.commit for v in versions] == [base, main, merge]
    assert side not in {v.commit for v in versions} and versions[-1].readme == README_2


def test_url_is_cloned_into_the_cache_and_refreshed(tmp_path: Path) -> None:
    origin = _init(tmp_path / "origin")
    _commit(origin, {"README.md": README_2}, "one", "2025-01-01T00:00:00+00:00")
    cache = tmp_path / "cache"
    url = (tmp_path / "origin").as_uri()
    assert len(read_history(url, cache_dir=cache).list_versions) == 1
    _commit(origin, {"README.md": README_3}, "two", "2025-02-01T00:00:00+00:00")
    again = read_history(url, cache_dir=cache)
    assert len(again.list_versions) == 2 and again.newest.readme == README_3
    assert len(list((cache / "history").iterdir())) == 1


def test_sha256_repository(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    try:
        _init(repo, "--object-format=sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git cannot create SHA-256 repositories")
    _commit(repo, {"README.md": README_2, TABLE_SPACES: b"PK"}, "one", "2025-01-01T00:00:00+00:00")
    version = read_history(repo).versions[0]
    assert len(version.commit) == 64
    assert (version.readme, version.table_names) == (README_2, (TABLE_SPACES,))


def _one_line_error(excinfo: pytest.ExceptionInfo[GenrlKgError]) -> str:
    """Return the error's message after checking it is one line."""
    message = str(excinfo.value)
    assert "\n" not in message and message
    return message


def test_no_git_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SourceError) as excinfo:
        read_history(tmp_path)
    assert _one_line_error(excinfo).startswith("git is not installed")


def test_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as excinfo:
        read_history(tmp_path)
    assert _one_line_error(excinfo) == f"{tmp_path}: not a git repository"


def test_history_with_no_readme(tmp_path: Path) -> None:
    repo = _init(tmp_path / "other")
    _commit(repo, {"notes.txt": "x"}, "one", "2025-01-01T00:00:00+00:00")
    with pytest.raises(SourceError) as excinfo:
        read_history(repo)
    assert _one_line_error(excinfo) == f"{repo}: no README.md in the git history"
    empty = _init(tmp_path / "empty")
    with pytest.raises(SourceError, match="has no commits"):
        read_history(empty)


def test_url_that_cannot_be_reached(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/repo.git"
    with pytest.raises(SourceError) as excinfo:
        read_history(url, cache_dir=tmp_path / "cache", timeout=30)
    assert _one_line_error(excinfo).startswith(f"{url}: cannot clone (")
    assert not list((tmp_path / "cache" / "history").iterdir())  # no partial clone left


def test_clone_that_hangs_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    with socket.socket() as server:  # accepts connections, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/repo.git"
        with pytest.raises(SourceError) as excinfo:
            read_history(url, cache_dir=tmp_path / "cache", timeout=1)
    assert _one_line_error(excinfo) == f"{url}: git clone timed out after 1 s"
    assert not list((tmp_path / "cache" / "history").iterdir())


# --- the upstream history (../shared/upstream/history.bundle) -------------------------------


@pytest.fixture(scope="module")
def bundle_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Clone the upstream history bundle into a cache and read it, or skip when absent."""
    if not BUNDLE.is_file():
        pytest.skip(f"upstream history bundle not found at {BUNDLE} (needs ../shared/upstream/)")
    return read_history(BUNDLE, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def bundle_timeline(bundle_history: History) -> Timeline:
    """Track the papers of every upstream version."""
    return track_history(bundle_history)


def _count(repo: Path, *args: str) -> list[str]:
    """Return the non-empty lines git prints for *args* in *repo*."""
    return [line for line in _git(repo, *args).splitlines() if line.strip()]


def test_bundle_versions_match_git_log(bundle_history: History) -> None:
    repo = bundle_history.repository
    readme_commits = _count(repo, "log", "--format=%H", "HEAD", "--", "README.md")
    all_commits = _count(repo, "rev-list", "HEAD")
    assert (len(all_commits), len(readme_commits)) == (166, 121)  # the bundle's documented facts
    assert len(bundle_history.versions) == len(all_commits)
    assert [v.commit for v in bundle_history.list_versions] == readme_commits[::-1]
    first, last = bundle_history.versions[0], bundle_history.versions[-1]
    assert (str(first.date.date()), str(last.date.date())) == ("2024-08-17", "2026-04-23")
    assert all(v.upstream_commit for v in bundle_history.versions)
    assert any(" " in name for v in bundle_history.versions for name in v.table_names)


def test_bundle_checkout_of_the_pinned_snapshot(
    bundle_history: History, upstream_dir: Path, tmp_path: Path
) -> None:
    checkout_version(bundle_history, upstream_dir.name, tmp_path / "v")

    def digests(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    assert digests(tmp_path / "v") == digests(upstream_dir)


_ARXIV_RE = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)(\d{4}\.\d{4,5})", re.I)


@pytest.mark.slow
def test_bundle_delisted_papers(bundle_history: History, bundle_timeline: Timeline) -> None:
    ever = {m for v in bundle_history.list_versions for m in _ARXIV_RE.findall(v.readme or "")}
    now = set(_ARXIV_RE.findall(bundle_history.newest.readme or ""))
    left = ever - now - {"2402.04764"}  # Code as Reward moved to OpenReview, it did not leave
    assert len(left) == 5
    delisted = {p.key for p in bundle_timeline.delisted if p.key.startswith("arxiv/")}
    assert delisted == {f"arxiv/{i}" for i in left}
    titles = " ".join(p.title for p in bundle_timeline.delisted)
    assert "Octo" in titles and "OpenVLA" in titles
    code = bundle_timeline.by_key()["openreview/6P88DMUDvH"]
    assert code.delisted is None and code.first_listed.date.year == 2024
    # Listed by title only in 2024, then with its arXiv link, then with its OpenReview link.
    assert [r.old_key for r in code.rekeys][-1] == "arxiv/2402.04764"
    assert code.rekeys[0].old_key.startswith("title/")


@pytest.mark.slow
def test_bundle_current_papers_are_the_newest_version(
    bundle_history: History, bundle_timeline: Timeline
) -> None:
    newest = merge_entries(parse_list(bundle_history.newest.readme or "").entries)
    assert [p.key for p in bundle_timeline.current] == [p.key for p in newest.papers]
    assert len(bundle_timeline.versions) == 121
    firsts = [p.first_listed.date for p in bundle_timeline.current]
    assert all(d <= bundle_timeline.versions[-1].date for d in firsts)
