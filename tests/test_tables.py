"""Tests for genrl_kg.sources.tables: safe reading of fixture and real survey workbooks."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from conftest import PROJECT_ROOT
from xlsx_fixtures import (
    HEADER,
    WORDS,
    lie_about_dimension,
    made_up_rows,
    rewrite_entry,
    use_shared_strings,
    write_one_cell_rows,
    write_rows,
    write_workbook,
    write_zip_bomb,
)

from genrl_kg.errors import InputError
from genrl_kg.sources.tables import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    ArchiveLimits,
    category_hint,
    check_workbook_archive,
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
    rows: list[list[Any]] = [header, [*_row("a2020x"), None, None], blank, _row("b2021y")]
    rows += [blank, blank]
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
    rows: list[list[Any]] = [[*HEADER, "Year"], [*_row("a2020x"), 2020], [*_row("b2021y"), None]]
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


def test_table_over_the_row_cap_is_refused_naming_the_file(tmp_path: Path) -> None:
    """5,000 rows (write_only: no dimension tag) pass the archive checks and are refused."""
    path = write_rows(tmp_path / "Big_Table.xlsx", [HEADER, *made_up_rows(5000)])
    assert MAX_ROWS < 5000
    check_workbook_archive(path)  # the archive itself is within its caps
    with pytest.raises(
        InputError, match=rf"Big_Table\.xlsx .*more than {MAX_ROWS} data rows"
    ) as caught:
        read_table(path)
    assert "\n" not in str(caught.value) and f"reached row {MAX_ROWS + 2}" in str(caught.value)
    tables, errors = read_tables(tmp_path)  # the build skips it with a warning ...
    assert tables == [] and [e.source_file for e in errors] == ["Big_Table.xlsx"]
    with pytest.raises(InputError, match=r"Big_Table\.xlsx"):  # ... or stops with --strict
        read_tables(tmp_path, strict=True)


def test_a_table_at_the_row_cap_is_read_whole(tmp_path: Path) -> None:
    """Exactly MAX_ROWS data rows are read; the cap counts rows, not what the file claims."""
    path = write_rows(tmp_path / "t.xlsx", [HEADER, *made_up_rows(MAX_ROWS)])
    table = read_table(path)
    assert len(table.rows) == MAX_ROWS and table.rows[-1].row == MAX_ROWS + 1
    assert table.rows[-1].citation_key == f"{list(made_up_rows(MAX_ROWS))[-1][0]}"


def test_row_cap_counts_every_sheet_and_ignores_the_dimension_tag(tmp_path: Path) -> None:
    """With a cap of 40 rows: 40 read, 41 refused, two sheets of 30 refused, a lying tag too."""
    limits = ArchiveLimits(max_rows=40)
    assert (
        len(read_table(write_rows(tmp_path / "a.xlsx", [HEADER, *made_up_rows(40)]), limits).rows)
        == 40
    )
    over = write_workbook(tmp_path / "b.xlsx", [HEADER, *made_up_rows(41)])
    lie_about_dimension(over, "A1:B2")
    with zipfile.ZipFile(over) as z:
        assert b'<dimension ref="A1:B2"' in z.read("xl/worksheets/sheet1.xml")
    with pytest.raises(InputError, match=r"b\.xlsx .*more than 40 data rows \(reached row 42\)"):
        read_table(over, limits)
    wb = openpyxl.Workbook(write_only=True)
    for name in ("One", "Two"):
        sheet = wb.create_sheet(name)
        for row in [HEADER, *made_up_rows(29)]:
            sheet.append(row)
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(InputError, match=r"c\.xlsx .*more than 40 data rows"):
        read_table(tmp_path / "c.xlsx", limits)


@pytest.mark.slow
def test_a_million_one_cell_rows_are_refused(tmp_path: Path) -> None:
    """A million one-cell rows (about 31 MB unpacked) pass every archive check; the scan refuses.

    Its time and memory are measured in bench/bench_tables.py (case table-1m).
    """
    path = write_one_cell_rows(tmp_path / "Million_Table.xlsx", 1_000_000)
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) > 28 * 2**20
    check_workbook_archive(path)
    with pytest.raises(InputError, match=rf"Million_Table\.xlsx .*more than {MAX_ROWS} data rows"):
        read_table(path)


def _words(size: int, seed: int = 3) -> str:
    """*size* characters of random words (they compress about 3:1, under the ratio cap)."""
    rng = random.Random(seed)
    vocab = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(3000)
    ]
    return " ".join(rng.choices(vocab, k=size // 4))[:size]


def test_huge_single_cell_is_refused_inline_or_shared(tmp_path: Path) -> None:
    """A 3 MB cell is refused whether inline or in the shared strings; the cap itself is read."""
    big = _words(3_000_000)
    inline = write_rows(tmp_path / "Inline.xlsx", [HEADER, ["huge2024cell", big]])
    with pytest.raises(
        InputError,
        match=rf"Inline\.xlsx .*row 2 column 2: a cell longer than the cap of {MAX_CELL_CHARS}",
    ):
        read_table(inline)
    shared = use_shared_strings(
        write_rows(tmp_path / "Shared.xlsx", [HEADER, ["huge2024cell", big]])
    )
    with pytest.raises(
        InputError, match=r"Shared\.xlsx \(xl/sharedStrings\.xml\): a text longer than"
    ):
        read_table(shared)
    edge = [HEADER, ["edge2024cell", _words(MAX_CELL_CHARS)]]
    assert read_table(write_rows(tmp_path / "e.xlsx", edge)).rows[0].framework == edge[1][1].strip()
    edge[1][1] = _words(MAX_CELL_CHARS + 1)
    with pytest.raises(InputError, match=r"f\.xlsx"):
        read_table(write_rows(tmp_path / "f.xlsx", edge))


def test_shared_strings_read_like_inline_strings(tmp_path: Path) -> None:
    """The same rows stored as Excel stores them (a shared-string table) read identically."""
    rows = [HEADER, *made_up_rows(20)]
    inline = read_table(write_rows(tmp_path / "t.xlsx", rows))
    shared = read_table(use_shared_strings(write_rows(tmp_path / "t.xlsx", rows)))
    assert shared.rows == inline.rows and len(shared.rows) == 20


def test_columns_past_the_cap_are_refused(tmp_path: Path) -> None:
    """A cell in column MAX_COLUMNS + 1 is refused, naming its row."""
    row = ["wide2024row", *WORDS[:3]] + [None] * (MAX_COLUMNS - 4) + ["far"]
    assert len(row) == MAX_COLUMNS + 1
    path = write_rows(tmp_path / "Wide.xlsx", [HEADER, row])
    with pytest.raises(
        InputError, match=rf"Wide\.xlsx .*row 2 has a value in column {MAX_COLUMNS + 1}"
    ):
        read_table(path)
    assert len(read_table(write_rows(tmp_path / "ok.xlsx", [HEADER, row[:-1]])).rows) == 1


def test_empty_rows_and_cells_past_the_data_are_not_rows(tmp_path: Path) -> None:
    """Like a Google Sheets export (1,000 rows, columns A-Z, mostly empty): only data counts."""
    path = write_rows(tmp_path / "Sheets.xlsx", [HEADER, *made_up_rows(3)])
    empty = b"".join(b'<row r="%d"><c r="Z%d" s="1"/></row>' % (r, r) for r in range(5, 1500))
    pad = b'<c r="Q2" s="1"/><c r="BL2" s="1"/></row>'  # empty cells in columns 17 and 64
    rewrite_entry(
        path,
        "xl/worksheets/sheet1.xml",
        lambda d: _pad_row_2(d, pad).replace(b"</sheetData>", empty + b"</sheetData>"),
    )
    assert MAX_ROWS < 1500
    table = read_table(path)
    assert [r.row for r in table.rows] == [2, 3, 4]
    assert table.rows[0].citation_key == next(made_up_rows(1))[0]
    far = write_rows(tmp_path / "Far.xlsx", [HEADER, *made_up_rows(1)])
    rewrite_entry(
        far, "xl/worksheets/sheet1.xml", lambda d: _pad_row_2(d, b'<c r="BM2" s="1"/></row>')
    )
    with pytest.raises(
        InputError, match=r"Far\.xlsx .*row 2 has a cell in column 65, past column 64"
    ):
        read_table(far)


def _pad_row_2(data: bytes, cells: bytes) -> bytes:
    """Append *cells* (ending with ``</row>``) to row 2 of a sheet's XML."""
    head, row2 = data.split(b'<row r="2"', 1)
    row2_body, rest = row2.split(b"</row>", 1)
    return head + b'<row r="2"' + row2_body + cells + rest


