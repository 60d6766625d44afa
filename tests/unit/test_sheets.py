"""Reading source files: real .xlsx workbooks (formulas as their values, formula errors as errors) and CSV
in the encodings offices save; and for every file that is not a readable table, a SourceError that names
the file and says what is wrong with it."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from app.services.errors import ServiceError
from app.services.sheets import CellError, SourceError, column_letter, open_workbook

CSV_TEXT = (
    "客户名称,电话,地址,年营业额\n"
    '北京华信科技有限公司,010-82345678,北京市海淀区中关村大街1号,"1,234"\n'
    "上海浦江机械制造有限公司,13800138000,上海市浦东新区,12万\n"
)
CSV_ROWS = [
    ["客户名称", "电话", "地址", "年营业额"],
    ["北京华信科技有限公司", "010-82345678", "北京市海淀区中关村大街1号", "1,234"],
    ["上海浦江机械制造有限公司", "13800138000", "上海市浦东新区", "12万"],
]


def read(path: Path, sheet: str | None = None) -> list[list]:
    with open_workbook(path) as book:
        return [list(row) for row in book.sheet(sheet)]


def numbered(path: Path, sheet: str | None = None) -> dict[int, list]:
    """Rows by the number Excel shows them with."""
    with open_workbook(path) as book:
        rows = book.sheet(sheet)
        return {rows.first_row + index: list(row) for index, row in enumerate(rows)}


def write_xlsx(path: Path, build) -> Path:
    book = xlsxwriter.Workbook(str(path))
    build(book)
    book.close()
    return path


def failure(path: Path, sheet: str | None = None) -> str:
    """The message of the SourceError reading the file gives; it must name the file."""
    with pytest.raises(SourceError) as caught, open_workbook(path) as book:
        list(book.sheet(sheet))
    message = str(caught.value)
    assert path.name in message
    return message


# ---------------------------------------------------------------- workbooks


def tier_table(book) -> None:
    sheet = book.add_worksheet("客户分层")
    sheet.merge_range("A1:D1", "2019年客户分层表")
    sheet.write_row(1, 0, ["客户名称", "年营业额(万元)", "翻倍", "成立日期"])
    sheet.write_row(2, 0, ["北京华信科技有限公司", 120])
    sheet.write_formula(2, 2, "=B3*2", None, 240)  # with the value Excel saved
    sheet.write_datetime(2, 3, datetime(2019, 3, 5), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(3, 0, ["上海浦江机械制造有限公司", 0])
    sheet.write_formula(3, 2, "=1/B4", None, "#DIV/0!")
    sheet.write_string(4, 0, "'13800138000")
    sheet.write_number(4, 1, 13800138000)
    sheet.write_formula(4, 2, '=CONCATENATE("华","信")', None, "华信")
    other = book.add_worksheet("Other")
    other.write(0, 0, "客户名称")


def test_an_xlsx_reads_with_its_sheets_and_values(tmp_path):
    path = write_xlsx(tmp_path / "客户分层表.xlsx", tier_table)
    with open_workbook(path) as book:
        assert book.sheet_names == ["客户分层", "Other"]
        assert book.name == "客户分层表.xlsx"
        assert not book.is_text
    rows = numbered(path)
    assert rows[1][0] == "2019年客户分层表"  # a merged title: its text in the first cell
    assert all(cell in ("", None) for cell in rows[1][1:])
    assert rows[2] == ["客户名称", "年营业额(万元)", "翻倍", "成立日期"]
    assert rows[3][:2] == ["北京华信科技有限公司", 120]
    assert rows[4][0] == "上海浦江机械制造有限公司"
    assert rows[5][:2] == ["'13800138000", 13800138000]


def test_a_formula_reads_as_the_value_excel_saved(tmp_path):
    rows = numbered(write_xlsx(tmp_path / "formulas.xlsx", tier_table))
    assert rows[3][2] == 240
    assert rows[5][2] == "华信"


def test_a_formula_error_reads_as_an_error_not_as_a_blank(tmp_path):
    rows = numbered(write_xlsx(tmp_path / "errors.xlsx", tier_table))
    assert rows[4][2] == CellError("#DIV/0!")
    assert str(rows[4][2]) == "#DIV/0!"


def test_a_date_cell_reads_as_a_date(tmp_path):
    rows = numbered(write_xlsx(tmp_path / "dates.xlsx", tier_table))
    value = rows[3][3]
    assert isinstance(value, date)
    assert (value.year, value.month, value.day) == (2019, 3, 5)


def test_a_sheet_is_chosen_by_name(tmp_path):
    path = write_xlsx(tmp_path / "two.xlsx", tier_table)
    assert read(path, "Other") == [["客户名称"]]


def test_rows_and_columns_are_numbered_as_excel_shows_them_when_the_table_starts_lower_right(tmp_path):
    def build(book):
        sheet = book.add_worksheet("S")
        sheet.write_row(2, 1, ["客户名称", "电话", "年营业额"])  # B3
        sheet.write_row(3, 1, ["北京华信科技有限公司", "010-82345678", 5])
        sheet.write_row(4, 1, ["上海浦江机械制造有限公司", "13800138000"])
        sheet.write_formula(4, 3, "=1/0", None, "#DIV/0!")  # D5

    path = write_xlsx(tmp_path / "offset.xlsx", build)
    with open_workbook(path) as book:
        rows = book.sheet()
        first_column = rows.first_column
        found = {rows.first_row + index: list(row) for index, row in enumerate(rows)}
    assert column_letter(first_column) == "B"
    assert found[3] == ["客户名称", "电话", "年营业额"]
    assert found[4] == ["北京华信科技有限公司", "010-82345678", 5]
    assert found[5] == ["上海浦江机械制造有限公司", "13800138000", CellError("#DIV/0!")]


def test_a_date_cell_no_calendar_holds_is_a_damaged_file_not_a_crash(tmp_path):
    def build(book):
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["客户名称", "成立日期"])
        sheet.write_string(1, 0, "北京华信科技有限公司")
        # A huge negative number formatted as a date: python-calamine panics converting it.
        sheet.write_number(1, 1, -1e300, book.add_format({"num_format": "yyyy-mm-dd"}))

    message = failure(write_xlsx(tmp_path / "far-future.xlsx", build))
    assert "damaged" in message


def test_an_xlsm_reads_like_an_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", tier_table)
    macro = tmp_path / "book.xlsm"
    shutil.copyfile(path, macro)
    assert read(macro) == read(path)


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# ---------------------------------------------------------------- text files


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("utf8.csv", CSV_TEXT.encode("utf-8"), "utf-8"),
        ("bom.csv", b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "utf-8-sig"),
        ("gbk.csv", CSV_TEXT.encode("gbk"), "gb18030"),
        ("gbk-crlf.csv", CSV_TEXT.replace("\n", "\r\n").encode("gbk"), "gb18030"),
        ("utf16.csv", CSV_TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_csv_in_each_encoding_offices_save(tmp_path, name, data, encoding):
    path = tmp_path / name
    path.write_bytes(data)
    with open_workbook(path) as book:
        assert book.is_text
        assert book.encoding == encoding
        assert book.sheet_names == [path.stem]
    assert read(path) == CSV_ROWS


def test_a_gb18030_only_character_reads(tmp_path):
    text = "客户名称,联系人\n北京华信科技有限公司,王𠀀\n"  # 𠀀 is outside GBK
    path = tmp_path / "gb18030.csv"
    path.write_bytes(text.encode("gb18030"))
    assert read(path) == [["客户名称", "联系人"], ["北京华信科技有限公司", "王𠀀"]]


def test_a_tab_separated_txt(tmp_path):
    text = (
        "客户名称\t电话\t年营业额\n北京华信科技有限公司\t010-82345678\t1,234\n上海浦江\t13800138000\t12万\n"
    )
    path = tmp_path / "客户.txt"
    path.write_bytes(text.encode("utf-8"))
    assert read(path) == [
        ["客户名称", "电话", "年营业额"],
        ["北京华信科技有限公司", "010-82345678", "1,234"],
        ["上海浦江", "13800138000", "12万"],
    ]


def test_quoted_csv_fields(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_bytes('客户名称,备注\n"华信, 北京","他说""好"""\n'.encode())
    assert read(path) == [["客户名称", "备注"], ["华信, 北京", '他说"好"']]


