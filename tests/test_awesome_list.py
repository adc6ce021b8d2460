"""Tests for genrl_kg.sources.awesome_list."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from genrl_kg.errors import GenrlKgError, InputError
from genrl_kg.sources.awesome_list import ModalityRow, ParsedList, parse_list, read_list

NEW_STYLE = """\
# Awesome list

## Abstract
Some prose with a [link](https://example.org/not-an-entry).

## Generative Tools for RL

### Base Model
1. [Large Language Models](Large_Language_Models_for_RL_Table.xlsx)

### Modality
| Model Type | Input Modality | Output Modality | Primary Role in RL | Trade-off Focus |
| :-- | :-- | :-- | :-- | :-- |
| **LLMs** | Text | Text | **Abstract Reasoning:** goals. | High Abstraction |

### Task
#### Reward Signal

##### 1.Learning reward functions with LLMs
 - Augmenting Autotelic Agents [[paper]](https://arxiv.org/abs/2305.12487)
 - (2025)! Towards Autonomous RL [[paper]](https://ieeexplore.ieee.org/abstract/document/11080043)
- Vision language models are zero-shot reward models[[paper]](https://doi.org/10.48550/arXiv.2310.12921)

####   Planning & Exploration

##### 2.VLMs for exploration
- Vision-Language Models are Zero-Shot Reward Models [[paper]](https://arxiv.org/abs/2310.12921)
- [[paper]](https://arxiv.org/abs/2301.00001)
- Space in link [[paper]](https://example.org/a b)
- Angle in link [[paper]](https://example.org/a>b) [[code]](https://github.com/x/y)
- Just a title without any link

## RL for Generative Policies

### 1.2 RL Pre-Training
#### 1. Transformer Policy
  - Multi-agent RL is sequence modeling [[paper]](https://arxiv.org/abs/2205.14953)
    - Nested follow-up (new!) [[paper]](https://arxiv.org/pdf/2205.14953v2)

### Policy Safety (new!)
- (2025)! SafeVLA [[paper]](https://arxiv.org/pdf/2503.03480)

## Citation
- a bullet outside the taxonomy without links
"""


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return parse_list(NEW_STYLE, source="fixture.md")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_headings_are_cleaned_of_numbers_spaces_and_flags(parsed: ParsedList) -> None:
    by_text = {h.text: h for h in parsed.headings}
    leaf = by_text["Learning reward functions with LLMs"]
    assert (leaf.level, leaf.number, leaf.raw) == (
        5,
        "1",
        "##### 1.Learning reward functions with LLMs",
    )
    assert leaf.path == ("Generative Tools for RL", "Task", "Reward Signal", leaf.text)
    assert by_text["Planning & Exploration"].raw == "####   Planning & Exploration"
    assert by_text["RL Pre-Training"].number == "1.2"
    assert by_text["Transformer Policy"].number == "1"
    assert by_text["Transformer Policy"].path == (
        "RL for Generative Policies",
        "RL Pre-Training",
        "Transformer Policy",
    )
    safety = by_text["Policy Safety"]
    assert safety.flags == frozenset({"new"}) and safety.number is None
    assert safety.line == _line_of(NEW_STYLE, "### Policy Safety")
    assert by_text["Awesome list"].path == ("Awesome list",)


def test_number_prefix_needs_a_separator() -> None:
    parsed = parse_list(
        "## 3D Vision\n- T [[p]](https://x.org/1)\n## 2.5D Maps\n- U [[p]](https://x.org/2)\n"
    )
    assert [(h.number, h.text) for h in parsed.headings] == [
        (None, "3D Vision"),
        (None, "2.5D Maps"),
    ]


def test_entries_titles_links_markers_and_lines(parsed: ParsedList) -> None:
    titles = [e.title for e in parsed.entries]
    assert titles == [
        "Augmenting Autotelic Agents",
        "Towards Autonomous RL",
        "Vision language models are zero-shot reward models",
        "Vision-Language Models are Zero-Shot Reward Models",
        "Space in link",
        "Angle in link",
        "Just a title without any link",
        "Multi-agent RL is sequence modeling",
        "Nested follow-up",
        "SafeVLA",
    ]
    first, second = parsed.entries[0], parsed.entries[1]
    assert first.line == _line_of(NEW_STYLE, "Augmenting Autotelic")
    assert first.raw == "- Augmenting Autotelic Agents [[paper]](https://arxiv.org/abs/2305.12487)"
    assert first.links[0].url == "https://arxiv.org/abs/2305.12487"
    assert first.links[0].label == "paper"
    assert (first.year_added, second.year_added) == (None, 2025)
    assert parsed.entries[2].links[0].url == "https://doi.org/10.48550/arXiv.2310.12921"
    nested = parsed.entries[8]
    assert nested.flags == frozenset({"new"})
    assert nested.section.text == "Transformer Policy"
    assert nested.line == _line_of(NEW_STYLE, "Nested follow-up")
    assert parsed.entries[-1].section.flags == frozenset({"new"})


def test_links_in_prose_and_ordered_lists_are_not_entries(parsed: ParsedList) -> None:
    urls = {link.url for e in parsed.entries for link in e.links}
    assert "https://example.org/not-an-entry" not in urls
    assert not any(u.endswith(".xlsx") for u in urls)
    assert all(
        e.section.text not in {"Abstract", "Base Model", "Modality", "Citation"}
        for e in parsed.entries
    )


def test_broken_lines_are_reported_with_their_line(parsed: ParsedList) -> None:
    problems = {(p.line, p.message.split(" ")[0]) for p in parsed.problems}
    line = lambda needle: _line_of(NEW_STYLE, needle)  # noqa: E731
    assert problems == {
        (line("- [[paper]](https://arxiv.org/abs/2301.00001)"), "list"),
        (line("Space in link"), "link"),
        (line("Angle in link"), "link"),
        (line("Just a title"), "list"),
    }
    messages = {p.line: p.message for p in parsed.problems}
    assert "no title" in messages[line("- [[paper]](https://arxiv.org/abs/2301.00001)")]
    assert "'https://example.org/a b'" in messages[line("Space in link")]
    assert "'>'" in messages[line("Angle in link")]
    assert "no link" in messages[line("Just a title")]
    angle = next(e for e in parsed.entries if e.title == "Angle in link")
    assert [link.url for link in angle.links] == ["https://github.com/x/y"]
    space = next(e for e in parsed.entries if e.title == "Space in link")
    assert space.links == ()


def test_taxonomy_headings_are_those_holding_entries(parsed: ParsedList) -> None:
    texts = [h.text for h in parsed.taxonomy_headings()]
    assert texts == [
        "Generative Tools for RL",
        "Task",
        "Reward Signal",
        "Learning reward functions with LLMs",
        "Planning & Exploration",
        "VLMs for exploration",
        "RL for Generative Policies",
        "RL Pre-Training",
        "Transformer Policy",
        "Policy Safety",
    ]
    leaf = parsed.headings[[h.text for h in parsed.headings].index("VLMs for exploration")]
    parent = parsed.parent_of(leaf)
    assert parent is not None and parent.text == "Planning & Exploration"


def test_modality_table_rows(parsed: ParsedList) -> None:
    assert parsed.modality_rows == (
        ModalityRow(
            "LLMs",
            "Text",
            "Text",
            "Abstract Reasoning: goals.",
            "High Abstraction",
            _line_of(NEW_STYLE, "| **LLMs**"),
        ),
    )


def test_modality_columns_follow_header_names() -> None:
    text = (
        "## Modality\n"
        "| Trade-off | Model Type | Output Modality | Input Modality | Primary Role |\n"
        "|-|-|-|-|-|\n| t | **VLMs** | o | i | r |\n## X\n- T [[p]](https://x.org/1)\n"
    )
    row = parse_list(text).modality_rows[0]
    assert (
        row.model_type,
        row.input_modality,
        row.output_modality,
        row.primary_role,
        row.trade_off,
    ) == (
        "VLMs",
        "i",
        "o",
        "r",
        "t",
    )


def test_paragraph_after_an_empty_bullet_is_not_an_entry() -> None:
    parsed = parse_list("## A\n- T [[p]](https://x.org/1)\n-\n\nSee [this](https://x.org/2).\n")
    assert [e.title for e in parsed.entries] == ["T"] and parsed.problems == ()


def test_entry_before_any_heading_is_a_problem() -> None:
    parsed = parse_list(
        "- Orphan [[paper]](https://x.org/1)\n## A\n- Kept [[paper]](https://x.org/2)\n"
    )
    assert [e.title for e in parsed.entries] == ["Kept"]
    assert [(p.line, p.message) for p in parsed.problems] == [(1, "list entry before any heading")]


def test_crlf_and_bom_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_bytes(b"\xef\xbb\xbf## A\r\n\r\n- T [[paper]](https://x.org/1)\r\n")
    parsed = read_list(path)
    assert parsed.source == "list.md"
    assert (parsed.entries[0].line, parsed.entries[0].raw) == (3, "- T [[paper]](https://x.org/1)")


def _assert_input_error(path: Path, pattern: str, **kwargs: int) -> None:
    with pytest.raises(InputError, match=pattern) as info:
        read_list(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert isinstance(info.value, GenrlKgError)


def test_read_list_missing_file(tmp_path: Path) -> None:
    _assert_input_error(tmp_path / "nope.md", "not found")


def test_read_list_directory(tmp_path: Path) -> None:
    _assert_input_error(tmp_path, "not a regular file")


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n"])
def test_read_list_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(content)
    _assert_input_error(path, "empty")


def test_read_list_binary_file_names_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _assert_input_error(path, r"NUL byte at offset 8")


def test_read_list_non_utf8_names_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("## Caf\u00e9\n".encode("latin-1"))
    _assert_input_error(path, r"byte 0xe9 at offset 6")


def test_read_list_without_headings(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("just text\n- T [[paper]](https://x.org/1)\n", encoding="utf-8")
    _assert_input_error(path, "no Markdown headings")


def test_read_list_headings_without_entries(tmp_path: Path) -> None:
    path = tmp_path / "bare.md"
    path.write_text("# Title\n## Abstract\nProse.\n", encoding="utf-8")
    _assert_input_error(path, "2 headings but no list entries")


def test_read_list_refuses_a_50_mb_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.write(b"## A\n- T [[paper]](https://x.org/1)\n")
        handle.truncate(50 * 1024 * 1024)
    _assert_input_error(path, r"52428800 bytes, over the 20971520-byte limit")


def test_read_list_size_cap_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("## A\n- T [[paper]](https://x.org/1)\n", encoding="utf-8")
    assert len(read_list(path).entries) == 1
    _assert_input_error(path, "over the 10-byte limit", max_bytes=10)


@pytest.mark.upstream
def test_real_snapshot_entries_match_a_line_scan(upstream_dir: Path) -> None:
    readme = upstream_dir / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    bullet = re.compile(r"^\s*[-*+]\s")
    expected = [i for i, line in enumerate(lines, 1) if bullet.match(line) and "[[paper]]" in line]
    parsed = read_list(readme)
    assert len(expected) == 233
    assert [e.line for e in parsed.entries] == expected
    assert all(e.section is not None and e.section.level >= 3 for e in parsed.entries)
    assert all(e.title and e.links for e in parsed.entries)
    assert parsed.problems == ()
    marked = sum(1 for i in expected if lines[i - 1].lstrip("-* ").startswith("(2025)!"))
    assert sum(1 for e in parsed.entries if e.year_added == 2025) == marked


@pytest.mark.upstream
def test_real_snapshot_headings_and_modality(upstream_dir: Path) -> None:
    parsed = read_list(upstream_dir / "README.md")
    headings = [
        line
        for line in (upstream_dir / "README.md").read_text().splitlines()
        if line.startswith("#")
    ]
    assert len(parsed.headings) == len(headings)
    texts = {h.text for h in parsed.taxonomy_headings()}
    assert {"Abstract", "Citation", "Base Model", "Modality"}.isdisjoint(texts)
    assert {"Planning & Exploration", "Transformer Policy", "Policy Safety"} <= texts
    assert [r.model_type for r in parsed.modality_rows] == [
        "LLMs",
        "VLMs",
        "Diffusion Models",
        "World Models",
    ]


HISTORY_QUIRKS = """\
# Robotics list
## 1. Large Language Models Enhance Reasoning
 ### 1.1 Inverse RL
  - Accelerating RL of Robotic Manipulations
  - Augmenting Autotelic Agents [[paper](https://arxiv.org/abs/2305.12487)
  - Eureka: Human-Level Reward Design [link](https://arxiv.org/abs/2310.12931)
##  2.VLMs   for   reward learning
- (2025)! GWM: Gaussian World Models [[paper]](https://arxiv.org/abs/2508.17600)
-  (2026)! Two spaces after the marker [[paper]](https://arxiv.org/abs/2601.00001)
    - ! Four-space indent, bare marker [[paper]](https://arxiv.org/abs/2509.00001)
  - ! AgentGym-RL: Training LLM Agents
 [[paper]](https://arxiv.org/abs/2509.08755)
- !  [[paper]]()
- 
   ### 2.1. Heading with three leading spaces
- Last [[paper]](https://arxiv.org/abs/2509.00002)
"""


@pytest.fixture(scope="module")
def quirks() -> ParsedList:
    return parse_list(HISTORY_QUIRKS, source="quirks.md")


def test_history_quirks_become_entries(quirks: ParsedList) -> None:
    line = lambda needle: _line_of(HISTORY_QUIRKS, needle)  # noqa: E731
    got = [
        (e.line, e.title, [link.url for link in e.links], e.year_added, sorted(e.flags))
        for e in quirks.entries
    ]
    assert got == [
        (line("Accelerating RL"), "Accelerating RL of Robotic Manipulations", [], None, []),
        (
            line("Augmenting"),
            "Augmenting Autotelic Agents",
            ["https://arxiv.org/abs/2305.12487"],
            None,
            [],
        ),
        (
            line("Eureka"),
            "Eureka: Human-Level Reward Design",
            ["https://arxiv.org/abs/2310.12931"],
            None,
            [],
        ),
        (line("GWM"), "GWM: Gaussian World Models", ["https://arxiv.org/abs/2508.17600"], 2025, []),
        (
            line("Two spaces"),
            "Two spaces after the marker",
            ["https://arxiv.org/abs/2601.00001"],
            2026,
            [],
        ),
        (
            line("Four-space"),
            "Four-space indent, bare marker",
            ["https://arxiv.org/abs/2509.00001"],
            None,
            ["new"],
        ),
        (
            line("AgentGym"),
            "AgentGym-RL: Training LLM Agents",
            ["https://arxiv.org/abs/2509.08755"],
            None,
            ["new"],
        ),
        (line("- Last"), "Last", ["https://arxiv.org/abs/2509.00002"], None, []),
    ]


def test_placeholders_are_counted_not_entries(quirks: ParsedList) -> None:
    lines = HISTORY_QUIRKS.splitlines()
    expected = [i for i, text in enumerate(lines, 1) if text in ("- !  [[paper]]()", "- ")]
    assert list(quirks.placeholders) == expected and len(expected) == 2
    bullets = sum(1 for text in lines if re.match(r"^\s*-(\s|$)", text))
    assert quirks.bullets_read == bullets == len(quirks.entries) + len(expected)
    assert quirks.unparsed == ()
    assert [(p.line, p.message) for p in quirks.problems] == [
        (
            _line_of(HISTORY_QUIRKS, "Accelerating"),
            "list entry has no link; kept, keyed by its title",
        )
    ]


def test_history_quirk_headings(quirks: ParsedList) -> None:
    got = [(h.level, h.number, h.text, h.path) for h in quirks.headings]
    assert got == [
        (1, None, "Robotics list", ("Robotics list",)),
        (
            2,
            "1",
            "Large Language Models Enhance Reasoning",
            ("Large Language Models Enhance Reasoning",),
        ),
        (3, "1.1", "Inverse RL", ("Large Language Models Enhance Reasoning", "Inverse RL")),
        (2, "2", "VLMs for reward learning", ("VLMs for reward learning",)),
        (
            3,
            "2.1",
            "Heading with three leading spaces",
            ("VLMs for reward learning", "Heading with three leading spaces"),
        ),
    ]


def test_line_roles_name_every_line(quirks: ParsedList) -> None:
    roles = [r.value for r in quirks.line_roles]
    assert len(roles) == len(HISTORY_QUIRKS.splitlines())
    assert roles[:4] == ["heading", "heading", "heading", "entry"]
    split_title = _line_of(HISTORY_QUIRKS, "AgentGym")
    assert roles[split_title - 1 : split_title + 1] == ["entry", "entry"]
    assert roles.count("placeholder") == 2 and roles.count("problem") == 0
    assert quirks.unaccounted_lines() == ()


FLAT = """\
# Robotics-RL-FMs-Integration
# 1. Large Language Models Enhance Reasoning
 # 1.1 Inverse RL
  - Eureka
 # 1.2 Policies
# 2. Vision Language Models
  - RoboCLIP
"""


def test_flat_headings_nest_by_their_numbers() -> None:
    parsed = parse_list(FLAT)
    got = [(h.level, h.markdown_level, h.path) for h in parsed.headings]
    top, vlm = "Large Language Models Enhance Reasoning", "Vision Language Models"
    assert got == [
        (1, 1, ("Robotics-RL-FMs-Integration",)),
        (2, 1, (top,)),
        (3, 1, (top, "Inverse RL")),
        (3, 1, (top, "Policies")),
        (2, 1, (vlm,)),
    ]
    assert [e.section.path for e in parsed.entries] == [(top, "Inverse RL"), (vlm,)]
    assert parsed.parent_of(parsed.headings[2]) == parsed.headings[1]
    assert [h.text for h in parsed.taxonomy_headings()] == [top, "Inverse RL", vlm]


def test_an_h1_glued_to_an_image_is_a_heading() -> None:
    text = '<img width="18" src="https://x.org/a.png" /># Awesome Papers\n## A\n- T [[p]](https://x.org/1)\n'
    parsed = parse_list(text)
    assert [(h.level, h.text, h.line) for h in parsed.headings] == [
        (1, "Awesome Papers", 1),
        (2, "A", 2),
    ]


def test_front_and_back_matter_bullets_are_prose() -> None:
    text = (
        "## Abstract\n- We survey things\n### Scope\n- also prose\n"
        "## Methods\n- Kept title\n## Citation\n- Cite us [bib](https://x.org/bib)\n"
    )
    parsed = parse_list(text)
    assert [e.title for e in parsed.entries] == ["Kept title"]
    assert parsed.bullets_read == 1
    assert [r.value for r in parsed.line_roles].count("prose") == 3


def test_code_blocks_comments_and_rules_hold_no_entries() -> None:
    text = (
        "## A\n```\n- In code [[p]](https://x.org/1)\n```\n<!--\n- Commented [[p]](https://x.org/2)\n"
        "-->\n- - -\n* * *\n1. Ordered [[p]](https://x.org/3)\n- Real [[p]](https://x.org/4)\n"
    )
    parsed = parse_list(text)
    assert [e.title for e in parsed.entries] == ["Real"]
    assert parsed.bullets_read == 1 and parsed.problems == ()


def test_the_parser_logs_no_warnings_itself(caplog: pytest.LogCaptureFixture) -> None:
    """Problems are returned, and the build prints them once; the parser must not print them too."""
    with caplog.at_level(logging.DEBUG, logger="genrl_kg.sources.awesome_list"):
        parsed = parse_list("## A\n- No link here\n- Bad [[p]](https://x.org/a b)\n")
    assert len(parsed.problems) == 2
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_read_list_accepts_a_list_of_placeholders_only(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("# Title\n## A\n- !  [[paper]]()\n", encoding="utf-8")
    parsed = read_list(path)
    assert (parsed.bullets_read, parsed.entries, parsed.placeholders) == (1, (), (3,))


def test_modality_table_cells_with_escaped_pipes_and_missing_cells() -> None:
    text = (
        "## Modality\n| Model Type | Input Modality | Output | Role | Trade-off |\n"
        "| :-- | :-- | --- | --- | ---: |\n| **LLMs** | a \\| b | c |\n## X\n- T [[p]](https://x.org/1)\n"
    )
    (row,) = parse_list(text).modality_rows
    assert (row.model_type, row.input_modality, row.output_modality, row.primary_role) == (
        "LLMs",
        "a | b",
        "c",
        "",
    )
    assert row.line == 4
