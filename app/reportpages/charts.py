"""Build Altair (Vega-Lite) charts for LineChart, AreaChart and BarChart components.

The plotted rows get fixed field names (``x``, ``value``, ``series``), so any column name can be
plotted, even one with dots or colons that Vega-Lite would read as a path. Axis titles, legends
and tooltips show the formatted column names instead.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from .database import QueryResult
from .formatting import column_title, d3_number_format, d3_time_format

NUMERIC_KINDS = ("integer", "number")
TEMPORAL_KINDS = ("date", "timestamp")
X_FIELD = "x"
VALUE_FIELD = "value"
SERIES_FIELD = "series"
RANK_FIELD = "series_rank"
DEFAULT_TOOLTIP_FORMAT = ",.6~f"
MAX_DATE_TICKS = 14
LEGEND_COLUMNS = 4
BAR_ROW_PIXELS = 22
# Category labels longer than this in total are turned 45 degrees so they do not overlap.
MAX_FLAT_LABEL_CHARACTERS = 120


class ChartError(ValueError):
    """A chart whose settings do not fit the query result."""


def build_chart(component: str, settings: dict[str, Any], result: QueryResult, query_name: str) -> alt.TopLevelMixin:
    """Return the Altair chart of a chart component for one query result.

    Raise ChartError when a named column is missing or contains the wrong kind of values.
    """
    x = settings["x"]
    y_columns = list(settings["y"])
    series = settings.get("series")
    _require_columns(result, [x, *y_columns] + ([series] if series else []), query_name)
    for column in y_columns:
        if result.kinds[column] not in NUMERIC_KINDS:
            raise ChartError(
                f"y column '{column}' of query '{query_name}' contains {result.kinds[column]} values; "
                "expected numbers"
            )
    if series and len(y_columns) > 1:
        raise ChartError("give either series= or several y columns, not both")

    frame, series_title = _plot_frame(result.frame, x, y_columns, series)
    has_series = series_title is not None
    x_kind = result.kinds[x]
    swap = component == "BarChart" and settings.get("swapXY", False)

    x_shorthand, x_options = _category_axis(component, settings, frame, x, x_kind)
    integer_values = all(result.kinds[column] == "integer" for column in y_columns)
    all_zero = not frame[VALUE_FIELD].fillna(0).astype("float64").abs().gt(0).any()
    y_shorthand, y_options = _value_axis(component, settings, y_columns, integer_values, all_zero)
    encodings: dict[str, Any] = {"tooltip": _tooltip(settings, x, x_kind, y_columns, series_title)}
    if swap:
        x_options["axis"] = alt.Axis(title=x_options["axis"].title, labelLimit=240, labelOverlap=False)
        encodings["y"] = alt.Y(x_shorthand, **x_options)
        encodings["x"] = alt.X(y_shorthand, **y_options)
    else:
        encodings["x"] = alt.X(x_shorthand, **x_options)
        encodings["y"] = alt.Y(y_shorthand, **y_options)

    if has_series:
        order = list(dict.fromkeys(frame[SERIES_FIELD].tolist()))
        legend = None
        if settings.get("legend", True):
            legend = alt.Legend(orient="bottom", columns=min(len(order), LEGEND_COLUMNS), labelLimit=220)
        encodings["color"] = alt.Color(f"{SERIES_FIELD}:N", sort=order, title=series_title, legend=legend)
        if component == "BarChart" and settings.get("type") == "grouped":
            offset = alt.YOffset if swap else alt.XOffset
            encodings["yOffset" if swap else "xOffset"] = offset(f"{SERIES_FIELD}:N", sort=order)
        if component in ("AreaChart", "BarChart"):
            # Stack the series in the order they first appear in the query result.
            ranks = {name: rank for rank, name in enumerate(order)}
            frame[RANK_FIELD] = frame[SERIES_FIELD].map(ranks)
            encodings["order"] = alt.Order(f"{RANK_FIELD}:Q", sort="ascending")

    base = alt.Chart(frame)
    if component == "LineChart":
        chart = base.mark_line(point=bool(settings.get("markers"))).encode(**encodings)
    elif component == "AreaChart":
        chart = base.mark_area(opacity=0.85, line=True).encode(**encodings)
    else:
        chart = base.mark_bar().encode(**encodings)
        if settings.get("labels"):
            chart = chart + _bar_labels(base, encodings, settings, swap)

    height = int(settings.get("chartAreaHeight", 300))
    if swap:
        # Horizontal bars need room for one label per category.
        height = max(height, BAR_ROW_PIXELS * frame[X_FIELD].nunique())
    properties: dict[str, Any] = {"height": height}
    title = _title(settings)
    if title is not None:
        properties["title"] = title
    return chart.properties(**properties)


def _require_columns(result: QueryResult, columns: list[str], query_name: str) -> None:
    for column in columns:
        if column not in result.kinds:
            raise ChartError(
                f"column '{column}' is not in the result of query '{query_name}'; its columns "
                "are: " + ", ".join(result.columns)
            )


def _plot_frame(frame: pd.DataFrame, x: str, y_columns: list[str], series: str | None):
    """Return the rows to plot under fixed field names, and the series title (None: one series)."""
    if len(y_columns) == 1:
        plot = pd.DataFrame({X_FIELD: frame[x].to_numpy(), VALUE_FIELD: frame[y_columns[0]].to_numpy()})
        if not series:
            return plot, None
        plot[SERIES_FIELD] = frame[series].astype("string").fillna("(empty)").to_numpy()
        return plot, column_title(series)
    parts = []
    for column in y_columns:
        parts.append(
            pd.DataFrame(
                {
                    X_FIELD: frame[x].to_numpy(),
                    VALUE_FIELD: frame[column].to_numpy(),
                    SERIES_FIELD: column_title(column),
                }
            )
        )
    return pd.concat(parts, ignore_index=True), "Series"


def _defined(value: Any) -> Any:
    """Return ``value``, or Altair's Undefined for None (Vega-Lite rejects null formats)."""
    return alt.Undefined if value is None else value


