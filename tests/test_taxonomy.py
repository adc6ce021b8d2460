"""Mapping list headings, table tags and table cells to the ontology's concepts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rdflib import Graph

from genrl_kg.errors import InputError
from genrl_kg.namespace import concept_iri
from genrl_kg.taxonomy import (
    Taxonomy,
    clean_heading,
    load_ontology,
    load_taxonomy,
    normalize_label,
    split_tags,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_ROOT = PROJECT_ROOT.parent / "shared" / "upstream"
BASE = "https://example.org/kg/"
TOOLS = "Generative Tools for RL"
POLICIES = "RL for Generative Policies"


def tax(slug: str) -> str:
    """Return a taxonomy concept IRI."""
    return concept_iri("taxonomy", slug)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    """Return the taxonomy of the project's ontology."""
    return load_taxonomy()


@pytest.mark.parametrize(
    "path",
    [
        (TOOLS, "Task", "Reward Signal", "Learning reward functions with LLMs"),
        (TOOLS, "Task", "Reward Signal", "1.Learning reward functions with LLMs"),
        ("  learning   REWARD functions with llms  ",),
        ("1.2 Learning reward functions with LLMs.",),
    ],
)
def test_heading_variants_match(taxonomy: Taxonomy, path: tuple[str, ...]) -> None:
    assert taxonomy.match_heading(path) == tax("learning-reward-functions-with-llms")


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Planning & Exploration", "planning-and-exploration"),
        ("####   Planning and Exploration", "planning-and-exploration"),
        ("Generative Policy RL Fine-Tuning", "rl-fine-tuning"),
        ("RL Fine-Tuning", "rl-fine-tuning"),
        ("Policy Safety (new!)", "policy-safety"),
        ("Policy Safety", "policy-safety"),
        ("RL Pre-Training ", "rl-pre-training"),
        ("2.Diffusion Policy", "diffusion-policy"),
        (
            "4.Diffusion models for planning and exploration",
            "diffusion-models-for-planning-and-exploration",
        ),
        (
            "2.Foundation world models for model-based RL",
            "foundation-world-models-for-model-based-rl",
        ),
    ],
)
def test_heading_labels_and_alt_labels(taxonomy: Taxonomy, heading: str, slug: str) -> None:
    assert taxonomy.match_heading((heading,)) == tax(slug)


def test_non_taxonomy_headings_do_not_match(taxonomy: Taxonomy) -> None:
    for heading in ("Abstract", "Citation", "Research Trends", ""):
        assert taxonomy.match_heading((heading,)) is None
    assert taxonomy.match_heading(()) is None


