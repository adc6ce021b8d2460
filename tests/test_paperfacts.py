"""Per-paper facts: base models with evidence, arXiv month, code links (issue 14)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest

from genrl_kg import settings
from genrl_kg.errors import GenrlKgError, InputError
from genrl_kg.namespace import concept_iri
from genrl_kg.paperfacts import (
    PaperEvidenceInput,
    SectionEvidence,
    TableTagEvidence,
    Vocabulary,
    arxiv_month,
    find_code_links,
    load_vocabulary,
    make_section_evidence,
    make_table_tag_evidence,
    resolve_base_models,
)
from genrl_kg.papers import merge_entries
from genrl_kg.sources.awesome_list import parse_list
from genrl_kg.taxonomy import load_taxonomy

VOCABULARY_FILE = settings.DATA_DIR / "base-model-vocabulary.csv"
GOLD_FILE = Path(__file__).parent / "data" / "base-model-gold.csv"
HEADER = "phrase,base_model,scope,note\n"

DIFFUSION = str(concept_iri("base-model", "diffusion-model"))
TRANSFORMER = str(concept_iri("base-model", "transformer-policy"))
LLM = str(concept_iri("base-model", "llm"))
VLM = str(concept_iri("base-model", "vlm"))
WORLD = str(concept_iri("base-model", "world-model"))
VIDEO = str(concept_iri("base-model", "video-prediction-model"))
TWO_MODELS = (DIFFUSION, TRANSFORMER)

# Hand-counted bullets of the three two-model sections of the pinned README.
GOLD_SECTIONS = {
    "Generative Policy RL Fine-Tuning": ("fine-tuning", 22),
    "Policy Distillation": ("distillation", 5),
    "Policy Safety": ("safety", 2),
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    """The project's curated vocabulary."""
    return load_vocabulary(VOCABULARY_FILE)


def _title(vocabulary: Vocabulary, text: str, field: str = "title") -> list[tuple[str, str]]:
    return [(m.text, m.entry.base_model) for m in vocabulary.find(text, field)]


# --- the vocabulary file and its loader --------------------------------------------------


def test_vocabulary_holds_the_phrases_the_issue_names(vocabulary: Vocabulary) -> None:
    expected = {
        "diffusion": DIFFUSION,
        "flow matching": DIFFUSION,
        "consistency policy": DIFFUSION,
        "VLA": TRANSFORMER,
        "vision-language-action": TRANSFORMER,
        "OpenVLA": TRANSFORMER,
        "RT-2": TRANSFORMER,
        "π0": TRANSFORMER,
        "pi0": TRANSFORMER,
        "pi-zero": TRANSFORMER,
        "Octo": TRANSFORMER,
        "decision transformer": TRANSFORMER,
        "transformer policy": TRANSFORMER,
        "VLM": VLM,
        "vision-language model": VLM,
        "LLM": LLM,
        "large language model": LLM,
        "language model": LLM,
        "GPT": LLM,
        "world model": WORLD,
        "video prediction": VIDEO,
        "video generation": VIDEO,
    }
    by_phrase = {e.phrase: e.base_model for e in vocabulary.entries}
    assert {p: by_phrase.get(p) for p in expected} == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("diffusion,diffusion-model,both,x\nfoo,no-such-model,both,x\n", ":3: unknown base model"),
        ("  ,llm,both,x\n", ":2: empty phrase"),
        ("LLM,llm,everywhere,x\n", ":2: scope must be one of title|abstract|both"),
        ("LLM,llm,both,x\nllm,llm,title,y\n", ":3: phrase 'llm' repeats line 2"),
        ("LLM,llm,both\n", ":2: expected 4 columns, found 3"),
    ],
)
def test_a_bad_vocabulary_row_is_named_by_file_and_line(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "vocab.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_vocabulary(path)
    assert str(info.value).startswith(f"{path}{message}")
    assert "\n" not in str(info.value)


def test_a_bad_vocabulary_header_or_missing_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "vocab.csv"
    path.write_text("phrase,model,scope,note\nLLM,llm,both,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":1: header must be phrase,base_model,scope,note$"):
        load_vocabulary(path)
    with pytest.raises(GenrlKgError, match="cannot read the base-model vocabulary"):
        load_vocabulary(tmp_path / "absent.csv")


def test_vocabulary_rows_are_checked_against_the_given_base_models(tmp_path: Path) -> None:
    path = tmp_path / "vocab.csv"
    path.write_text(HEADER + "LLM,llm,both,x\n", encoding="utf-8")
    assert load_vocabulary(path, known={LLM}).entries[0].base_model == LLM
    with pytest.raises(InputError, match=r":2: unknown base model 'llm'"):
        load_vocabulary(path, known={VLM})


# --- phrase matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VLAD descriptors for place recognition", []),
        ("SimpleVLA-RL", []),
        ("VLA-RL: scaling", [("VLA", TRANSFORMER)]),
        ("from vla generalists", [("vla", TRANSFORMER)]),
        ("Many VLAs", [("VLAs", TRANSFORMER)]),
        ("Octopus arms", []),
        ("Fine-tuning π0 with RL", [("π0", TRANSFORMER)]),
        ("Fine-tuning π₀ with RL", [("π0", TRANSFORMER)]),
        ("Fine-tuning Pi0 and pi-zero", [("Pi0", TRANSFORMER), ("pi-zero", TRANSFORMER)]),
        ("Large Vision-Language Models as agents", [("Vision-Language Models", VLM)]),
        ("VisionLanguage-Action Model", [("VisionLanguage-Action", TRANSFORMER)]),
        ("GPT-4V as a reward", [("GPT-4V", VLM)]),
        ("GPT-4 writes rewards", [("GPT", LLM)]),
        ("\uff36\uff2c\uff21 in full width", [("VLA", TRANSFORMER)]),
        ("Diffusion-based control", [("Diffusion", DIFFUSION)]),
        ("Diffusers and diffused values", []),
    ],
)
def test_phrases_match_whole_words_only(
    vocabulary: Vocabulary, text: str, expected: list[tuple[str, str]]
) -> None:
    assert _title(vocabulary, text) == expected