def _axis_title(setting: Any, default: str) -> str | None:
    if setting is True or setting is None:
        return default
    if setting is False:
        return None
    return str(setting)


def _category_axis(component, settings, frame, x, x_kind) -> tuple[str, dict[str, Any]]:
    """Return the shorthand and options of the x column's axis (vertical when swapXY is set)."""
    title = _axis_title(settings.get("xAxisTitle", True), column_title(x))
    sort_rows = settings.get("sort", True)
    if x_kind in TEMPORAL_KINDS:
        default_format = "%Y-%m-%d" if x_kind == "date" else None
        time_format = d3_time_format(settings.get("xFmt")) or default_format
        if component == "BarChart":
            # One bar per date: an ordinal axis keeps bars wide for weekly and monthly periods.
            axis = alt.Axis(
                title=title, format=time_format or "%Y-%m-%d", formatType="time", labelAngle=-45, labelOverlap=True
            )
            return f"{X_FIELD}:O", {"timeUnit": "yearmonthdate", "axis": axis, "sort": "ascending" if sort_rows else None}
        axis = alt.Axis(title=title, format=_defined(time_format), labelOverlap=True, **_date_ticks(frame, x_kind))
        return f"{X_FIELD}:T", {"axis": axis}
    if x_kind in NUMERIC_KINDS and component != "BarChart":
        axis = alt.Axis(title=title, format=_defined(d3_number_format(settings.get("xFmt"))))
        return f"{X_FIELD}:Q", {"axis": axis}

    # Categories: text, and numbers on a bar chart.
    values = list(dict.fromkeys(frame[X_FIELD].tolist()))
    if not sort_rows:
        sort: Any = values
    elif x_kind in NUMERIC_KINDS:
        sort = "ascending"
    elif component == "BarChart":
        sort = alt.EncodingSortField(field=VALUE_FIELD, op="sum", order="descending")
    else:
        sort = values
    label_characters = sum(len(str(value)) + 2 for value in values)
    axis = alt.Axis(title=title, labelAngle=0 if label_characters <= MAX_FLAT_LABEL_CHARACTERS else -45, labelLimit=180)
    return f"{X_FIELD}:{'O' if x_kind in NUMERIC_KINDS else 'N'}", {"sort": sort, "axis": axis}


