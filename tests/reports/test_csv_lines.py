"""The CSV's common rows are written without the csv module (reports.exports.csv_writer.
plain_line): byte for byte what the csv module writes, or left to it (and to the formula guard)
whenever a cell needs more than quoting for a comma."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from reports.exports.csv_writer import FORMULA_START, plain_line

# Cells from the characters that matter (delimiter, quote, line breaks, formula starts, spaces,
# a control, Vietnamese letters) and any others.
CELL = st.text(
    alphabet=st.sampled_from(
        [",", '"', "\r", "\n", "\t", " ", "=", "+", "-", "@", "\x0b", "ệ", "a", "1"]
    )
    | st.characters(),
    max_size=12,
)


def csv_module_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


@given(st.lists(CELL, min_size=2, max_size=11))
def test_a_plain_line_is_the_csv_modules_line(cells: list[str]) -> None:
    line = plain_line(cells)
    if line is None:
        # Left to the csv module: something in the row needs it, or the formula guard.
        assert any(not c.isprintable() or '"' in c or c.startswith(FORMULA_START) for c in cells)
    else:
        assert line == csv_module_line(cells)


def test_the_common_rows_take_the_plain_way() -> None:
    assert plain_line(["1", "Rà soát, báo cáo", "194/TB-UBND"]) == (
        '1,"Rà soát, báo cáo",194/TB-UBND\r\n'
    )
    assert plain_line(["1", "=SUM(A1)"]) is None
    assert plain_line(["1", 'Trích "dẫn"']) is None
    assert plain_line(["1", "hai\ndòng"]) is None