def test_named_models_count_in_titles_not_in_abstracts(vocabulary: Vocabulary) -> None:
    assert _title(vocabulary, "We outperform OpenVLA and Octo", "abstract") == []
    assert _title(vocabulary, "Steering OpenVLA") == [("OpenVLA", TRANSFORMER)]


# --- the resolver --------------------------------------------------------------------------


def test_a_paper_with_no_evidence_gets_no_base_model(vocabulary: Vocabulary) -> None:
    paper = PaperEvidenceInput("Failure diagnosis for manipulation policies", "We study robots.")
    assert resolve_base_models(paper, vocabulary) == ()


def test_a_two_model_section_gives_no_evidence(vocabulary: Vocabulary) -> None:
    section = SectionEvidence(("RL for Generative Policies", "Policy Distillation"), TWO_MODELS)
    assert (
        resolve_base_models(
            PaperEvidenceInput("Generalist distillation", None, (section,)), vocabulary
        )
        == ()
    )


def test_a_single_model_section_wins_over_tags_and_title(vocabulary: Vocabulary) -> None:
    section = SectionEvidence(("RL Pre-Training", "Diffusion Policy"), (DIFFUSION,))
    paper = PaperEvidenceInput(
        "A VLA with an LLM planner",
        "Uses a world model.",
        (section, SectionEvidence(("x", "y"), TWO_MODELS)),
        (TableTagEvidence(LLM, "LLM"),),
    )
    [only] = resolve_base_models(paper, vocabulary)
    assert (only.base_model, only.method, only.source_text, only.confidence) == (
        DIFFUSION,
        "section",
        "RL Pre-Training > Diffusion Policy",
        1.0,
    )


def test_a_paper_in_two_single_model_sections_gets_both(vocabulary: Vocabulary) -> None:
    sections = (SectionEvidence(("a",), (VLM,)), SectionEvidence(("b",), (LLM,)))
    found = resolve_base_models(PaperEvidenceInput("t", None, sections), vocabulary)
    assert [(a.base_model, a.method) for a in found] == [(VLM, "section"), (LLM, "section")]