def _date_ticks(frame: pd.DataFrame, x_kind: str) -> dict[str, Any]:
    """Return axis tick values on the dates of the data: all of them, or every n-th one.

    Vega-Lite's default ticks fall every few hours on short ranges, so the same date label
    repeats, and on a calendar grid that misses weekly and monthly period starts. Ticks are
    local-time DateTime objects, as the dates in the data are.
    """
    if x_kind != "date":
        return {}
    dates = pd.to_datetime(pd.Series(frame[X_FIELD])).dropna().drop_duplicates().sort_values()
    if dates.empty:
        return {}
    step = math.ceil(len(dates) / MAX_DATE_TICKS)
    return {"values": [alt.DateTime(year=day.year, month=day.month, date=day.day) for day in dates.iloc[::step]]}


def _value_axis(component, settings, y_columns, integer_values: bool, all_zero: bool) -> tuple[str, dict[str, Any]]:
    """Return the shorthand and options of the value axis (horizontal when swapXY is set)."""
    default_title = ", ".join(column_title(column) for column in y_columns)
    title = _axis_title(settings.get("yAxisTitle", True), default_title)
    number_format = d3_number_format(settings.get("yFmt"))
    stack: Any = None
    if component in ("AreaChart", "BarChart"):
        stack_type = settings.get("type", "stacked")
        stack = {"stacked": "zero", "stacked100": "normalize", "grouped": None}[stack_type]
        if stack_type == "stacked100":
            number_format = ".0%"
    # Counts get whole-number ticks only (no 2.5 users).
    tick_step = 1 if integer_values and not number_format else alt.Undefined
    axis = alt.Axis(title=title, format=_defined(number_format), tickMinStep=tick_step)
    options: dict[str, Any] = {"axis": axis, "stack": stack}
    scale = {}
    if settings.get("yMin") is not None:
        scale["domainMin"] = settings["yMin"]
    if settings.get("yMax") is not None:
        scale["domainMax"] = settings["yMax"]
    elif all_zero:
        # An all-zero axis would have the empty domain [0, 0] and unreadable tick labels.
        scale["domainMax"] = 1
    if scale:
        options["scale"] = alt.Scale(**scale)
    return f"{VALUE_FIELD}:Q", options


def _tooltip(settings, x, x_kind, y_columns, series_title) -> list[alt.Tooltip]:
    if x_kind in TEMPORAL_KINDS:
        default_format = "%Y-%m-%d" if x_kind == "date" else "%Y-%m-%d %H:%M"
        time_format = d3_time_format(settings.get("xFmt")) or default_format
        tooltip = [alt.Tooltip(f"{X_FIELD}:T", title=column_title(x), format=time_format)]
    elif x_kind in NUMERIC_KINDS:
        number_format = d3_number_format(settings.get("xFmt")) or DEFAULT_TOOLTIP_FORMAT
        tooltip = [alt.Tooltip(f"{X_FIELD}:Q", title=column_title(x), format=number_format)]
    else:
        tooltip = [alt.Tooltip(f"{X_FIELD}:N", title=column_title(x))]
    if series_title is not None:
        tooltip.append(alt.Tooltip(f"{SERIES_FIELD}:N", title=series_title))
    value_title = column_title(y_columns[0]) if len(y_columns) == 1 else "Value"
    number_format = d3_number_format(settings.get("yFmt")) or DEFAULT_TOOLTIP_FORMAT
    tooltip.append(alt.Tooltip(f"{VALUE_FIELD}:Q", title=value_title, format=number_format))
    return tooltip


def _bar_labels(base, encodings, settings, swap):
    number_format = d3_number_format(settings.get("yFmt")) or DEFAULT_TOOLTIP_FORMAT
    label_encodings = {key: value for key, value in encodings.items() if key not in ("color", "tooltip")}
    label_encodings["text"] = alt.Text(f"{VALUE_FIELD}:Q", format=number_format)
    if swap:
        mark = base.mark_text(align="left", dx=3, baseline="middle")
    else:
        mark = base.mark_text(baseline="bottom", dy=-3)
    return mark.encode(**label_encodings)


def _title(settings) -> alt.TitleParams | None:
    title = settings.get("title")
    subtitle = settings.get("subtitle")
    if not title and not subtitle:
        return None
    options: dict[str, Any] = {"text": title or "", "anchor": "start"}
    if subtitle:
        options["subtitle"] = subtitle
    return alt.TitleParams(**options)
