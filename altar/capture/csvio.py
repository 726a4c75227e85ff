"""CSV in and out, as spreadsheets actually produce and consume it.

Reading tolerates what Excel and LibreOffice write (UTF-8 with a byte-order
mark, CRLF line endings, trailing empty rows). Writing neutralises cells a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator, Sequence
from io import BufferedReader, FileIO
from pathlib import Path
from typing import IO

from altar.errors import NotFoundError, ValidationError

# Characters that make Excel/LibreOffice treat a cell as a formula (OWASP
# "CSV injection"); a leading apostrophe makes the cell plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PEEK = 65536


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    # CRLF (RFC 4180, and what Excel writes) makes the csv module quote any
    # cell holding a bare carriage return, so it cannot split a row.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_cell(row.get(column, "")) for column in header)


class CsvReader:
    """Rows of a CSV file as dicts, numbered as a spreadsheet numbers them
    (the header is row 1), skipping rows that are entirely empty."""

    def __init__(self, path: Path):
        self.path = path
        try:
            # What open(path, "rb", buffering=_PEEK) builds, spelled out so it is typed
            # as a BufferedReader (for peek). Closed by close().
            self._file = BufferedReader(FileIO(path, "r"), buffer_size=_PEEK)
        except FileNotFoundError:
            raise NotFoundError(f"no file {path}") from None
        except IsADirectoryError:
            raise NotFoundError(f"{path} is a folder, not a CSV file") from None
        self._reader = csv.reader(self._decoded_lines())
        self._row = 0  # spreadsheet row of the last record read (the header is 1)
        self.header = self._read_header()

    def _decoded_lines(self) -> Iterator[str]:
        # Decoding line by line (not in a text wrapper's read-ahead chunks)
        # lets a bad byte be reported on the line that holds it.
        for number, raw in enumerate(self._raw_lines(), start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            elif number == 1 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise self._fail(
                    "the file is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8'"
                )
            if (
                number == 1 and b"\x00" in raw
            ):  # UTF-16 without its byte-order mark, or not text at all
                raise self._fail(
                    "the header row holds NUL bytes: is it UTF-16 or not text? Save it as 'CSV UTF-8'"
                )
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise self._fail(
                    f"row {number} is not UTF-8 text (in Excel use Save As > 'CSV UTF-8')"
                ) from None

    def _raw_lines(self) -> Iterator[bytes]:
        head = self._file.peek(_PEEK)[:_PEEK]
        if b"\r" in head and b"\n" not in head:
            # Classic Mac line endings (CR only): small files, read whole.
            yield from (line + b"\n" for line in self._file.read().split(b"\r"))
        else:
            yield from self._file

    def _fail(self, reason: str) -> ValidationError:
        return ValidationError(f"{self.path.name}: {reason}; nothing was imported")

    def _next(self) -> list[str] | None:
        try:
            record = next(self._reader)
            self._row += 1
            return record
        except StopIteration:
            return None
        except csv.Error as exc:
            raise self._fail(f"row {self._row + 1}: {_plain(exc)}") from None

    def _read_header(self) -> list[str]:
        header = self._next()
        if header is None or not any(h.strip() for h in header):
            raise self._fail("the file is empty (expected a header row)")
        header = [h.strip() for h in header]
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise self._fail(f"column {name!r} appears twice in the header")
            seen.add(name)
        return header

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        while (cells := self._next()) is not None:
            if not any(c.strip() for c in cells):
                continue
            number = self._row
            if len(cells) > len(self.header):
                raise self._fail(
                    f"row {number} has {len(cells)} cells but the header has {len(self.header)}"
                )
            yield number, dict(zip(self.header, cells + [""] * (len(self.header) - len(cells))))

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got, for a progress bar."""
        return self._file.tell()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(exc: csv.Error) -> str:
    """The csv module's complaint in a practitioner's words."""
    message = str(exc)
    if message.startswith("field larger than field limit"):
        return (
            f"a cell is longer than {csv.field_size_limit():,} characters (no answer is that long)"
        )
    if message.startswith("new-line character seen in unquoted field"):
        return "a cell holds a line break but is not in quotes"
    return message