def test_table_tags_win_over_the_vocabulary(vocabulary: Vocabulary) -> None:
    paper = PaperEvidenceInput(
        "Diffusion planners",
        None,
        (SectionEvidence(("x",), TWO_MODELS),),
        (TableTagEvidence(WORLD, "World Model", 0.5), TableTagEvidence(LLM, "LLM")),
    )
    found = resolve_base_models(paper, vocabulary)
    assert [(a.base_model, a.method, a.source_text, a.confidence) for a in found] == [
        (WORLD, "table-tag", "World Model", 0.45),
        (LLM, "table-tag", "LLM", 0.9),
    ]


def test_a_title_match_keeps_abstract_only_models_out(vocabulary: Vocabulary) -> None:
    paper = PaperEvidenceInput(
        "VLA-RL: fine-tuning Vision-Language-Action models",
        "Unlike diffusion policies, our transformer policy scales.",
    )
    found = resolve_base_models(paper, vocabulary)
    assert [(a.base_model, a.field, a.confidence, a.source_text) for a in found] == [
        (TRANSFORMER, "title", 0.8, "VLA")
    ]


def test_the_abstract_decides_only_when_it_names_one_base_model(vocabulary: Vocabulary) -> None:
    one = PaperEvidenceInput(
        "Steering robots", "We fine-tune a diffusion policy. Diffusion is slow."
    )
    [found] = resolve_base_models(one, vocabulary)
    assert (found.base_model, found.field, found.confidence) == (DIFFUSION, "abstract", 0.6)
    assert resolve_base_models(one, vocabulary, use_abstract=False) == ()
    two = PaperEvidenceInput("Steering robots", "An LLM guides a diffusion policy.")
    assert resolve_base_models(two, vocabulary) == ()


def test_section_evidence_comes_from_the_taxonomy() -> None:
    taxonomy = load_taxonomy()
    safety = make_section_evidence(taxonomy, ("RL for Generative Policies", "Policy Safety"))
    assert set(safety.base_models) == set(TWO_MODELS)
    pre = make_section_evidence(
        taxonomy, ("RL for Generative Policies", "RL Pre-Training", "Diffusion Policy")
    )
    assert pre.base_models == (DIFFUSION,)
    assert make_section_evidence(taxonomy, ("Nothing like a heading",)).base_models == ()


def test_table_tags_map_through_the_taxonomy() -> None:
    tags = make_table_tag_evidence(load_taxonomy(), "World Model,LLM, VLM, Gizmo", 0.7)
    assert [(t.base_model, t.cell, t.link_confidence) for t in tags] == [
        (WORLD, "World Model", 0.7),
        (LLM, "LLM", 0.7),
        (VLM, "VLM", 0.7),
    ]


# --- the hand-checked set ------------------------------------------------------------------


def _gold() -> dict[str, list[dict[str, str]]]:
    """The gold rows of each paper key."""
    with GOLD_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_key: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row)
    return by_key


def _count_bullets(text: str) -> Counter[str]:
    """Count '- ' bullets under each heading, by a plain line scan (independent of the parser)."""
    counts: Counter[str] = Counter()
    heading = ""
    for line in text.splitlines():
        if match := re.match(r"#+\s+(.*?)\s*$", line):
            heading = re.sub(r"\s*\(new!\)$", "", match.group(1))
        elif line.lstrip().startswith("- ") and len(line.strip()) > 2:
            counts[heading] += 1
    return counts


