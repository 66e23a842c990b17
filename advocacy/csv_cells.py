"""Cells of a CSV file opened in a spreadsheet, guarded against formula injection (OWASP "CSV injection").

Shared by every CSV export (metrics' KPI tables, people's contributors): a cell written from what came from
the internet (a name, a title) never runs as a formula where it is opened.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"). Checked on the
# cell's NFKC form, so the full-width and small forms (U+FF1D U+FF0B U+FF0D U+FF20, U+FE66 U+FE62 U+FE63)
# count as what they normalise to; the minus sign U+2212 has no NFKC decomposition and is listed itself
# (spreadsheets read it as a minus).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\u2212", "\t", "\r", "\n")
# Categories of the characters a spreadsheet skips before it looks at a cell's first character (" =1+1" is
# a formula there): separators (spaces, line and paragraph separators), controls and invisible formats (the
# zero-width space, a byte-order mark).
_SKIPPED_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Cf")


def csv_safe(value: Any) -> Any:
    """A cell value as written to CSV: text starting with a formula character gets a leading quote.

    Numbers stay numbers (a negative change is data, not a formula); everything else becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        value = " ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if formula_like(text) else text


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: its first character is one of
    FORMULA_PREFIXES (a tab, CR or LF included), or it is once the text is NFKC-normalised and the
    spaces, controls and invisible characters in front are skipped."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    lead = next((c for c in unicodedata.normalize("NFKC", text) if not _skipped(c)), "")
    return lead in FORMULA_PREFIXES


def _skipped(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _SKIPPED_CATEGORIES


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])
