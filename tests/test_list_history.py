"""Every README version of the upstream history parses, and its accounting adds up.

The history is ``../shared/upstream/history.bundle`` (a git bundle of the upstream repository);
the tests clone it into a temporary directory and read every README blob with one
``git cat-file --batch``. Expected counts come from line scans written here, independently of
the parser: a bullet is a line matching ``_BULLET`` outside fenced code, a placeholder is a
bullet with nothing but markers and empty links.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import LineRole, ParsedList, parse_list
from genrl_kg.sources.awesome_list.inline import plain_text, split_inline, take_leftover_links

pytestmark = pytest.mark.upstream

BUNDLE = Path(__file__).resolve().parents[1].parent / "shared" / "upstream" / "history.bundle"
_BULLET = re.compile(r"^\s*[-*+](\s|$)")
_PLACEHOLDER = re.compile(r"^\s*[-*+](\s+(\(\d{4}\))?!)?\s*(\[\[\w+\]\]\(\))?\s*$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)|^<img[^>]*># ")
_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKER_IN_TITLE = re.compile(r"^!|\(\d{4}\)\s*!")


@dataclass(frozen=True)
class Version:
    """One README version: its commit, commit date and text."""

    commit: str
    date: str
    text: str


@dataclass(frozen=True)
class Parsed:
    """A version and its parse."""

    version: Version
    parsed: ParsedList


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=data, capture_output=True, check=True
    ).stdout


def _read_blobs(repo: Path, commits: list[str]) -> Iterator[str]:
    """Yield README.md of each commit, read with one ``git cat-file --batch``."""
    request = "".join(f"{commit}:README.md\n" for commit in commits).encode()
    out = _git(repo, "cat-file", "--batch", data=request)
    pos = 0
    for _ in commits:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        yield out[header_end + 1 : header_end + 1 + size].decode("utf-8")
        pos = header_end + 1 + size + 1


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> list[Version]:
    """Clone the history bundle and return every README version, oldest first."""
    if not BUNDLE.is_file():
        pytest.skip(f"history bundle not found at {BUNDLE} (needs ../shared/upstream)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed; the history bundle cannot be read")
    repo = tmp_path_factory.mktemp("history") / "upstream"
    subprocess.run(
        ["git", "clone", "-q", "-b", "main", str(BUNDLE), str(repo)],
        check=True,
        capture_output=True,
    )
    log = _git(repo, "log", "--reverse", "--format=%H %cI", "--", "README.md").decode()
    pairs = [line.split() for line in log.splitlines()]
    texts = _read_blobs(repo, [commit for commit, _ in pairs])
    return [Version(c, d, t) for (c, d), t in zip(pairs, texts, strict=True)]


@pytest.fixture(scope="module")
def parsed(versions: list[Version]) -> list[Parsed]:
    """Parse every version (no exception may escape)."""
    return [Parsed(v, parse_list(v.text, "README.md")) for v in versions]


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _outside_fences(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) for the lines outside fenced code."""
    fenced = False
    for number, line in enumerate(_lines(text), 1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield number, line


def _bullets(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in _outside_fences(text) if _BULLET.match(line)]


def test_the_history_has_121_readme_versions(versions: list[Version]) -> None:
    assert len(versions) == 121
    assert len({v.text for v in versions}) == 121


def test_every_version_accounts_for_every_bullet(parsed: list[Parsed]) -> None:
    for item in parsed:
        p, text = item.parsed, item.version.text
        bullets = _bullets(text)
        placeholders = [n for n, line in bullets if _PLACEHOLDER.match(line)]
        where = item.version.commit[:7]
        assert p.bullets_read == len(bullets), where
        assert p.bullets_read == len(p.entries) + len(p.placeholders) + len(p.unparsed), where
        assert list(p.placeholders) == placeholders, where
        assert p.unparsed == (), where
        assert len(p.entries) == len(bullets) - len(placeholders), where


def test_every_line_has_a_role_and_every_problem_line_is_named(parsed: list[Parsed]) -> None:
    for item in parsed:
        p, lines = item.parsed, _lines(item.version.text)
        assert len(p.line_roles) == len(lines)
        assert p.unaccounted_lines() == ()
        entry_lines = {e.line for e in p.entries}
        assert all(p.line_roles[line - 1] is LineRole.ENTRY for line in entry_lines)
        assert all(p.line_roles[line - 1] is LineRole.PLACEHOLDER for line in p.placeholders)
        heading_lines = [
            n for n, line in _outside_fences(item.version.text) if _HEADING.match(line)
        ]
        assert [h.line for h in p.headings] == heading_lines, item.version.commit[:7]


def test_no_title_keeps_a_marker_and_none_is_empty(parsed: list[Parsed]) -> None:
    titles = [e.title for item in parsed for e in item.parsed.entries]
    assert titles and all(titles)
    assert [t for t in titles if _MARKER_IN_TITLE.search(t)] == []


def test_bare_bang_bullets_are_flagged_new(parsed: list[Parsed]) -> None:
    bang = re.compile(r"^\s*[-*+]\s+!\s+\S")
    seen = 0
    for item in parsed:
        expected = {
            n
            for n, line in _bullets(item.version.text)
            if bang.match(line) and not _PLACEHOLDER.match(line)
        }
        flagged = {e.line for e in item.parsed.entries if "new" in e.flags}
        assert flagged == expected, item.version.commit[:7]
        seen = max(seen, len(expected))
    assert seen == 30  # 39 bullets begin with a bare "!" in 2025-11-03 versions; 9 are placeholders


def test_2024_versions_keep_every_title_bullet(parsed: list[Parsed]) -> None:
    older = [item for item in parsed if item.version.date.startswith("2024")]
    with_bullets = [item for item in older if _bullets(item.version.text)]
    assert len(with_bullets) >= 20
    for item in with_bullets:
        titles = [
            re.sub(r"\s*\[+\w+\]*\(.*$", "", line.split("-", 1)[1]).strip()
            for _, line in _bullets(item.version.text)
        ]
        assert [e.title for e in item.parsed.entries] == titles, item.version.commit[:7]
        distinct = {re.sub(r"[^a-z0-9]+", " ", t.lower()).strip() for t in titles}
        assert len(merge_entries(item.parsed.entries).papers) == len(distinct)


def test_flat_2024_headings_nest_by_their_numbers(parsed: list[Parsed]) -> None:
    flat = [
        item
        for item in parsed
        if len({h.markdown_level for h in item.parsed.headings}) == 1
        and any(h.number and "." in h.number for h in item.parsed.headings)
    ]
    assert flat, "the history has versions whose headings all have one level"
    for item in flat:
        by_number = {h.number: h for h in item.parsed.headings if h.number}
        for number, heading in by_number.items():
            if "." in number:
                parent = by_number[number.rsplit(".", 1)[0]]
                assert heading.path == (parent.text, heading.text)
                assert item.parsed.parent_of(heading) == parent


def test_the_split_title_is_one_entry_with_its_link(parsed: list[Parsed]) -> None:
    split = [
        item
        for item in parsed
        if any(
            "AgentGym-RL" in line and "](" not in line for _, line in _bullets(item.version.text)
        )
    ]
    assert len(split) == 3  # three consecutive commits keep the split
    for item in split:
        entry = next(e for e in item.parsed.entries if "AgentGym-RL" in e.title)
        assert entry.title.startswith("AgentGym-RL: Training LLM Agents")
        assert entry.title.endswith("Multi-Turn Reinforcement Learning")
        assert [link.url for link in entry.links] == ["https://arxiv.org/abs/2509.08755"]
        assert "new" in entry.flags and entry.raw.count("\n") == 1


def _markdown_it_inline(md: MarkdownIt, content: str) -> tuple[str, list[tuple[str, str]]]:
    """Return (text outside links, [(href, label)]) as markdown-it reads one bullet."""
    text: list[str] = []
    label: list[str] = []
    links: list[tuple[str, str]] = []
    href: str | None = None
    for token in md.parseInline(content)[0].children or []:
        if token.type == "link_open":
            href, label = str(token.attrs["href"]), []
        elif token.type == "link_close" and href is not None:
            links.append((href, "".join(label).strip().removeprefix("[").removesuffix("]")))
            href = None
        elif token.type in ("text", "code_inline", "softbreak"):
            (label if href is not None else text).append(token.content or " ")
    return " ".join("".join(text).split()), links


def test_inline_reading_agrees_with_markdown_it_on_every_bullet(versions: list[Version]) -> None:
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    lines = {line for v in versions for _, line in _bullets(v.text)}
    assert len(lines) > 500
    for line in sorted(lines):
        content = _BULLET.sub("", line, count=1)
        expected_text, expected_links = _markdown_it_inline(md, content)
        inline = split_inline(content)
        text = " ".join(plain_text(take_leftover_links(inline.text)[0]).split())
        # The one deliberate difference: ``[[paper](url)`` leaves no stray "[" in the title.
        assert text == expected_text.removesuffix("[").rstrip(), line
        assert [(link.url, link.label) for link in inline.links] == expected_links, line
