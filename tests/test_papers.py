"""Tests for genrl_kg.papers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genrl_kg.papers import MergeResult, PaperRecord, merge_entries, title_key
from genrl_kg.sources.awesome_list import parse_list, read_list

DUPLICATES = """\
## Tools
### 1.Rewards
- Vision language models are zero-shot reward models [[paper]](https://doi.org/10.48550/arXiv.2310.12921)
- (2025)! Diffusion Policy: Visuomotor Policy Learning [[paper]](https://arxiv.org/abs/2303.04137)
- Code as Reward [[paper]](https://openreview.net/pdf?id=6P88DMUDvH)
- A paper with no link at all
### 2.Planning
- Vision-Language Models are Zero-Shot Reward Models [[paper]](https://arxiv.org/abs/2310.12921v2)
- Policy Representation via Diffusion [[paper]](https://arxiv.org/abs/2305.13122)
- Policy Representation via Diffusion [[paper]](https://arxiv.org/pdf/2305.13122)
- Code as Reward (new!) [[paper]](https://openreview.net/forum?id=6P88DMUDvH)
- Goal masked diffusion [[paper]](https://doi.org/10.1109/ICRA57147.2024.10610665)
## Policies
### Diffusion Policy
- Diffusion Policy: Visuomotor Policy Learning [[paper]](https://arxiv.org/pdf/2303.04137v4.pdf)
- A paper with no link at all.
- Goal Masked Diffusion [[pdf]](https://ieeexplore.ieee.org/document/10610665) [[doi]](https://doi.org/10.1109/icra57147.2024.10610665)
- LaGR-SEQ [[paper]](https://link.springer.com/article/10.1007/s00521-025-11156-y)
- LaGR-SEQ: Language-guided RL [[paper]](https://doi.org/10.1007/S00521-025-11156-Y)
- Project page only [[paper]](https://example.github.io/proj/)
"""


@pytest.fixture(scope="module")
def result() -> MergeResult:
    return merge_entries(parse_list(DUPLICATES).entries)


def _lines(needle: str) -> list[int]:
    return [i for i, line in enumerate(DUPLICATES.splitlines(), 1) if needle in line.lower()]


def test_papers_and_keys_in_first_appearance_order(result: MergeResult) -> None:
    assert [p.key for p in result.papers] == [
        "arxiv/2310.12921",
        "arxiv/2303.04137",
        "openreview/6P88DMUDvH",
        "title/a-paper-with-no-link-at-all",
        "arxiv/2305.13122",
        "doi/10.1109/icra57147.2024.10610665",
        "doi/10.1007/s00521-025-11156-y",
        "web/example.github.io/proj",
    ]


def test_two_link_forms_are_one_paper(result: MergeResult) -> None:
    paper = result.papers[0]
    assert paper.title == "Vision language models are zero-shot reward models"
    assert paper.titles == (
        "Vision language models are zero-shot reward models",
        "Vision-Language Models are Zero-Shot Reward Models",
    )
    assert paper.listed_links == (
        "https://doi.org/10.48550/arXiv.2310.12921",
        "https://arxiv.org/abs/2310.12921v2",
    )
    assert [lid.value for lid in paper.link_ids] == ["2310.12921"]
    assert [s.text for s in paper.sections] == ["Rewards", "Planning"]


def test_duplicates_across_sections_keep_every_section(result: MergeResult) -> None:
    paper = next(p for p in result.papers if p.key == "arxiv/2303.04137")
    assert [s.text for s in paper.sections] == ["Rewards", "Diffusion Policy"]
    assert [e.line for e in paper.entries] == _lines("diffusion policy: visuomotor")
    assert paper.year_added == 2025


def test_duplicate_in_one_section_lists_the_section_once(result: MergeResult) -> None:
    paper = next(p for p in result.papers if p.key == "arxiv/2305.13122")
    assert len(paper.entries) == 2 and [s.text for s in paper.sections] == ["Planning"]


def test_flags_union_and_identifier_priority(result: MergeResult) -> None:
    review = next(p for p in result.papers if p.key.startswith("openreview/"))
    assert review.flags == frozenset({"new"})
    goal = next(p for p in result.papers if p.key.startswith("doi/10.1109"))
    assert [lid.kind for lid in goal.link_ids] == ["doi", "ieee"]
    assert len(goal.entries) == 2


def test_springer_article_and_doi_link_merge(result: MergeResult) -> None:
    paper = next(p for p in result.papers if p.key == "doi/10.1007/s00521-025-11156-y")
    assert len(paper.entries) == 2


def test_title_only_entries_merge_by_normalised_title(result: MergeResult) -> None:
    paper = next(p for p in result.papers if p.key.startswith("title/"))
    assert paper.link_ids == () and len(paper.entries) == 2
    merge = next(m for m in result.merges if m.key == paper.key)
    assert merge.reason == "same normalised title"


def test_merges_record_lines_and_reasons(result: MergeResult) -> None:
    by_key = {m.key: m for m in result.merges}
    assert set(by_key) == {
        "arxiv/2310.12921",
        "arxiv/2303.04137",
        "openreview/6P88DMUDvH",
        "title/a-paper-with-no-link-at-all",
        "arxiv/2305.13122",
        "doi/10.1109/icra57147.2024.10610665",
        "doi/10.1007/s00521-025-11156-y",
    }
    assert by_key["arxiv/2310.12921"].lines == tuple(_lines("ero-shot reward models"))
    assert by_key["arxiv/2310.12921"].reason.startswith("same arXiv id 2310.12921")
    assert "same identifier openreview/6P88DMUDvH" in by_key["openreview/6P88DMUDvH"].reason
    assert "same DOI 10.1007/s00521-025-11156-y" in by_key["doi/10.1007/s00521-025-11156-y"].reason


def test_accounting_adds_up(result: MergeResult) -> None:
    entries = parse_list(DUPLICATES).entries
    assert result.entries_read == len(entries) == 15
    assert sum(len(p.entries) for p in result.papers) == len(entries)
    merged_away = sum(len(m.lines) - 1 for m in result.merges)
    assert len(result.papers) + merged_away == len(entries)
    assert result.entries_merged_away == merged_away == 7


def test_merging_is_transitive_and_keeps_the_best_key() -> None:
    text = (
        "## A\n- Alpha [[p]](https://example.org/alpha)\n"
        "- Alpha [[p]](https://openreview.net/forum?id=XYZ)\n"
        "- Beta [[p]](https://openreview.net/pdf?id=XYZ) [[a]](https://arxiv.org/abs/2401.00001)\n"
    )
    result = merge_entries(parse_list(text).entries)
    assert [p.key for p in result.papers] == ["arxiv/2401.00001"]
    assert result.papers[0].title == "Alpha"
    assert result.merges[0].lines == (2, 3, 4)


def test_title_key_collisions_get_a_suffix() -> None:
    text = "## A\n- Café [[p]](http://x.org/a b)\n- Cafe [[p]](http://x.org/c d)\n"
    result = merge_entries(parse_list(text).entries)
    assert [p.key for p in result.papers] == ["title/cafe", "title/cafe-2"]
    assert title_key("日本語").startswith("title/h-")


def test_merge_is_deterministic() -> None:
    entries = parse_list(DUPLICATES).entries
    assert merge_entries(entries) == merge_entries(list(entries))


@pytest.mark.upstream
def test_real_snapshot_merges(upstream_dir: Path) -> None:
    readme = upstream_dir / "README.md"
    result = merge_entries(read_list(readme).entries)
    lines = readme.read_text(encoding="utf-8").splitlines()
    keys = set()
    arxiv = re.compile(r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arXiv\.)(\d{4}\.\d{4,5})", re.I)
    for line in lines:
        if re.match(r"^\s*-", line) and "[[paper]]" in line:
            url = re.search(r"\]\((\S+)\)", line).group(1)
            found = arxiv.search(url)
            keys.add(found.group(1) if found else url.lower().rstrip("/"))
    assert len(result.papers) == len(keys) == 222
    assert result.entries_read == 233

    def paper_of(key: str) -> PaperRecord:
        return next(p for p in result.papers if p.key == key)

    vlm = paper_of("arxiv/2310.12921")
    assert {u.split("//")[1].split("/")[0] for u in vlm.listed_links} == {"doi.org", "arxiv.org"}
    assert len(paper_of("arxiv/2305.13122").entries) == 2
    diffusion = paper_of("arxiv/2303.04137")
    assert diffusion.title == "Diffusion Policy: Visuomotor Policy Learning via Action Diffusion"
    assert [s.text for s in diffusion.sections] == [
        "Diffusion models for planning and exploration",
        "Diffusion Policy",
    ]
    assert sum(1 for p in result.papers if len(p.sections) > 1) == 6


def test_curated_same_papers_merge_two_identifiers(tmp_path: Path) -> None:
    from genrl_kg.errors import InputError
    from genrl_kg.papers import load_same_papers

    text = (
        "## A\n- SSD: Sub-trajectory Stitching [[paper]](https://arxiv.org/abs/2402.07226)\n"
        "- Stitching sub-trajectories (AAAI) [[paper]](https://doi.org/10.1609/aaai.v38i12.29215)\n"
    )
    entries = parse_list(text).entries
    assert len(merge_entries(entries).papers) == 2  # different titles: no evidence without curation
    curated = tmp_path / "same.csv"
    curated.write_text(
        "key_a,key_b,reason\narxiv/2402.07226,doi/10.1609/aaai.v38i12.29215,AAAI version\n"
    )
    result = merge_entries(entries, load_same_papers(curated))
    assert [p.key for p in result.papers] == ["arxiv/2402.07226"]
    assert [k.kind for k in result.papers[0].link_ids] == ["arxiv", "doi"]
    assert "curated" in result.merges[0].reason
    curated.write_text("key_a,key_b,reason\narxiv/2402.07226,,\n")
    with pytest.raises(InputError, match=r"same.csv:2"):
        load_same_papers(curated)