@pytest.mark.upstream
def test_resolver_precision_on_the_hand_checked_set(
    upstream_dir: Path, vocabulary: Vocabulary, record_property: Callable[[str, object], None]
) -> None:
    text = (upstream_dir / "README.md").read_text(encoding="utf-8")
    bullets = _count_bullets(text)
    assert {h: bullets[h] for h in GOLD_SECTIONS} == {h: n for h, (_, n) in GOLD_SECTIONS.items()}
    papers = merge_entries(parse_list(text).entries).papers
    chosen = {
        p.key: p
        for p in papers
        if any(s.path[-1] in GOLD_SECTIONS and s.path[0].startswith("RL for") for s in p.sections)
    }
    gold = _gold()
    assert len(chosen) == 29 and set(chosen) == set(gold)
    split = Counter(rows[0]["section"] for rows in gold.values())
    assert split == {short: n for short, n in GOLD_SECTIONS.values()}
    assigned: set[tuple[str, str]] = set()
    for key, paper in chosen.items():
        found = resolve_base_models(PaperEvidenceInput(paper.title), vocabulary)
        assigned |= {(key, a.base_model) for a in found}
    labels = {
        (k, _iri(r["base_model"])) for k, rows in gold.items() for r in rows if r["basis"] != "none"
    }
    keyword = {
        (k, _iri(r["base_model"]))
        for k, rows in gold.items()
        for r in rows
        if r["basis"] == "keyword"
    }
    record_property("recall", f"{len(assigned & labels)}/{len(labels)}")
    assert assigned, "the resolver assigned nothing"
    assert assigned - labels == set()  # precision 1.0
    assert keyword - assigned == set()  # recall floor: every model a title names outright


def _iri(slug: str) -> str:
    return str(concept_iri("base-model", slug))


# --- arXiv month ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arxiv_id", "month"),
    [
        ("2303.04137", "2023-03"),
        ("2409.00588v3", "2024-09"),
        ("0704.0001", "2007-04"),
        ("hep-th/9901001", "1999-01"),
        ("math.GT/0309136", "2003-09"),
        ("2300.00001", None),
        ("0701.0001", None),
        ("cs/0801001", None),
        ("not an id", None),
    ],
)
def test_arxiv_month_reads_the_identifier(arxiv_id: str, month: str | None) -> None:
    assert arxiv_month(arxiv_id) == month


# --- code links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("Code: https://github.com/irom-lab/dppo).", ["https://github.com/irom-lab/dppo"]),
        (
            "(github.com/a/b, and https://gitlab.com/g/p.git.)",
            ["https://github.com/a/b", "https://gitlab.com/g/p"],
        ),
        ("see http://www.github.com/a/b/tree/main/src/x.py;", ["https://github.com/a/b"]),
        ("https://gitlab.com/group/sub/proj/-/tree/main", ["https://gitlab.com/group/sub/proj"]),
        (
            "https://huggingface.co/openvla/openvla-7b/tree/main",
            ["https://huggingface.co/openvla/openvla-7b"],
        ),
        ("demo huggingface.co/spaces/org/demo!", ["https://huggingface.co/spaces/org/demo"]),
        ("by https://github.com/openvla and https://openvla.github.io/", []),
        ("https://huggingface.co/papers/2409.00588 and huggingface.co/datasets/o/d", []),
        ("https://gist.github.com/u/abc mail me@github.com/x", []),
        ("https://github.com/orgs/foo/b https://github.com/features/x", []),
        ("https://g\u0456thub.com/a/b (Cyrillic i)", []),
        ("https://github.com/a/r\u0435po (Cyrillic e)", []),
        ("https://\uff47\uff49\uff54\uff48\uff55\uff42.com/a/b (full width)", []),
        ("[code](https://github.com/A/B) and https://github.com/a/b/", ["https://github.com/A/B"]),
    ],
)
def test_code_links_in_arxiv_text(text: str, urls: list[str]) -> None:
    found = find_code_links([("arxiv-comment", text)], [])
    assert [link.url for link in found] == urls
    assert all(link.origins == ("arxiv-comment",) for link in found)
    for link in found:
        assert pyoxigraph.NamedNode(link.url).value == link.url


def test_code_links_merge_origins_and_read_listed_links() -> None:
    found = find_code_links(
        [("arxiv-comment", None), ("arxiv-abstract", "Code at github.com/Real/Repo.")],
        [
            "https://github.com/real/repo#readme",
            "https://github.com/x/y/issues/3",
            "ftp://github.com/a/b",
            "https://robot-flare.github.io/",
        ],
    )
    assert [(c.url, c.host, c.origins) for c in found] == [
        ("https://github.com/Real/Repo", "github.com", ("arxiv-abstract", "listed-link")),
        ("https://github.com/x/y", "github.com", ("listed-link",)),
    ]


def test_code_links_reject_an_unknown_origin() -> None:
    with pytest.raises(ValueError, match="unknown text origin"):
        find_code_links([("arxiv-title", "github.com/a/b")], [])
