"""Conversion of warehouse values to the fixed text forms of the output files.

Each column has a kind. DuckDB and PyMySQL return different types for the same column: a
count can arrive as int, float or Decimal, a date as date, datetime or text.
``to_canonical`` converts each of them to one canonical Python value, which rows are
sorted on, and ``format_value`` writes the canonical value as text. Both raise ValueError
with the reason for a value they reject.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any


class ColumnKind(enum.Enum):
    INTEGER = "integer"
    DATE = "date"
    RATE = "rate"
    BOUND = "bound"
    TEXT = "text"
    PERIOD_TYPE = "period_type"


PERIOD_TYPES = ("day", "week", "month")
RATE_QUANTUM = Decimal("0.000001")

_MIDNIGHT_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_TIMESTAMP_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def _text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"invalid UTF-8 bytes {value[:40]!r}") from None
    return value


def _to_decimal(value: Any) -> Decimal:
    """Return the decimal form of a number; a float becomes its shortest repr (0.1, not 0.1000000000000000055)."""
    if isinstance(value, bool):
        raise ValueError(f"boolean {value!r} where a number is expected")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"non-finite number {value!r}")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite number {value!r}")
        return value
    if isinstance(value, (str, bytes)):
        text = _text(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"text {text!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"non-finite number {text!r}")
        return number
    raise ValueError(f"unsupported value {value!r} of type {type(value).__name__}")


def _to_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"non-integral value {value!r} in an integer column")
    return int(number)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise ValueError(f"timestamp {value.isoformat()} has a time of day; expected a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (str, bytes)):
        text = _text(value)
        if not _MIDNIGHT_TEXT.fullmatch(text):
            raise ValueError(f"text {text!r} is not a date in the form YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(f"text {text!r} is not a valid date") from None
    raise ValueError(f"unsupported value {value!r} of type {type(value).__name__} for a date")


def _to_rate(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = _to_decimal(value)
    with localcontext() as context:
        context.prec = max(28, number.adjusted() + 8)
        rounded = number.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)
    # Rounding a tiny negative value would otherwise write -0.000000.
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _to_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return _text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"unsupported value {value!r} of type {type(value).__name__} for text")


def to_canonical(kind: ColumnKind, value: Any) -> Any:
    """Return the canonical value of a driver value: int, date, Decimal or str (None for empty)."""
    if kind is ColumnKind.TEXT:
        return _to_text(value)
    if kind is ColumnKind.RATE:
        return _to_rate(value)
    if value is None:
        raise ValueError(f"NULL in a {kind.value} column")
    if kind is ColumnKind.INTEGER:
        return _to_integer(value)
    if kind is ColumnKind.DATE:
        return _to_date(value)
    if kind is ColumnKind.BOUND:
        return _to_decimal(value)
    if kind is ColumnKind.PERIOD_TYPE:
        text = _to_text(value)
        if text not in PERIOD_TYPES:
            raise ValueError(f"period type {text!r} is not one of {', '.join(PERIOD_TYPES)}")
        return text
    raise AssertionError(f"unhandled column kind {kind}")


def format_bound(number: Decimal) -> str:
    """Write a range bound as an integer when integral, else in plain decimal form (0.5, not 5E-1)."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def format_value(kind: ColumnKind, canonical: Any) -> str:
    """Write a canonical value in its fixed text form; None is written empty."""
    if canonical is None:
        return ""
    if kind is ColumnKind.INTEGER:
        return str(canonical)
    if kind is ColumnKind.DATE:
        return canonical.isoformat()
    if kind is ColumnKind.RATE:
        return format(canonical, "f")
    if kind is ColumnKind.BOUND:
        return format_bound(canonical)
    return canonical


def to_date_or_none(value: Any) -> dt.date | None:
    """Return a nullable date column value as a date."""
    return None if value is None else _to_date(value)


def to_local_timestamp(value: Any) -> dt.datetime | None:
    """Return a local timestamp without time zone, truncated to whole seconds.

    A timestamp with a time zone is rejected, because DuckDB would convert it to the time
    zone of the machine running the export.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        text = _text(value)
        if not _TIMESTAMP_TEXT.fullmatch(text):
            raise ValueError(f"text {text!r} is not a timestamp in the form YYYY-MM-DD HH:MM:SS")
        value = dt.datetime.fromisoformat(text)
    if not isinstance(value, dt.datetime):
        raise ValueError(f"unsupported value {value!r} of type {type(value).__name__} for a timestamp")
    if value.tzinfo is not None:
        raise ValueError(
            f"timestamp {value.isoformat()} has a time zone; expected local time without one"
        )
    return value.replace(microsecond=0)