def test_rows_out_of_order_are_refused_not_dropped(tmp_path: Path) -> None:
    """A repeated row number would be dropped by openpyxl's read-only mode: it is refused."""
    path = write_rows(tmp_path / "t.xlsx", [HEADER, *made_up_rows(3)])
    rewrite_entry(
        path,
        "xl/worksheets/sheet1.xml",
        lambda d: re.sub(rb'r="([A-Z]*)3"', rb'r="\g<1>2"', d),
    )
    with pytest.raises(
        InputError, match=r"t\.xlsx .*row 2 comes after row 2 \(rows out of order\)"
    ):
        read_table(path)


def test_merged_range_past_the_caps_is_refused(tmp_path: Path) -> None:
    """A merged range down to row 1,048,576 (or past the columns) would be filled cell by cell."""
    path = write_workbook(tmp_path / "t.xlsx", [HEADER, *made_up_rows(3)], merges=["C2:C4"])
    rewrite_entry(path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"C2:C4", b"C2:C1048576"))
    with pytest.raises(InputError, match=r"merged ranges cover 1048575 cells, more than a table"):
        read_table(path)
    rewrite_entry(path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"C2:C1048576", b"C2:Z2"))
    with pytest.raises(
        InputError, match=rf"merged range C2:Z2 reaches past the cap of {MAX_COLUMNS}"
    ):
        read_table(path)


