"""Reading spreadsheets the way offices keep them: .xlsx/.xlsm/.xls through python-calamine, CSV/TXT in
UTF-8 or GB18030, with a clear message (naming the file) for anything that is not a readable table."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.services.errors import ServiceError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an encrypted .xlsx inside its wrapper
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
MAX_FILE_BYTES = 300 * 1024 * 1024  # an .xlsx is compressed: this is far more than Excel's 1,048,576 rows
MAX_CELLS = 40_000_000
FORMULA_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


class SourceError(ServiceError):
    """The file cannot be read as a table; the message names the file and says what is wrong."""


@dataclass(frozen=True)
class CellError:
    """A cell holding a formula error (#REF!, #DIV/0! …) instead of a value."""

    code: str

    def __str__(self) -> str:
        return self.code


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column names Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number - 1


@dataclass(frozen=True)
class SheetRows:
    """The rows of one sheet: `first_row` is the Excel number (1-based) of the first, `first_column`
    the index (0 = A) of the first column, so a problem can be reported where Excel shows it."""

    name: str
    height: int
    first_row: int
    first_column: int
    iterate: object  # a callable giving the rows one by one

    def __iter__(self) -> Iterator[list]:
        return iter(self.iterate())


class Workbook:
    """An opened source file: its sheet names, and each sheet's rows read lazily."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.is_text = False
        self.encoding = ""
        self._book = None
        self._text: str | None = None
        self._delimiter = ","
        self.sheet_names: list[str] = []
        self._open()

    # -- opening

    def _fail(self, reason: str) -> SourceError:
        return SourceError(_("Cannot read {file}: {reason}").format(file=self.name, reason=reason))

    def _open(self) -> None:
        suffix = self.path.suffix.lower()
        if suffix not in SUFFIXES:
            raise self._fail(
                _("ClientDesk reads .xlsx, .xlsm, .xls and .csv/.txt files, not {suffix} files.").format(
                    suffix=suffix or _("(no extension)")
                )
            )
        try:
            size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                head = handle.read(1 << 16)
        except FileNotFoundError:
            raise self._fail(_("the file does not exist.")) from None
        except IsADirectoryError:
            raise self._fail(_("it is a folder, not a file.")) from None
        except PermissionError:
            raise self._fail(_("you are not allowed to read it.")) from None
        except OSError as exc:
            raise self._fail(exc.strerror or str(exc)) from None
        if size == 0 or not head.strip(b"\x00 \t\r\n"):
            raise self._fail(_("the file is empty."))
        if size > MAX_FILE_BYTES:
            raise self._fail(
                _("the file is {size} MB, more than the {limit} MB an import can take. Split it.").format(
                    size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024)
                )
            )
        if suffix in TEXT_SUFFIXES:
            if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
                raise self._fail(_("it is an Excel workbook with a text file's name. Rename it to .xlsx."))
            self._open_text()
        else:
            self._open_excel(suffix, head)

    def _open_excel(self, suffix: str, head: bytes) -> None:
        if head.startswith(OLE_MAGIC) and ENCRYPTED_MARK in head:
            raise self._fail(
                _(
                    "the workbook is protected with a password. Open it in Excel, remove the password "
                    "(File → Info → Protect Workbook), save, and import again."
                )
            )
        if not head.startswith((ZIP_MAGIC, OLE_MAGIC)):
            if b"\x00" not in head[:4096] and suffix != ".xlsb":
                raise self._fail(
                    _(
                        "it is a text file, not an Excel workbook. If it holds comma- or tab-separated "
                        "values, rename it to .csv and import it again."
                    )
                )
            raise self._fail(_("it is not an Excel workbook (the file is damaged or of another kind)."))
        from python_calamine import CalamineWorkbook

        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
            self.sheet_names = [
                meta.name for meta in self._book.sheets_metadata if str(meta.typ).endswith("WorkSheet")
            ] or list(self._book.sheet_names)
        except BaseException as exc:  # calamine's Rust panics arrive as BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise self._damaged(exc) from None
        if not self.sheet_names:
            raise self._fail(_("the workbook has no sheets."))

    def _damaged(self, exc: BaseException) -> SourceError:
        if type(exc).__name__ == "PasswordError":
            return self._fail(
                _("the workbook is protected with a password. Remove the password and try again.")
            )
        return self._fail(
            _(
                "the workbook is damaged or incomplete ({detail}). Open it in Excel, save it again, "
                "and import the saved copy."
            ).format(detail=str(exc).strip().splitlines()[0][:120] if str(exc) else type(exc).__name__)
        )

    def _open_text(self) -> None:
        data = self.path.read_bytes()
        if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise self._fail(_("it is not a text file (it holds binary data)."))
        text = None
        for encoding, bom in (
            ("utf-8-sig", codecs.BOM_UTF8),
            ("utf-16", codecs.BOM_UTF16_LE),
            ("utf-16", codecs.BOM_UTF16_BE),
        ):
            if data.startswith(bom):
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    raise self._fail(
                        _("the text is not valid {encoding}.").format(encoding=encoding)
                    ) from None
                self.encoding = encoding
                break
        if text is None:
            # Excel on Chinese Windows saves CSV in GBK (GB18030 is its superset); everything else is UTF-8.
            for encoding in ("utf-8", "gb18030"):
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                self.encoding = encoding
                break
            else:
                raise self._fail(_("the text is neither UTF-8 nor GBK/GB18030. Save it as UTF-8 CSV."))
        sample = text[:65536]
        try:
            self._delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            self._delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        self._text = text
        self.is_text = True
        self.sheet_names = [self.path.stem]

    # -- reading

    def sheet(self, name: str | None = None) -> SheetRows:
        """The rows of a sheet (the first when `name` is None); SourceError if it cannot be read."""
        name = name or self.sheet_names[0]
        if name not in self.sheet_names:
            raise self._fail(
                _("it has no sheet named {sheet}; its sheets are: {sheets}.").format(
                    sheet=name, sheets=", ".join(self.sheet_names)
                )
            )
        if self.is_text:
            return self._text_sheet(name)
        try:
            sheet = self._book.get_sheet_by_name(name)
            (start_row, first_column) = sheet.start or (0, 0)
            # iter_rows() gives the empty rows above the used range too (not the columns left of it):
            # its first row is Excel's row 1.
            height, width = start_row + sheet.height, sheet.width
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise self._damaged(exc) from None
        if height * width > MAX_CELLS:
            raise self._fail(
                _(
                    "sheet {sheet} has {rows} rows × {columns} columns, more than an import can take. "
                    "Delete the empty rows and columns or split it."
                ).format(sheet=name, rows=height, columns=width)
            )
        errors = self._error_cells(name)

        def iterate() -> Iterator[list]:
            for index, row in enumerate(self._rows(sheet)):
                excel_row = index + 1
                if errors and excel_row in errors:
                    row = list(row)
                    for column, code in errors[excel_row].items():
                        if 0 <= column - first_column < len(row):
                            row[column - first_column] = CellError(code)
                yield row

        return SheetRows(name, height, 1, first_column, iterate)

    def _rows(self, sheet) -> Iterator[list]:
        """The sheet's rows; calamine converts cells as it goes, and panics on some it cannot (a date
        cell holding -1e300): that is a damaged file too."""
        rows = sheet.iter_rows()
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                raise self._damaged(exc) from None
            yield row

    def _text_sheet(self, name: str) -> SheetRows:
        text = self._text or ""
        height = text.count("\n") + 1

        def iterate() -> Iterator[list]:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter)
            try:
                yield from reader
            except csv.Error as exc:
                raise self._fail(
                    _("line {line} is not valid CSV ({detail}).").format(line=reader.line_num, detail=exc)
                ) from None

        return SheetRows(name, height, 1, 0, iterate)

    def _error_cells(self, name: str) -> dict[int, dict[int, str]]:
        """Formula errors by Excel row and column index: python-calamine reads them as empty cells
        (dimastbk/python-calamine#105), and an error must not pass for a blank, so the sheet's XML is
        scanned for error cells. Only .xlsx/.xlsm can be scanned; .xls errors still read as blank."""
        if self.path.suffix.lower() not in {".xlsx", ".xlsm"}:
            return {}
        try:
            with zipfile.ZipFile(self.path) as archive:
                part = self._sheet_part(archive, name)
                if part is None:
                    return {}
                found: dict[int, dict[int, str]] = {}
                with archive.open(part) as stream:
                    data = stream.read()
                if b't="e"' not in data:
                    return found
                for match in re.finditer(
                    rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?'
                    rb"(?:<v>([^<]*)</v>)?",
                    data,
                ):
                    code = (match.group(3) or b"#VALUE!").decode("utf-8", "replace")
                    found.setdefault(int(match.group(2)), {})[_column_index(match.group(1))] = code
                return found
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
            return {}  # calamine read it; a damaged XML part is reported by calamine, not here

    @staticmethod
    def _sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
        import xml.etree.ElementTree as ET

        ns = {
            "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        }
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rel_id = None
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            if sheet.get("name") == name:
                rel_id = sheet.get(f"{{{ns['r']}}}id")
        if rel_id is None:
            return None
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            if rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        return None

    def close(self) -> None:
        if self._book is not None:
            with contextlib.suppress(Exception):
                self._book.close()
            self._book = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_workbook(path: str | Path) -> Workbook:
    """Open a spreadsheet or CSV file for import; SourceError says what is wrong with it."""
    return Workbook(Path(path))
