"""A minimal RFC 4180 writer and record counter for the output files.

Fields are separated by commas and records end with ``\\n``. Only a field that contains a
comma, a double quote, CR or LF is quoted, with each double quote doubled. The writer is
written out here so the bytes do not depend on the csv module's dialect options.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_CHARACTERS_THAT_NEED_QUOTES = (",", '"', "\r", "\n")


def quote_field(field: str) -> str:
    if any(character in field for character in _CHARACTERS_THAT_NEED_QUOTES):
        return '"' + field.replace('"', '""') + '"'
    return field


def render_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Return the UTF-8 bytes of a CSV file with a header row."""
    lines = [",".join(quote_field(name) for name in header) + "\n"]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} fields, the header has {len(header)}")
        lines.append(",".join(quote_field(field) for field in row) + "\n")
    return "".join(lines).encode("utf-8")


def count_data_rows(data: bytes) -> int:
    """Return the number of records after the header in CSV bytes written by ``render_csv``.

    A line feed inside a quoted field does not end a record. Raises ValueError when a
    quoted field is not closed or the file does not end with a line feed.
    """
    if not data:
        raise ValueError("the file is empty; expected at least a header row")
    if not data.endswith(b"\n"):
        raise ValueError("the file does not end with a line feed")
    # Splitting at every double quote leaves the text outside quotes at even positions. A
    # doubled quote inside a field adds an empty segment, so the parity stays right.
    segments = data.split(b'"')
    if len(segments) % 2 == 0:
        raise ValueError("a quoted field is not closed")
    records = sum(segment.count(b"\n") for segment in segments[::2])
    return records - 1
