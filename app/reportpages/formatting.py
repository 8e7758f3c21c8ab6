"""Value formats (Evidence's built-in names and a subset of Excel-style codes) and text escaping.

Numbers are rounded half away from zero on their shortest decimal form, so 0.0078125 shown
with four decimals reads 0.0078 and 0.125 as pct1 reads 12.5%.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MISSING_TEXT = "-"

_SCALES = {"": (0, ""), "k": (3, "k"), "m": (6, "M"), "b": (9, "B")}


@dataclass(frozen=True)
class NumberFormat:
    decimals: int
    thousands: bool = True
    percent: bool = False
    scale: int = 0  # power of ten the value is divided by
    prefix: str = ""
    suffix: str = ""
    scientific: bool = False


def _builtin_number_formats() -> dict[str, NumberFormat]:
    formats: dict[str, NumberFormat] = {}
    for decimals in range(5):
        formats[f"num{decimals}"] = NumberFormat(decimals)
    for decimals in range(3):
        for letter, (power, suffix) in _SCALES.items():
            if letter:
                formats[f"num{decimals}{letter}"] = NumberFormat(decimals, scale=power, suffix=suffix)
        formats[f"mult{decimals}"] = NumberFormat(decimals, suffix="x")
    for decimals in range(4):
        formats[f"pct{decimals}"] = NumberFormat(decimals, percent=True)
    formats["pct"] = NumberFormat(1, percent=True)
    formats["mult"] = NumberFormat(1, suffix="x")
    formats["id"] = NumberFormat(0, thousands=False)
    formats["sci"] = NumberFormat(2, thousands=False, scientific=True)
    return formats


BUILTIN_NUMBER_FORMATS = _builtin_number_formats()

BUILTIN_DATE_FORMATS = {
    "ddd": "ddd",
    "dddd": "dddd",
    "mmm": "mmm",
    "mmmm": "mmmm",
    "yyyy": "yyyy",
    "shortdate": "mmm d/yy",
    "longdate": "mmmm d, yyyy",
    "fulldate": "dddd mmmm d, yyyy",
    "mdy": "m/d/yy",
    "dmy": "d/m/yy",
    "date": "yyyy-mm-dd",
}

_EXCEL_NUMBER = re.compile(
    r'(?P<prefix>(?:"[^"]*"|[$€£¥₹])*)'
    r"(?P<integer>[#0,]*0|#)"
    r"(?:\.(?P<decimals>0+|#+))?"
    r"(?P<scale>,*)"
    r"(?P<percent>%?)"
    r'(?P<suffix>(?:"[^"]*"|[ x])*)'
)
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d")
_DATE_CODE = re.compile(r"(?:yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|[ /.,:-])+")

_STRFTIME = {
    "yyyy": "%Y",
    "yy": "%y",
    "mmmm": "%B",
    "mmm": "%b",
    "mm": "%m",
    "dddd": "%A",
    "ddd": "%a",
    "dd": "%d",
}

SUPPORTED_FORMATS_TEXT = (
    "num0-num4, num0k-num2k, num0m-num2m, num0b-num2b, pct, pct0-pct3, mult, mult0-mult2, id, "
    "sci, date, ddd, dddd, mmm, mmmm, yyyy, shortdate, longdate, fulldate, mdy, dmy, an Excel-style "
    "number code such as #,##0.0 or 0.0% or a date code such as yyyy-mm-dd"
)


def check_format(fmt: str) -> str | None:
    """Return why ``fmt`` is not a supported format, or None when it is."""
    if parse_number_format(fmt) is not None or date_pattern(fmt) is not None:
        return None
    return f"unsupported format {fmt!r}; expected {SUPPORTED_FORMATS_TEXT}"


def is_date_format(fmt: str | None) -> bool:
    return fmt is not None and parse_number_format(fmt) is None and date_pattern(fmt) is not None


def parse_number_format(fmt: str) -> NumberFormat | None:
    """Return the number format that ``fmt`` names or writes, or None when it is not one."""
    builtin = BUILTIN_NUMBER_FORMATS.get(fmt.lower())
    if builtin is not None:
        return builtin
    match = _EXCEL_NUMBER.fullmatch(fmt.strip())
    if match is None:
        return None
    decimals = match.group("decimals") or ""
    return NumberFormat(
        decimals=len(decimals),
        thousands="," in match.group("integer"),
        percent=bool(match.group("percent")),
        scale=3 * len(match.group("scale")),
        prefix=match.group("prefix").replace('"', ""),
        suffix=match.group("suffix").replace('"', ""),
    )


def date_pattern(fmt: str) -> str | None:
    """Return the Excel-style date code that ``fmt`` names or writes, or None."""
    code = BUILTIN_DATE_FORMATS.get(fmt.lower(), fmt)
    if _DATE_CODE.fullmatch(code) and _DATE_TOKEN.search(code):
        return code
    return None


def format_value(value: object, fmt: str | None = None, kind: str | None = None) -> str:
    """Format one value from a query result as display text.

    ``kind`` is the column's kind: ``date``, ``timestamp``, ``integer``, ``number``, ``text`` or
    ``bool``. Without ``fmt``, dates read YYYY-MM-DD and integers get thousands separators. Other
    numbers get up to two decimals, or four significant digits below 1.
    """
    if _is_missing(value):
        return MISSING_TEXT
    if fmt:
        number_format = parse_number_format(fmt)
        if number_format is not None and _is_number(value):
            return _format_number(value, number_format)
        date_code = date_pattern(fmt)
        if date_code is not None and isinstance(value, (dt.date, dt.datetime)):
            return _format_date(value, date_code)
    return _format_default(value, kind)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas NaT and NA compare unequal to themselves and have no usable value.
    return type(value).__name__ in ("NaTType", "NAType")


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    # numpy scalars such as int64 are not Python ints.
    return getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u", "f")


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) or getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u"):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def _format_number(value: object, number_format: NumberFormat) -> str:
    try:
        number = _to_decimal(value)
    except (InvalidOperation, ValueError, OverflowError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number_format.scientific:
        return f"{float(number):.{number_format.decimals}E}"
    if number_format.percent:
        number = number * 100
    if number_format.scale:
        number = number.scaleb(-number_format.scale)
    quantum = Decimal(1).scaleb(-number_format.decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    separator = "," if number_format.thousands else ""
    text = f"{rounded:{separator}.{number_format.decimals}f}"
    return f"{number_format.prefix}{text}{'%' if number_format.percent else ''}{number_format.suffix}"


def _format_date(value: dt.date, code: str) -> str:
    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "m":
            return str(value.month)
        if token == "d":
            return str(value.day)
        return value.strftime(_STRFTIME[token])

    return _DATE_TOKEN.sub(replace, code)


def _format_default(value: object, kind: str | None) -> str:
    if isinstance(value, dt.datetime):
        if kind == "date" or (kind is None and value.time() == dt.time(0)):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        number = _to_decimal(value)
        if not number.is_finite():
            return str(value)
        if number == number.to_integral_value():
            return _format_number(number, NumberFormat(0))
        if abs(number) >= 1:
            text = _format_number(number, NumberFormat(2))
            return text.rstrip("0").rstrip(".") if "." in text else text
        return f"{float(number):.4g}"
    return str(value)


def d3_number_format(fmt: str | None) -> str | None:
    """Return the d3-format string Vega-Lite uses for ``fmt``, or None to keep Vega's default.

    Scaled formats (k, M, B) become SI prefixes (``~s``), so billions read G. Formats with other
    text around the number get Vega's default, because d3-format cannot add text.
    """
    if not fmt:
        return None
    number_format = parse_number_format(fmt)
    if number_format is None:
        return None
    if number_format.scientific:
        return f".{number_format.decimals}e"
    if number_format.scale:
        return "~s"
    if number_format.prefix.strip("$") or number_format.suffix:
        return None
    currency = "$" if number_format.prefix == "$" else ""
    separator = "," if number_format.thousands else ""
    kind = "%" if number_format.percent else "f"
    return f"{currency}{separator}.{number_format.decimals}{kind}"


def d3_time_format(fmt: str | None) -> str | None:
    """Return the d3-time-format string for a date format, or None when ``fmt`` is not one."""
    if not fmt or not is_date_format(fmt):
        return None
    code = date_pattern(fmt)
    tokens = {**_STRFTIME, "m": "%-m", "d": "%-d"}
    return _DATE_TOKEN.sub(lambda match: tokens[match.group(0)], code)


_ACRONYMS = {"id": "ID", "url": "URL", "utc": "UTC", "sha256": "SHA-256", "csv": "CSV"}


def column_title(column: str) -> str:
    """Turn a column name such as ``conversion_from_start`` into ``Conversion From Start``."""
    words = [word for word in re.split(r"[_\s]+", column) if word]
    if not words:
        return column
    return " ".join(_ACRONYMS.get(word.lower(), word[:1].upper() + word[1:]) for word in words)


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM turns www.example.com, http://... and e-mail addresses into links even when every
# punctuation mark is escaped; a word joiner (U+2060) after their first character stops it.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)|@")


def escape_markdown(text: str) -> str:
    """Escape data text so that Streamlit's markdown shows it literally.

    Every ASCII punctuation mark gets a backslash, which CommonMark renders as the plain mark.
    So ``*``, ``<script>``, ``$x$`` (LaTeX) and ``:smile:`` (emoji shortcodes) stay text. Line
    breaks become spaces, so a value cannot start a heading or a list.
    """
    flat = re.sub(r"[\r\n\t\v\f]+", " ", str(text))
    flat = _AUTOLINK.sub(lambda match: match.group(0)[0] + "\u2060" + match.group(0)[1:], flat)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)


def printf_format(number_format: NumberFormat) -> str:
    """Return the printf-style format of Streamlit's NumberColumn for ``number_format``.

    The caller multiplies percentages by 100 and divides scaled formats (k, M, B) first.
    """

    def literal(text: str) -> str:
        return text.replace("%", "%%")

    separator = "," if number_format.thousands else ""
    percent = "%%" if number_format.percent else ""
    body = f"%{separator}.{number_format.decimals}f"
    return f"{literal(number_format.prefix)}{body}{percent}{literal(number_format.suffix)}"


_MOMENT = {
    "yyyy": "YYYY",
    "yy": "YY",
    "mmmm": "MMMM",
    "mmm": "MMM",
    "mm": "MM",
    "m": "M",
    "dddd": "dddd",
    "ddd": "ddd",
    "dd": "DD",
    "d": "D",
}


def moment_format(fmt: str | None) -> str | None:
    """Return the Moment.js pattern (used by Streamlit's date columns) of a date format."""
    code = date_pattern(fmt) if fmt else None
    if code is None:
        return None
    return _DATE_TOKEN.sub(lambda match: _MOMENT[match.group(0)], code)
