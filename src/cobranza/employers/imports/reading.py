"""Opening an import file: CSV (UTF-8, UTF-8 with BOM, Windows Latin-1; `,` `;` or tab) or XLSX.

The file is streamed: rows are produced one at a time, so a file of a million rows never sits in
memory as text. File-level problems (missing, empty, undecodable) raise `ImportRejected` at once;
a broken CSV record found while streaming (an unclosed quote) is added to `Table.problems` and ends
the rows.

Encodings: UTF-8 (a BOM is removed) is tried first over the whole file; when it fails the file is
read as Windows-1252, the superset of Latin-1 that Windows exports really use (Latin-1 would turn
`€`, `“` and `—` into control characters). A file with NUL bytes (binary, UTF-16) or with bytes that
Windows-1252 does not define is undecodable.
"""

import codecs
import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files import File

from cobranza.employers.imports.base import ImportRejected
from cobranza.employers.imports.values import cell_text

CHUNK = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class Table:
    """A file's header and rows. `rows` yields (row number, values); row 1 is the header."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any] | tuple[Any, ...]]]
    total: int  # estimated number of data rows, for progress (0 when unknown)
    decimal_comma: bool = False
    delimiter: str | None = None
    encoding: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


def _reject(filename: str, reason: str, value: str = "") -> ImportRejected:
    return ImportRejected(filename, [{"row": None, "column": "", "value": value, "reason": reason}])


def source_name(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "archivo")).name


@contextmanager
def _binary_stream(source: Any, filename: str) -> Iterator[IO[bytes]]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise _reject(filename, "el archivo no existe", str(path)) from None
        except IsADirectoryError:
            raise _reject(filename, "es una carpeta, no un archivo", str(path)) from None
        except OSError as exc:
            raise _reject(filename, f"no se pudo abrir el archivo ({exc.strerror})", str(path)) from None
        with handle:
            yield handle
        return
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
        return
    stream = source
    if isinstance(source, File):
        if source.closed:
            source.open("rb")
        stream = source.file
    if hasattr(stream, "seekable") and stream.seekable():
        stream.seek(0)
        first = stream.read(0)
        if isinstance(first, str):
            yield io.BytesIO(stream.read().encode("utf-8"))
        else:
            yield stream
        return
    data = stream.read()
    yield io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def open_table(source: Any, filename: str) -> Iterator[Table]:
    """The file as a `Table`; raises `ImportRejected` when it cannot be read at all."""
    with _binary_stream(source, filename) as stream:
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(XLSX_MAGIC):
            with _open_xlsx(stream, filename) as table:
                yield table
        elif head.startswith(OLE_MAGIC):
            raise _reject(filename, "es un archivo .xls antiguo: guárdelo como .xlsx o como CSV UTF-8")
        else:
            yield _open_csv(stream, filename)


def _detect_encoding(stream: IO[bytes], filename: str) -> tuple[str, int]:
    """(encoding, number of line breaks). Reads the whole file once, in chunks."""
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _reject(filename, "el archivo está en UTF-16: guárdelo como CSV UTF-8")
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        newlines = 0
        try:
            while chunk := stream.read(CHUNK):
                if b"\x00" in chunk:
                    raise _reject(filename, "no es un archivo de texto (CSV) ni un XLSX")
                decoder.decode(chunk)
                newlines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            stream.seek(0)
            continue
        stream.seek(0)
        return encoding, newlines
    raise _reject(filename, "no se pudo leer el texto: el archivo no está en UTF-8 ni en Latin-1")


def _sniff_delimiter(line: str) -> str:
    """The separator of the header line: the most frequent of `;` `,` and tab outside quotes."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: (counts[c], c == ","))
    return best if counts[best] else ","


def _open_csv(stream: IO[bytes], filename: str) -> Table:
    encoding, newlines = _detect_encoding(stream, filename)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first = text.readline()
    if not first.strip():
        rest = text.read(1 << 16)
        text.detach()
        if not rest.strip():
            raise _reject(filename, "el archivo está vacío")
        raise _reject(filename, "la primera fila está vacía: debe ser la fila de encabezados")
    if encoding == "cp1252" and first.startswith("ï»¿"):
        first = first[3:]  # a UTF-8 BOM on a file that is not UTF-8 after all
    delimiter = _sniff_delimiter(first)
    table = Table(
        format="csv",
        header=[],
        rows=iter(()),
        total=max(newlines - 1, 0),
        decimal_comma=delimiter == ";",
        delimiter=delimiter,
        encoding="utf-8" if encoding == "utf-8-sig" else "windows-1252",
    )
    reader = csv.reader(_chain_first(first, text), delimiter=delimiter, quotechar='"')
    try:
        header = next(reader)
    except csv.Error as exc:
        raise _reject(filename, f"la fila de encabezados está mal formada ({exc})") from None
    table.header = [h.strip() for h in header]
    table.rows = _csv_rows(reader, table)
    return table


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _csv_rows(reader: Any, table: Table) -> Iterator[tuple[int, list[str]]]:
    row_number = 1
    try:
        for row_number, record in enumerate(reader, start=2):  # noqa: B007 - used after the loop
            if not any(record) or not "".join(record).strip():
                continue  # blank line, or a line of empty fields (`,,,,` as spreadsheets export)
            yield row_number, record
    except csv.Error as exc:
        table.problems.append(
            {
                "row": reader.line_num or row_number,
                "column": "",
                "value": "",
                "reason": f"registro CSV mal formado, probablemente comillas sin cerrar ({exc}); no se leyó el resto",
            }
        )


@contextmanager
def _open_xlsx(stream: IO[bytes], filename: str) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, openpyxl's InvalidFileException, XML errors
        raise _reject(filename, f"no es un archivo XLSX válido ({exc.__class__.__name__})") from None
    try:
        if not workbook.worksheets:
            raise _reject(filename, "el libro no tiene hojas")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        header = [cell_text(v) for v in header_row or ()]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise _reject(filename, "la primera hoja está vacía o su primera fila no tiene encabezados")
        max_row = sheet.max_row or 0
        yield Table(
            format="xlsx", header=header, rows=_xlsx_rows(rows, len(header)), total=max(max_row - 1, 0)
        )
    finally:
        workbook.close()


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], width: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for row_number, values in enumerate(rows, start=2):
        if all(v is None or (type(v) is str and not v.strip()) for v in values):
            continue
        if len(values) > width:
            extra = values[width:]
            if all(v is None or (type(v) is str and not v.strip()) for v in extra):
                values = values[:width]  # formatted but empty cells to the right are not fields
        elif len(values) < width:
            values = values + (None,) * (width - len(values))  # empty cells at the end of the row
        yield row_number, values
