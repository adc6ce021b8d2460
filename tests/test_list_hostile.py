"""Hostile lists lose nothing silently: each bad line is a problem with its line number.

Every fixture is generated here. Each test checks that the other entries survive and that the
bad line is reported where it is. Time and memory are measured in bench/bench_list_parser.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genrl_kg.errors import InputError
from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import (
    MAX_BULLETS,
    MAX_BYTES,
    MAX_LINE_CHARS,
    MAX_LINES,
    LineRole,
    ParsedList,
    parse_list,
    read_list,
)

SECTIONS = 15
PER_SECTION = 14


def _entry(index: int, indent: str = "") -> str:
    return f"{indent}- Paper number {index} [[paper]](https://arxiv.org/abs/2301.{index:05d})"


def _list_with(hostile: list[str], before_section: int = 5) -> tuple[str, int]:
    """Return a list of SECTIONS sections of PER_SECTION entries with *hostile* lines inserted
    before section *before_section*, and the line number of the first hostile line."""
    lines = ["# Hostile fixture", ""]
    first = 0
    for section in range(SECTIONS):
        if section == before_section:
            first = len(lines) + 1
            lines += hostile
        lines.append(f"## Section {section}")
        lines += [_entry(section * PER_SECTION + i) for i in range(PER_SECTION)]
        lines.append("")
    return "\n".join(lines) + "\n", first


def _assert_covered(parsed: ParsedList, text: str) -> None:
    """Every line has a role, and every problem line is named by a problem."""
    assert len(parsed.line_roles) == text.count("\n") + (not text.endswith("\n"))
    assert parsed.unaccounted_lines() == ()
    assert parsed.bullets_read == (
        len(parsed.entries) + len(parsed.placeholders) + len(parsed.unparsed)
    )


def _normal_titles(parsed: ParsedList) -> list[str]:
    return [e.title for e in parsed.entries if e.title.startswith("Paper number")]


def test_eleven_nested_markers_lose_no_section() -> None:
    deep = "- - - - - - - - - - - Deep [[paper]](https://arxiv.org/abs/2303.04137)"
    text, line = _list_with([deep])
    parsed = parse_list(text)
    assert _normal_titles(parsed) == [f"Paper number {i}" for i in range(SECTIONS * PER_SECTION)]
    assert len({e.section.text for e in parsed.entries}) == SECTIONS
    deep_entry = next(e for e in parsed.entries if e.line == line)
    assert deep_entry.title == "Deep"
    assert [link.url for link in deep_entry.links] == ["https://arxiv.org/abs/2303.04137"]
    assert parsed.problems == ()
    _assert_covered(parsed, text)


def test_a_list_indented_1000_levels_loses_nothing() -> None:
    nested = [_entry(90_000 + level, "  " * level) for level in range(1000)]
    text, first = _list_with(nested)
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION + 1000
    last_nested = next(e for e in parsed.entries if e.line == first + 999)
    assert last_nested.title == "Paper number 90999"
    assert parsed.entries[-1].section.text == f"Section {SECTIONS - 1}"
    assert parsed.problems == ()
    _assert_covered(parsed, text)


def test_a_4_mb_line_is_one_problem_and_the_rest_is_read() -> None:
    long_line = "- Long " + "[[paper]](https://arxiv.org/abs/2303.04137) " * (4 * 1024 * 1024 // 44)
    text, line = _list_with([long_line, "A" * (MAX_LINE_CHARS + 1)])
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION
    assert [(p.line, p.message.split(",")[0]) for p in parsed.problems] == [
        (line, f"line is {len(long_line)} characters long"),
        (line + 1, f"line is {MAX_LINE_CHARS + 1} characters long"),
    ]
    assert [p.line for p in parsed.unparsed] == [line]  # the bullet counts as read, unparsed
    assert parsed.line_roles[line - 1] is parsed.line_roles[line] is LineRole.PROBLEM
    _assert_covered(parsed, text)


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/1706.\uff10\uff13\uff17\uff16\uff12",  # fullwidth digits
        "https://arxiv.org/abs/1706.\u0660\u0663\u0667\u0666\u0662",  # Arabic-Indic digits
    ],
)
def test_unicode_digits_never_make_an_arxiv_id(url: str) -> None:
    text, line = _list_with([f"- Attention Is All You Need [[paper]]({url})"])
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION
    entry = next(e for e in parsed.entries if e.line == line)
    assert entry.links == ()
    assert [(p.line, "non-ASCII digits" in p.message) for p in parsed.problems] == [(line, True)]
    paper = next(p for p in merge_entries(parsed.entries).papers if p.entries[0].line == line)
    assert paper.key == "title/attention-is-all-you-need"
    _assert_covered(parsed, text)


def test_links_that_are_not_http_are_dropped_with_their_line() -> None:
    hostile = (
        "- Mixed [[paper]](https://arxiv.org/abs/2303.04137) [img](data:image/png;base64,iVBO)"
        " [mail](mailto:a@example.org) [ftp](ftp://127.0.0.1/x) [js](javascript:alert(1))"
    )
    text, line = _list_with([hostile])
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION
    entry = next(e for e in parsed.entries if e.line == line)
    assert [link.url for link in entry.links] == ["https://arxiv.org/abs/2303.04137"]
    dropped = sorted(p.message.split("'")[1].split(":")[0] for p in parsed.problems)
    assert dropped == ["data", "ftp", "javascript", "mailto"]
    assert {p.line for p in parsed.problems} == {line}
    _assert_covered(parsed, text)


def test_control_characters_never_reach_a_title_or_heading() -> None:
    text, line = _list_with(
        ["## Esc\x1bape \x07Section", "- Ti\x1b[31mtle [[paper]](https://x.org/1)"]
    )
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION
    entry = next(e for e in parsed.entries if e.line == line + 1)
    assert (entry.title, entry.section.text) == ("Ti[31mtle", "Escape Section")
    assert "\x1b" not in entry.raw
    assert [(p.line, p.message) for p in parsed.problems] == [
        (line, "removed 2 control character(s) (U+001B, U+0007)"),
        (line + 1, "removed 1 control character(s) (U+001B)"),
    ]
    every_text = [e.title for e in parsed.entries] + [h.text for h in parsed.headings]
    assert not any(ord(c) < 32 for t in every_text for c in t)


def test_character_references_to_controls_stay_harmless() -> None:
    parsed = parse_list("## A\n- Bell &#7; and &#x1b; [[paper]](https://x.org/1)\n")
    assert not any(ord(c) < 32 for c in parsed.entries[0].title)


def test_an_unclosed_code_fence_is_reported_at_its_line() -> None:
    text, line = _list_with(["```bash"], before_section=SECTIONS - 1)
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == (SECTIONS - 1) * PER_SECTION
    assert [p.line for p in parsed.problems] == [line]
    assert "never closed" in parsed.problems[0].message


def test_too_many_links_and_an_overlong_entry_are_unparsed_with_their_line() -> None:
    many = "- Many " + " ".join(f"[[p{i}]](https://x.org/{i})" for i in range(17))
    long_paragraph = ["- Wordy", *(["word " * 200] * 5)]  # one paragraph: lazy continuation
    content = len("\n".join([long_paragraph[0][2:], *long_paragraph[1:]]))
    text, line = _list_with([many, "", *long_paragraph])
    parsed = parse_list(text)
    assert len(_normal_titles(parsed)) == SECTIONS * PER_SECTION
    assert [(p.line, p.message.split(";")[0]) for p in parsed.unparsed] == [
        (line, "list entry has more than 16 links"),
        (line + 2, f"list entry is {content} characters long, over the 4096-character limit"),
    ]
    assert all(parsed.line_roles[i] is LineRole.PROBLEM for i in range(line + 1, line + 7))
    _assert_covered(parsed, text)


def test_a_20_mb_file_of_prose_keeps_every_entry(tmp_path: Path) -> None:
    prose_line = "Lorem ipsum dolor sit amet. " * 36
    count = (MAX_BYTES - 20_000) // (len(prose_line) + 1)
    text, line = _list_with([prose_line] * count)
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8")
    assert MAX_BYTES - 40_000 < path.stat().st_size <= MAX_BYTES
    parsed = read_list(path)
    assert _normal_titles(parsed) == [f"Paper number {i}" for i in range(SECTIONS * PER_SECTION)]
    assert parsed.line_roles[line - 1 : line - 1 + count] == (LineRole.PROSE,) * count
    _assert_covered(parsed, text)


@pytest.mark.slow
def test_a_20_mb_list_over_the_entry_cap_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = ["## Many"]
    size, index = 8, 0
    while size < MAX_BYTES - 200:
        lines.append(_entry(index))
        size += len(lines[-1]) + 1
        index += 1
    path = tmp_path / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = parse_list(path.read_text(encoding="utf-8"))
    assert index > MAX_BULLETS and len(parsed.entries) == MAX_BULLETS
    stop = MAX_BULLETS + 2  # the heading is line 1
    assert parsed.stopped_at == stop
    assert parsed.line_roles[stop - 1 :] == (LineRole.PROBLEM,) * (len(lines) - stop + 1)
    _assert_covered(parsed, "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"README.md:{stop}: more than {MAX_BULLETS} list"):
        read_list(path)


@pytest.mark.slow
def test_a_20_mb_file_of_short_lines_stops_at_the_line_cap(tmp_path: Path) -> None:
    text = "## A\n" + _entry(1) + "\n\n" + "ab\n" * ((MAX_BYTES - 100) // 3)
    parsed = parse_list(text)
    assert [e.title for e in parsed.entries] == ["Paper number 1"]
    assert parsed.stopped_at == MAX_LINES + 1
    assert len(parsed.line_roles) == text.count("\n")
    assert parsed.unaccounted_lines() == ()
