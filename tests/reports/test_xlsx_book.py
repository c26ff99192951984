"""The workbook whose long tables are written as XML and spliced into XlsxWriter's sheet:
what it writes reads back exactly (openpyxl), in the right rows, around XlsxWriter's own."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.exports.xlsx_book import Book, _text

# Spreadsheet cells hold naive local times.
STAMP = dt.datetime(2023, 10, 2, 9, 30)  # noqa: DTZ001
DAY = dt.datetime(2023, 10, 30)  # noqa: DTZ001


def test_spliced_rows_read_back_in_place_with_their_formats() -> None:
    target = io.BytesIO()
    book = Book(target, {"constant_memory": True})
    body = book.add_format({"text_wrap": True, "border": 1})
    dated = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet = book.add_worksheet("Phụ lục I")
    sheet.write_string(0, 0, "TIÊU ĐỀ")
    sheet.write_string(1, 0, "Cột", body)
    rows = book.rows(sheet, 2)
    rows.write(
        [
            (1, body),
            ("Rà soát <hồ sơ> & báo cáo\nhai dòng", body),
            (" khoảng trắng đầu", body),
            (dt.date(2023, 10, 30), dated),
            (STAMP, stamp),
            ("", body),
            ("ký tự \x0bWord", body),
        ],
        height=30,
    )
    assert rows.write([(2, body), ("Dòng hai", body)]) == 3
    # Each case a row's joint check must catch, alone in its row (every other text plain).
    alone = ["A & B", "<b>", "x > y", " đầu", "cuối ", "\tthụt"]
    for text in alone:
        rows.write([("Thường", body), (text, body), ("Thường", body)])
    sheet.write_string(rows.next + 1, 0, "Chân trang")
    other = book.add_worksheet("Phụ lục II")
    other.write_string(0, 0, "Trang hai")
    book.close()

    workbook = openpyxl.load_workbook(io.BytesIO(target.getvalue()))
    first = workbook["Phụ lục I"]
    assert first["A1"].value == "TIÊU ĐỀ" and first["A2"].value == "Cột"
    assert [c.value for c in first[3]][:7] == [
        1,
        "Rà soát <hồ sơ> & báo cáo\nhai dòng",
        " khoảng trắng đầu",
        DAY,
        STAMP,
        None,
        "ký tự \nWord",
    ]
    assert first["D3"].number_format == "dd/mm/yyyy"
    assert first["B3"].alignment.wrap_text and first["B3"].border.left.style == "thin"
    assert first.row_dimensions[3].height == 30
    assert [first["A4"].value, first["B4"].value] == [2, "Dòng hai"]
    assert [first.cell(row=5 + i, column=2).value for i in range(len(alone))] == alone
    # Spaces at either end are kept for Excel too (which drops them without xml:space).
    sheet_xml = zipfile.ZipFile(io.BytesIO(target.getvalue())).read("xl/worksheets/sheet1.xml")
    for text in (" đầu", "cuối "):
        assert f'<t xml:space="preserve">{text}</t>'.encode() in sheet_xml
    assert first.cell(row=6 + len(alone), column=1).value == "Chân trang"
    assert workbook["Phụ lục II"]["A1"].value == "Trang hai"


def test_a_book_without_long_tables_is_xlsxwriters_own() -> None:
    target = io.BytesIO()
    book = Book(target, {})
    book.add_worksheet("Đánh giá").write_string(0, 0, "Kết quả")
    book.close()
    assert openpyxl.load_workbook(io.BytesIO(target.getvalue()))["Đánh giá"]["A1"].value == (
        "Kết quả"
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aĐ ,&<>\t\n\x0b\xa0\x00\"'="), max_size=6)))
def test_a_row_checked_at_once_is_written_as_each_cell_alone(texts: list[str]) -> None:
    """The row's joint check (texts needing no escape written as they are) writes what
    escaping each cell alone (`_text`) writes, whatever the texts hold."""
    book = Book(io.BytesIO(), {"constant_memory": True})
    body = book.add_format({"text_wrap": True})
    rows = book.rows(book.add_worksheet("Phụ lục I"), 0)
    rows.write([(text, body) for text in texts])
    rows.flush()
    rows.file.seek(0)
    written = rows.file.read().decode()
    head = f'<c s="{body._get_xf_index()}"'
    cells = "".join(
        f"{head}/>" if text == "" else f'{head} t="inlineStr">{_text(text)}</c>' for text in texts
    )
    assert written == f'<row r="1">{cells}</row>'
    book.close()