def test_unknown_elements_and_deep_nesting_are_capped(tmp_path: Path) -> None:
    """openpyxl keeps elements it does not know in memory: their number and depth are capped."""
    path = write_rows(tmp_path / "t.xlsx", [HEADER, *made_up_rows(2)])
    junk = b"<foo>" + b"".join(b"<x%d/>" % i for i in range(6_000)) + b"</foo>"
    rewrite_entry(
        path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"<sheetData>", junk + b"<sheetData>")
    )
    assert len(read_table(path).rows) == 2  # within the default cap
    with pytest.raises(InputError, match=r"t\.xlsx \(xl/.*\): more than 5000 XML elements in"):
        read_table(path, ArchiveLimits(max_xml_elements=5_000))
    with pytest.raises(InputError, match=r"more than 5000 XML elements outside cells and shared"):
        read_table(path, ArchiveLimits(max_other_elements=5_000))
    cells = write_rows(tmp_path / "c.xlsx", [HEADER, *made_up_rows(1_000)])  # 24,000 elements
    assert len(read_table(cells, ArchiveLimits(max_other_elements=5_000)).rows) == 1_000
    deep = write_rows(tmp_path / "d.xlsx", [HEADER, *made_up_rows(2)])
    nest = b"".join(b"<n%d>" % i for i in range(100)) + b"".join(
        b"</n%d>" % i for i in reversed(range(100))
    )
    rewrite_entry(
        deep,
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</sheetData>", b"</sheetData>" + nest),
    )
    with pytest.raises(
        InputError, match=r"d\.xlsx \(xl/worksheets/sheet1\.xml\): XML nested more than 64"
    ):
        read_table(deep)


def test_a_dtd_in_a_sheet_is_refused(tmp_path: Path) -> None:
    """A sheet declaring entities is refused before any parser expands them."""
    path = write_rows(tmp_path / "t.xlsx", [HEADER, *made_up_rows(2)])
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    rewrite_entry(path, "xl/worksheets/sheet1.xml", lambda d: doctype + d)
    with pytest.raises(InputError, match=r"t\.xlsx \(xl/worksheets/sheet1\.xml\): has a DTD"):
        read_table(path)


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
                shared[int(v.text or 0)]
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