AMBIGUOUS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <https://example.org/t/> .
@prefix s: <https://w3id.org/genrl-kg/> .
t:a skos:prefLabel "Alpha" ; skos:inScheme s:taxonomy ; skos:narrower t:a-x .
t:b skos:prefLabel "Beta" ; skos:inScheme s:taxonomy ; skos:narrower t:b-x .
t:a-x skos:prefLabel "Exploration" ; skos:broader t:a ; skos:inScheme s:taxonomy .
t:b-x skos:prefLabel "Exploration" ; skos:broader t:b ; skos:inScheme s:taxonomy .
"""


def test_same_label_is_told_apart_by_parent_headings() -> None:
    fixture = Taxonomy(Graph().parse(data=AMBIGUOUS, format="turtle"))
    assert fixture.match_heading(("Beta", "Exploration")) == "https://example.org/t/b-x"
    assert fixture.match_heading(("alpha!", "exploration")) == "https://example.org/t/a-x"
    # without a telling parent the choice is still deterministic
    assert fixture.match_heading(("Exploration",)) == "https://example.org/t/a-x"


def test_known_section_resolves_with_broader_and_notation(taxonomy: Taxonomy) -> None:
    section = taxonomy.resolve_section((POLICIES, "RL Pre-Training", "1.Transformer Policy"), BASE)
    assert section.known
    assert section.iri == tax("transformer-policy")
    assert section.broader == tax("rl-pre-training")
    assert section.label == "Transformer Policy"
    assert section.notation == "2.1.1"
    assert section.definition


def test_unknown_heading_is_minted_under_its_parent(
    taxonomy: Taxonomy, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="genrl_kg.taxonomy"):
        section = taxonomy.resolve_section((POLICIES, "RL Pre-Training", " 3.Flow  Policy "), BASE)
    assert not section.known
    assert section.iri == BASE + "taxonomy/flow-policy"
    assert section.broader == tax("rl-pre-training")
    assert section.label == "Flow Policy"
    assert section.definition
    assert "Flow Policy" in caplog.text and "minted" in caplog.text


def test_unknown_heading_under_unknown_parent_chains_minted_concepts(taxonomy: Taxonomy) -> None:
    section = taxonomy.resolve_section((TOOLS, "Task", "Action Generation", "LLMs as actors"), BASE)
    assert section.iri == BASE + "taxonomy/llms-as-actors"
    assert section.broader == BASE + "taxonomy/action-generation"
    parent = taxonomy.resolve_section((TOOLS, "Task", "Action Generation"), BASE)
    assert parent.broader == tax("task")
    top = taxonomy.resolve_section(("Embodied Benchmarks",), BASE)
    assert (top.known, top.broader) == (False, None)


def test_minted_iri_never_collides_with_a_fixed_concept() -> None:
    zeta = "<https://w3id.org/genrl-kg/taxonomy/zeta>"
    extra = f'{zeta} skos:prefLabel "Omega" ; skos:inScheme s:taxonomy .\n'
    fixture = Taxonomy(Graph().parse(data=AMBIGUOUS + extra, format="turtle"))
    assert fixture.resolve_section(("Beta", "Zeta"), BASE).iri == BASE + "taxonomy/zeta"
    minted = fixture.resolve_section(("Beta", "Zeta"), "https://w3id.org/genrl-kg/")
    assert minted.iri == "https://w3id.org/genrl-kg/taxonomy/b-zeta"
    assert minted.broader == "https://example.org/t/b"


def test_punctuation_variant_of_a_known_heading_is_not_minted(taxonomy: Taxonomy) -> None:
    section = taxonomy.resolve_section((TOOLS, "Task", "Reward-Signal?!"), BASE)
    assert section.known and section.iri == tax("reward-signal")


def test_resolve_section_rejects_an_empty_path(taxonomy: Taxonomy) -> None:
    with pytest.raises(ValueError):
        taxonomy.resolve_section((), BASE)


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("LLM", "llm"),
        ("VLM", "vlm"),
        ("WM", "world-model"),
        ("World Model", "world-model"),
        ("World  Model", "world-model"),
        ("World Mode", "world-model"),
        ("Diffusion model", "diffusion-model"),
        ("Diffusion Model", "diffusion-model"),
        ("Transformer Model", "transformer-policy"),
        ("Transfomer Model ", "transformer-policy"),
        ("LLMs", "llm"),
        ("Diffusion Models", "diffusion-model"),
        ("Video Prediction Models", "video-prediction-model"),
    ],
)
def test_table_tags_map_to_base_models(taxonomy: Taxonomy, tag: str, slug: str) -> None:
    assert taxonomy.match_base_model(tag) == concept_iri("base-model", slug)


def test_unknown_tag_and_tag_splitting(taxonomy: Taxonomy) -> None:
    assert taxonomy.match_base_model("Graph Neural Network") is None
    assert taxonomy.match_base_model("") is None
    tags = split_tags("World Model,LLM, VLM")
    assert [taxonomy.match_base_model(t) for t in tags] == [
        concept_iri("base-model", s) for s in ("world-model", "llm", "vlm")
    ]
    assert split_tags("  ") == ()


@pytest.mark.parametrize(
    ("cell", "slug"),
    [
        ("Yes", "available"),
        ("yes ", "available"),
        ("https://github.com/real-stanford/diffusion_policy", "available"),
        ("N/A", "not-available"),
        ("No", "not-available"),
        ("Coming Soon", "coming-soon"),
        ("Available Soon", "coming-soon"),
        ("Code coming soon", "coming-soon"),
    ],
)
def test_code_availability(taxonomy: Taxonomy, cell: str, slug: str) -> None:
    assert taxonomy.match_code_availability(cell) == concept_iri("code-availability", slug)


def test_blank_or_odd_code_cells_are_not_guessed(taxonomy: Taxonomy) -> None:
    assert taxonomy.match_code_availability(None) is None
    assert taxonomy.match_code_availability("   ") is None
    assert taxonomy.match_code_availability("on request by e-mail") is None


@pytest.mark.parametrize(
    ("cell", "slug"),
    [
        ("Simulation", "simulation"),
        ("Both", "both"),
        ("Real", "real-world"),
        ("Real+Simulation", "both"),
        ("Simulation (MuJoCo)", "simulation"),
        ("Simulation (Maze2D, D4RL locomotion)", "simulation"),
        ("Simulation + Potential real-world robotic tasks", "simulation"),
        ("Simulated robotic environments with obstacles", "simulation"),
        ("Simulation + Real-world experiments", "both"),
        ("Simulation (2D bandit example) + Real task evaluations", "both"),
        ("Simulation + Real (Boston Dynamics' Spot, Unitree's Go1)", "both"),
        ("Real robot (Franka Panda)", "real-world"),
    ],
)
def test_evaluation_setting(taxonomy: Taxonomy, cell: str, slug: str) -> None:
    assert taxonomy.match_evaluation_setting(cell) == concept_iri("evaluation-setting", slug)


def test_evaluation_setting_without_evidence_is_none(taxonomy: Taxonomy) -> None:
    for cell in (None, "", "N/A", "MuJoCo", "Realistic rendering"):
        assert taxonomy.match_evaluation_setting(cell) is None


@pytest.mark.parametrize(
    ("cell", "slugs"),
    [
        ("Text", ("text",)),
        ("Visual + Text", ("visual-text",)),
        ("Reasoning over Visuals", ("visual-reasoning",)),
        ("Low-level/Sensory Data", ("low-level-sensory-data",)),
        ("Low-level Control Actions", ("low-level-control-actions",)),
        (
            "Multi-modal (Visual, Text, Proprioceptive, etc.)",
            ("multi-modal", "vision", "text", "proprioception"),
        ),
        (
            "Multi-modal State Representations, Predictions",
            ("multi-modal-state-representation", "predictions"),
        ),
        ("Text, text", ("text",)),
        ("Smell", ()),
    ],
)
def test_modalities(taxonomy: Taxonomy, cell: str, slugs: tuple[str, ...]) -> None:
    assert taxonomy.match_modalities(cell) == tuple(concept_iri("modality", s) for s in slugs)


def test_cleaning_is_tolerant_of_numbering_and_spaces() -> None:
    assert clean_heading("  2.   VLMs for exploration ") == "VLMs for exploration"
    assert clean_heading("3D Diffusion Policy") == "3D Diffusion Policy"
    assert normalize_label("1.3.1 Reward   Signal") == normalize_label("reward signal")


def test_ontology_is_cached_and_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    assert load_ontology() is load_ontology()
    assert load_taxonomy() is load_taxonomy()
    missing = tmp_path / "nope.ttl"
    with pytest.raises(InputError, match=r"nope\.ttl"):
        load_ontology(missing)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <urn:x#> .\nx:a x:b", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl"):
        load_ontology(broken)


@pytest.mark.upstream
def test_every_tag_and_cell_of_the_real_tables_maps(taxonomy: Taxonomy) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    files = sorted(UPSTREAM_ROOT.glob("*/*_Table.xlsx")) if UPSTREAM_ROOT.is_dir() else []
    if not files:
        pytest.skip(f"no upstream tables under {UPSTREAM_ROOT}")
    prefixes = {"tags": "taxonomy", "code": "code", "setting": "simulation"}
    rows_seen = tags_seen = 0
    for path in files:
        rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
        header = [str(h or "").strip().lower() for h in rows[0]]
        col = {
            k: next(i for i, h in enumerate(header) if h.startswith(p)) for k, p in prefixes.items()
        }
        for row in rows[1:]:
            if not any(row):
                continue
            rows_seen += 1
            for tag in split_tags(str(row[col["tags"]] or "")):
                assert taxonomy.match_base_model(tag) is not None, (path.name, tag)
                tags_seen += 1
            assert taxonomy.match_code_availability(str(row[col["code"]])), path.name
            assert taxonomy.match_evaluation_setting(str(row[col["setting"]])), path.name
    assert len(files) == 6 and rows_seen >= 90 and tags_seen > rows_seen
