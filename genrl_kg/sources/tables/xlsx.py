"""openpyxl, imported once for the table readers without numpy.

openpyxl imports numpy, when it is installed, only to recognise numpy numbers it might be asked
to write; our readers never write. Blocking that import while openpyxl loads keeps about 27 MB
out of every build. numpy stays importable afterwards for anyone else in the process.
"""

from __future__ import annotations

import sys

_BLOCKED = "numpy" not in sys.modules
if _BLOCKED:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail fast
try:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.xml.constants import SHEET_MAIN_NS
finally:
    if _BLOCKED:
        del sys.modules["numpy"]

__all__ = ["SHEET_MAIN_NS", "CellRange", "coordinate_to_tuple", "get_column_letter", "openpyxl"]