def test_a_one_column_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes("客户名称\n北京华信科技有限公司\n上海浦江机械制造有限公司\n".encode())
    assert read(path) == [["客户名称"], ["北京华信科技有限公司"], ["上海浦江机械制造有限公司"]]


# ---------------------------------------------------------------- files that are not tables


def good_xlsx_bytes(tmp_path: Path) -> bytes:
    def build(book):
        sheet = book.add_worksheet()
        for row in range(200):
            sheet.write_row(row, 0, [f"公司{row}", row, f"地址{row}" * 5])

    return write_xlsx(tmp_path / "source.xlsx", build).read_bytes()


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.xls"])
def test_an_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert "empty" in failure(path)


def test_a_csv_of_blank_lines_is_empty(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"  \r\n\r\n \n")
    assert "empty" in failure(path)


def test_random_bytes_named_xlsx(tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    failure(path)


def test_a_truncated_xlsx(tmp_path):
    data = good_xlsx_bytes(tmp_path)
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "damaged" in failure(path)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_text_file_renamed_xlsx(tmp_path, encoding):
    path = tmp_path / "客户.xlsx"
    path.write_bytes(CSV_TEXT.encode(encoding))
    message = failure(path)
    assert "text" in message
    assert ".csv" in message


def test_a_password_protected_workbook(tmp_path):
    padding = b"\x00" * 512
    path = tmp_path / "locked.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + padding + "EncryptedPackage".encode("utf-16-le") + padding
    )
    assert "password" in failure(path)


