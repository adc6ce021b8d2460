"""A paper in a section about two base models counts under its own base model, never both."""

from __future__ import annotations

from pathlib import Path

import pytest
from xlsx_fixtures import HEADER, write_workbook

from genrl_kg.build import run_build
from genrl_kg.queries import get_saved_query, run_query
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

LIST = """\
# Fixture

## RL for Generative Policies

### Generative Policy RL Fine-Tuning
- Octoformer: Fine-Tuning Transformer Policies with RL [[paper]](https://arxiv.org/abs/2401.00011)
- Some Untabled Policy Paper [[paper]](https://arxiv.org/abs/2401.00012)
"""


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], int]:
    """Build the fixture and return the task-by-base-model-with-tags matrix."""
    root = tmp_path_factory.mktemp("split")
    source = root / "source"
    source.mkdir()
    (source / "README.md").write_text(LIST, encoding="utf-8")
    row = [
        "smith2024octoformer",
        "Octoformer",
        "Transformer Model",
        "Yes",
        "D4RL",
        "Fine-tuning",
        "Simulation",
    ]
    write_workbook(source / "RL_for_Transformer_Policy_Table.xlsx", [HEADER, row])
    store_dir: Path = root / "store"
    report = run_build(local_source(source), store_dir)
    assert report.tables.linked == 1
    results = run_query(open_store(store_dir), get_saved_query("task-by-base-model-with-tags"))
    return {
        (s["taskLabel"].value, s["baseModelLabel"].value): int(s["papers"].value) for s in results
    }


def test_tagged_paper_counts_only_under_its_tag(matrix: dict[tuple[str, str], int]) -> None:
    # Octoformer is tagged Transformer: that is its base model. The untabled paper has no tag
    # and its title names no base model: it counts under neither of its section's two models.
    assert matrix == {("Policy fine-tuning", "Transformer policy"): 1}
