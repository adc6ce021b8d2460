"""Tests for genrl_kg.sources.tables: safe reading of fixture and real survey workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from conftest import PROJECT_ROOT
from xlsx_fixtures import (
    HEADER,
    lie_about_dimension,
    rewrite_entry,
    write_workbook,
    write_zip_bomb,
)

from genrl_kg.errors import InputError
from genrl_kg.sources.tables import (
    ArchiveLimits,
    category_hint,
    iter_table_files,
    read_table,
    read_tables,
)

UPSTREAM_COMMIT = "3a091cc571bb16dd9e20809563b2fb788c90ed79"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _row(key: str) -> list[str]:
    """A plausible data row."""
    return [key, "Diffuser", "Diffusion Model", "Yes", "D4RL", "Planning", "Simulation (MuJoCo)"]


def test_odd_headers_blank_rows_and_trailing_columns(tmp_path: Path) -> None:
    """Typos, stray spaces, blank rows and empty trailing columns do not disturb the fields."""
    header = [
        "Name",
        "Framework",
        " Taxonomy",
        "Code Availabale ",
        "Dataset",
        "Modules",
        "Simulation  or Real Exp",
        None,
        None,
    ]
    blank = [" "] * 9  # cells that exist in the XML but hold only whitespace
    rows = [header, [*_row("a2020x"), None, None], blank, _row("b2021y"), blank, blank]
    table = read_table(write_workbook(tmp_path / "RL_for_Diffusion_Policy_Table.xlsx", rows))
    assert [r.citation_key for r in table.rows] == ["a2020x", "b2021y"]
    assert [r.row for r in table.rows] == [2, 4]
    first = table.rows[0]
    assert (first.taxonomy, first.code_available, first.evaluation) == (
        "Diffusion Model",
        "Yes",
        "Simulation (MuJoCo)",
    )
    assert first.base_model is None and first.extras == ()
    assert [c.column for c in first.cells][2:4] == [" Taxonomy", "Code Availabale "]
    assert table.category_hint == ("diffusion-policy",)
    assert not [w for w in table.warnings if "unknown" in w.message]


def test_unknown_column_is_kept_and_reported(tmp_path: Path) -> None:
    """A column nobody declared becomes an extra on each row and a warning, never dropped."""
    rows = [[*HEADER, "Year"], [*_row("a2020x"), 2020], [*_row("b2021y"), None]]
    table = read_table(write_workbook(tmp_path / "t.xlsx", rows))
    assert [(c.column, c.column_index, c.value) for c in table.rows[0].extras] == [
        ("Year", 8, "2020")
    ]
    assert table.rows[1].extras == ()
    assert any(w.column == "Year" and "unknown column" in w.message for w in table.warnings)


def test_merged_cells_fill_from_top_left(tmp_path: Path) -> None:
    """A vertically merged Taxonomy cell gives its value to every row it covers, with a note."""
    rows = [HEADER, _row("a2020x"), _row("b2021y"), _row("c2022z")]
    rows[1][2] = "World Model"
    table = read_table(write_workbook(tmp_path / "t.xlsx", rows, merges=["C2:C4"]))
    assert [r.taxonomy for r in table.rows] == ["World Model"] * 3
    assert any("merged cells C2:C4" in w.message for w in table.warnings)


def test_formulas_use_cached_values_and_flag_missing_ones(tmp_path: Path) -> None:
    """A formula with a cached value reads as the value; one without is empty and reported."""
    path = write_workbook(tmp_path / "t.xlsx", [HEADER, _row("a2020x"), _row("b2021y")])
    wb = openpyxl.load_workbook(path)
    wb.active["B2"] = '="Dif"&"fuser"'  # openpyxl writes no cached value
    wb.save(path)
    table = read_table(path)
    assert table.rows[0].framework is None
    assert any(w.column == "B2" and "no cached value" in w.message for w in table.warnings)
    # give it a cached value the way Excel does: <f>...</f><v>...</v>
    rewrite_entry(
        path,
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b'<c r="B2"><f>', b'<c r="B2" t="str"><f>').replace(
            b"</f><v /></c>", b"</f><v>Diffuser</v></c>"
        ),
    )
    cached = read_table(path)
    assert cached.rows[0].framework == "Diffuser"
    assert not any("no cached value" in w.message for w in cached.warnings)


def test_lying_dimension_tag_does_not_hide_rows(tmp_path: Path) -> None:
    """A sheet claiming A1:B2 while holding 300 rows is still read in full."""
    rows = [HEADER] + [_row(f"k{i}2020x") for i in range(300)]
    path = write_workbook(tmp_path / "t.xlsx", rows)
    lie_about_dimension(path, "A1:B2")
    with zipfile.ZipFile(path) as z:
        assert b'<dimension ref="A1:B2"' in z.read("xl/worksheets/sheet1.xml")
    table = read_table(path)
    assert len(table.rows) == 300
    assert table.rows[-1].citation_key == "k2992020x" and table.rows[-1].dataset == "D4RL"


def test_non_workbooks_are_refused_with_the_file_named(tmp_path: Path) -> None:
    """A text file, a truncated zip and a zip that is no workbook each raise InputError."""
    text = tmp_path / "notes.xlsx"
    text.write_text("Name,Framework\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.xlsx: not an \.xlsx workbook"):
        read_table(text)
    good = write_workbook(tmp_path / "good.xlsx", [HEADER, _row("a2020x")])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match=r"truncated\.xlsx"):
        read_table(truncated)
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match=r"plain\.xlsx: not an \.xlsx workbook \(no "):
        read_table(plain)


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    """A 200 MB-of-zeros entry is refused by ratio and by total size, from declared sizes."""
    bomb = write_zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(InputError, match=r"bomb\.xlsx: entry xl/worksheets/sheet1\.xml expands"):
        read_table(bomb)
    lax_ratio = ArchiveLimits(max_compression_ratio=10_000.0)
    with pytest.raises(InputError, match=r"bomb\.xlsx: unpacks to \d+ bytes, more than the cap"):
        read_table(bomb, lax_ratio)


def test_entry_count_cap(tmp_path: Path) -> None:
    """An archive with more entries than the cap is refused."""
    path = write_workbook(tmp_path / "t.xlsx", [HEADER, _row("a2020x")])
    with pytest.raises(InputError, match=r"zip entries, more than the cap 3"):
        read_table(path, ArchiveLimits(max_entries=3))


def test_read_tables_strict_and_lenient(tmp_path: Path) -> None:
    """A bad file is reported and skipped by default, and stops the run with strict=True."""
    write_workbook(tmp_path / "A_Table.xlsx", [HEADER, _row("a2020x")])
    (tmp_path / "B_Table.xlsx").write_bytes(b"not a zip")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [p.name for p in iter_table_files(tmp_path)] == ["A_Table.xlsx", "B_Table.xlsx"]
    tables, errors = read_tables(tmp_path)
    assert [t.table for t in tables] == ["A_Table"]
    assert [e.source_file for e in errors] == ["B_Table.xlsx"]
    with pytest.raises(InputError, match=r"B_Table\.xlsx"):
        read_tables(tmp_path, strict=True)


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Large_Language_Models_for_RL_Table", ("llm",)),
        ("Vision_Language_Models_for_RL_Table", ("vlm",)),
        ("Diffusion_Models_for_RL_Table", ("diffusion-model",)),
        (
            "World_Models_and_Video_Prediction_Models_for_RL_Table",
            ("world-model", "video-prediction-model"),
        ),
        ("RL_for_Transformer_Policy_Table", ("transformer-policy",)),
        ("LLM_RL_Summary", ("llm",)),
        ("Diffusion_Policy_RL_Summary", ("diffusion-policy",)),
        ("WorldModel_RL_Summary", ("world-model",)),
    ],
)
def test_category_hint_by_keywords(stem: str, expected: tuple[str, ...]) -> None:
    """Current and older file names map to base-model categories by keywords."""
    assert category_hint(stem) == expected


def _count_rows_independently(path: Path) -> int:
    """Count sheet rows with a non-empty first cell, minus the header, from the raw XML."""
    with zipfile.ZipFile(path) as z:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)
        ]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    count = 0
    for row in sheet.iterfind("m:sheetData/m:row", NS):
        for c in row.findall("m:c", NS):
            if c.get("r", "").rstrip("0123456789") != "A":
                continue
            v = c.find("m:v", NS)
            text = (
                shared[int(v.text)]
                if c.get("t") == "s" and v is not None
                else (v.text if v is not None else "")
            )
            if text and text.strip():
                count += 1
    return count - 1


@pytest.mark.upstream
def test_real_tables_row_counts_and_fields() -> None:
    """Each real table yields as many rows as its XML holds, with keys and known headers."""
    upstream = PROJECT_ROOT.parent / "shared" / "upstream" / UPSTREAM_COMMIT
    if not upstream.is_dir():
        pytest.skip(f"upstream snapshot {upstream} is not present")
    tables, errors = read_tables(upstream)
    assert errors == [] and len(tables) == 6
    for table in tables:
        assert len(table.rows) == _count_rows_independently(table.path) > 0
        assert all(r.citation_key and r.framework for r in table.rows)
        assert not [w for w in table.warnings if "unknown" in w.message]
        assert table.category_hint
    by_name = {t.table: t for t in tables}
    assert sum(len(t.rows) for t in tables) == 93
    llm = by_name["Large_Language_Models_for_RL_Table"]
    assert llm.rows[0].base_model == "GPT 3.5 and GPT 4"
    transformer = by_name["RL_for_Transformer_Policy_Table"]
    assert transformer.rows[0].code_available == "Yes"  # header 'Code Availabale '