def test_a_workbook_named_csv(tmp_path):
    path = tmp_path / "really-a-workbook.csv"
    path.write_bytes(good_xlsx_bytes(tmp_path))
    assert ".xlsx" in failure(path)


def test_binary_data_named_csv(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x00\x01\x02\x03name,phone\n")
    assert "binary" in failure(path)


def test_a_csv_in_neither_utf8_nor_gbk(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Name,City\nCafé Zoë,Montréal\n".encode("latin-1"))
    assert "UTF-8" in failure(path)


@pytest.mark.parametrize("name", ["report.pdf", "customers.docx", "customers", "archive.zip"])
def test_an_unknown_extension(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CSV_TEXT.encode())
    message = failure(path)
    assert ".xlsx" in message  # says which files it reads
    suffix = Path(name).suffix
    if suffix:
        assert suffix in message


def test_a_missing_file(tmp_path):
    assert "does not exist" in failure(tmp_path / "nowhere.xlsx")


def test_a_folder(tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    failure(folder)


def test_an_unknown_sheet_names_the_sheets_there_are(tmp_path):
    path = write_xlsx(tmp_path / "two.xlsx", tier_table)
    message = failure(path, "客户明细")
    assert "客户明细" in message
    assert "客户分层" in message and "Other" in message


def test_an_unknown_sheet_of_a_csv(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(CSV_TEXT.encode())
    assert "Sheet2" in failure(path, "Sheet2")


def test_source_errors_are_service_errors():
    # The wizard and the command line show every ServiceError's message as it is.
    assert issubclass(SourceError, ServiceError)


def test_a_file_too_large_to_import_is_refused_before_reading(tmp_path, monkeypatch):
    from app.services import sheets

    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "huge.csv"
    path.write_bytes(("客户名称\n" + "北京华信科技有限公司\n" * 80_000).encode("utf-8"))  # 2.6 MB
    message = failure(path)
    assert "huge.csv" in message and "2 MB" in message and "Split it" in message


def test_a_sheet_with_too_many_cells_is_refused(tmp_path, monkeypatch):
    from app.services import sheets

    monkeypatch.setattr(sheets, "MAX_CELLS", 1000)
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    sheet.write(0, 0, "客户名称")
    sheet.write(99, 99, "x")  # 100 rows × 100 columns in use
    book.close()
    with pytest.raises(SourceError) as caught:
        open_workbook(path).sheet()
    assert "wide.xlsx" in str(caught.value) and "100 rows × 100 columns" in str(caught.value)
