"""BibTeX export: keys, encoding, and `genrl-kg export --format bibtex` on a built fixture."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from click.testing import CliRunner
from test_explorer import ARXIV, ARXIV_RECORDS, build_explorer_store

from genrl_kg.bibtex import BibRecord, assign_keys, make_key, write_bibtex
from genrl_kg.cli import cli


def _parse(text: str) -> bibtexparser.Library:
    """Parse BibTeX back, LaTeX decoded; fail on any block it cannot read."""
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    return library


def test_table_keys_win_and_built_keys_are_unique() -> None:
    """A table's key is used as given; two papers that would share a built key get a, b suffixes."""
    records = [
        BibRecord("https://x/paper/3", "Planning with Diffusion", ("Michael Janner",), "2022"),
        BibRecord("https://x/paper/1", "Planning Robots", ("Ada Janner",), "2022"),
        BibRecord(
            "https://x/paper/2",
            "Whatever",
            ("Someone Else",),
            "2020",
            table_key="janner2022planning",
        ),
    ]
    keys = assign_keys(records)
    assert keys == {
        "https://x/paper/2": "janner2022planning",
        "https://x/paper/1": "janner2022planninga",
        "https://x/paper/3": "janner2022planningb",
    }
    assert keys == assign_keys(list(reversed(records)))  # stable: the order given does not matter


def test_built_key_without_author_or_year() -> None:
    """With no author the key uses two title words around the year, 'nd' when there is none."""
    assert make_key(BibRecord("x", "The Diffusion Policy: a study")) == "diffusionndpolicy"
    assert make_key(BibRecord("x", "Über Robots", ("José Núñez",), "2024")) == "nunez2024uber"


def test_text_is_latex_encoded_identifiers_kept() -> None:
    """Braces, %, & and accents in a title survive a round trip; URLs keep all but % as written."""
    record = BibRecord(
        "https://x/paper/1",
        "100% {Unbalanced & Müller_Net",
        ("José Núñez", "Bob Jones"),
        "2023",
        "3",
        "2303.00001",
        "cs.RO",
        "10.1000/a_b%20c",
        "https://example.org/a_b?x=1&y=%20",
    )
    text = write_bibtex([record])
    entry = _parse(text).entries[0]
    assert entry["title"] == record.title
    assert entry["author"] == "José Núñez and Bob Jones"
    raw = bibtexparser.parse_string(text).entries[0]  # identifiers are not LaTeX: no decoding
    assert raw["url"] == "https://example.org/a_b?x=1&y=\\%20"  # a bare % starts a comment
    assert raw["doi"] == "10.1000/a_b\\%20c"
    assert entry["month"] == "mar" and "month = mar," in text
    assert (entry["eprint"], entry["archivePrefix"], entry["primaryClass"]) == (
        "2303.00001",
        "arXiv",
        "cs.RO",
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The explorer's fixture, built; the store directory."""
    root = tmp_path_factory.mktemp("bibtex")
    build_explorer_store(root)
    return root / "store"


def test_export_bibtex_command(store: Path, tmp_path: Path) -> None:
    """`genrl-kg export --format bibtex`: one entry per paper, table keys, byte-identical twice."""
    out = tmp_path / "papers.bib"
    result = CliRunner().invoke(
        cli, ["export", "--store", str(store), "--format", "bibtex", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    library = _parse(out.read_text("utf-8"))
    assert len(library.entries) == len(ARXIV)
    keys = {e.key for e in library.entries}
    assert {"chi2024visuoflow", "smith2023rewardsmith", "reed2022gatotron"} <= keys
    by_eprint = {e["eprint"]: e for e in library.entries}
    for name, arxiv_id in ARXIV.items():
        _, authors, published, _ = ARXIV_RECORDS[name]
        assert by_eprint[arxiv_id]["author"] == " and ".join(authors)
        assert by_eprint[arxiv_id]["year"] == published[:4]
    again = CliRunner().invoke(cli, ["export", "--store", str(store), "--format", "bibtex"])
    assert again.stdout_bytes == out.read_bytes()
