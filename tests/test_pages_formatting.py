"""Value formats, markdown escaping of data text, and the Altair charts built from query results."""

from __future__ import annotations

import datetime as dt
import string
import sys
from pathlib import Path

import pandas as pd
import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reportpages.charts import ChartError, build_chart  # noqa: E402
from reportpages.database import QueryResult  # noqa: E402
from reportpages.formatting import (  # noqa: E402
    check_format,
    column_title,
    d3_number_format,
    d3_time_format,
    escape_markdown,
    format_value,
    moment_format,
    parse_number_format,
    printf_format,
)


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234567, None, "1,234,567"),
        (1234.5, None, "1,234.5"),
        (0.666667, None, "0.6667"),
        (3.0, None, "3"),
        (0.666667, "pct1", "66.7%"),
        (0.0078125, "pct2", "0.78%"),
        (0.125, "pct0", "13%"),
        (1.0, "pct", "100.0%"),
        (0.0, "pct1", "0.0%"),
        (-0.0004, "pct1", "0.0%"),
        (2.5, "num0", "3"),
        (-2.5, "num0", "-3"),
        (11.23168, "num2", "11.23"),
        (64201, "num1k", "64.2k"),
        (42539483, "num0m", "43M"),
        (921594675, "id", "921594675"),
        (5.32, "mult1", "5.3x"),
        (7043.123, "#,##0.0", "7,043.1"),
        (0.731, "0.0%", "73.1%"),
        (64301.12, '#,##0,"k"', "64k"),
        (12, '0 "games"', "12 games"),
        (None, "pct1", "-"),
        (float("nan"), None, "-"),
        ("<b>text</b>", "num0", "<b>text</b>"),
    ],
)
def test_number_formats(value, fmt, expected):
    assert format_value(value, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (None, "2025-07-01"),
        ("longdate", "July 1, 2025"),
        ("mmm", "Jul"),
        ("yyyy-mm-dd", "2025-07-01"),
        ("d/m/yy", "1/7/25"),
        ("fulldate", "Tuesday July 1, 2025"),
    ],
)
def test_date_formats(fmt, expected):
    assert format_value(dt.date(2025, 7, 1), fmt, "date") == expected


def test_pandas_dates_and_timestamps():
    assert format_value(pd.Timestamp("2025-07-01"), None, "date") == "2025-07-01"
    assert format_value(pd.Timestamp("2025-07-03 18:45:00"), None, "timestamp") == "2025-07-03 18:45:00"
    assert format_value(pd.NaT, None, "date") == "-"


def test_check_format_rejects_unknown():
    assert check_format("pct1") is None
    assert check_format("#,##0.00") is None
    assert check_format("usd0").startswith("unsupported format 'usd0'")


def test_vega_formats():
    assert d3_number_format("pct1") == ",.1%"
    assert d3_number_format("num0") == ",.0f"
    assert d3_number_format("num1k") == "~s"
    assert d3_number_format("id") == ".0f"
    assert d3_number_format(None) is None
    assert d3_time_format("yyyy-mm-dd") == "%Y-%m-%d"
    assert d3_time_format("m/d") == "%-m/%-d"
    assert d3_time_format("pct1") is None


def test_table_formats():
    assert printf_format(parse_number_format("pct1")) == "%,.1f%%"
    assert printf_format(parse_number_format("#,##0")) == "%,.0f"
    assert moment_format("longdate") == "MMMM D, YYYY"


def test_column_titles():
    assert column_title("conversion_from_start") == "Conversion From Start"
    assert column_title("game_id") == "Game ID"
    assert column_title("users") == "Users"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "---> x <---",
        "*bold* _it_ `code`",
        "$x^2$ :smile: :red[red]",
        "# heading",
        "[link](javascript:alert(1))",
        "1. item",
        "a\\b",
    ],
)
def test_escape_markdown_leaves_no_bare_markup(text):
    escaped = escape_markdown(text)
    unescaped = []
    index = 0
    while index < len(escaped):
        char = escaped[index]
        if char == "\\":
            assert escaped[index + 1] in string.punctuation, (text, escaped)
            unescaped.append(escaped[index + 1])
            index += 2
            continue
        assert char not in string.punctuation, (text, escaped, index)
        unescaped.append(char)
        index += 1
    assert "".join(unescaped).replace("\u2060", "") == text


def test_escape_markdown_flattens_lines_and_links():
    assert escape_markdown("a\n# b") == "a \\# b"
    assert "\u2060" in escape_markdown("see www.example.com")
    assert "\u2060" in escape_markdown("http://example.com")
    assert "\u2060" in escape_markdown("someone@example.com")


# -- charts ---------------------------------------------------------------------------------


def result(frame: pd.DataFrame, kinds: dict[str, str]) -> QueryResult:
    return QueryResult(frame=frame, kinds=kinds)


def funnel_result() -> QueryResult:
    frame = pd.DataFrame(
        {"stage_order": [1, 2, 3], "event_type": ["started", "introduction", "completed"], "users": [6, 3, 3]}
    )
    return result(frame, {"stage_order": "integer", "event_type": "text", "users": "integer"})


def test_bar_chart_keeps_query_order_without_sort():
    spec = build_chart("BarChart", {"x": "event_type", "y": ["users"], "sort": False}, funnel_result(), "funnel").to_dict()
    assert spec["encoding"]["x"]["sort"] == ["started", "introduction", "completed"]
    assert spec["encoding"]["x"]["axis"]["title"] == "Event Type"
    assert spec["encoding"]["y"]["axis"]["title"] == "Users"
    assert [tooltip["title"] for tooltip in spec["encoding"]["tooltip"]] == ["Event Type", "Users"]


def test_bar_chart_sorts_categories_by_value():
    spec = build_chart("BarChart", {"x": "event_type", "y": ["users"]}, funnel_result(), "funnel").to_dict()
    assert spec["encoding"]["x"]["sort"] == {"field": "value", "op": "sum", "order": "descending"}


def test_line_chart_has_temporal_axis_with_day_ticks():
    frame = pd.DataFrame({"day": pd.to_datetime(["2025-07-01", "2025-07-02"]), "users": [2, 3]})
    settings = {"x": "day", "y": ["users"], "xAxisTitle": "Day", "yAxisTitle": "Users"}
    spec = build_chart("LineChart", settings, result(frame, {"day": "date", "users": "integer"}), "q").to_dict()
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert spec["encoding"]["x"]["axis"]["format"] == "%Y-%m-%d"
    assert spec["encoding"]["x"]["axis"]["values"] == [{"date": 1, "month": 7, "year": 2025}, {"date": 2, "month": 7, "year": 2025}]
    assert spec["encoding"]["x"]["axis"]["title"] == "Day"
    assert spec["encoding"]["tooltip"][0]["format"] == "%Y-%m-%d"


def test_several_y_columns_become_series():
    frame = pd.DataFrame({"day": pd.to_datetime(["2025-07-01"]), "users": [2], "events": [5]})
    chart = build_chart("LineChart", {"x": "day", "y": ["users", "events"]}, result(frame, {"day": "date", "users": "integer", "events": "integer"}), "q")
    spec = chart.to_dict()
    assert spec["encoding"]["color"]["sort"] == ["Users", "Events"]
    assert sorted(chart.data["value"].tolist()) == [2, 5]


def test_series_names_stay_text():
    frame = pd.DataFrame({"range": ["0-4", "0-4"], "game_name": ["<script>alert(1)</script>", "Beta, the Game"], "attempts": [1, 2]})
    chart = build_chart("BarChart", {"x": "range", "y": ["attempts"], "series": "game_name"}, result(frame, {"range": "text", "game_name": "text", "attempts": "integer"}), "q")
    assert chart.data["series"].tolist() == ["<script>alert(1)</script>", "Beta, the Game"]
    assert chart.to_dict()["encoding"]["color"]["title"] == "Game Name"


def test_missing_column_is_a_chart_error():
    with pytest.raises(ChartError, match="column 'userz' is not in the result of query 'funnel'; its columns are: stage_order, event_type, users"):
        build_chart("BarChart", {"x": "event_type", "y": ["userz"]}, funnel_result(), "funnel")


def test_text_y_column_is_a_chart_error():
    with pytest.raises(ChartError, match="y column 'event_type' of query 'funnel' contains text values; expected numbers"):
        build_chart("BarChart", {"x": "stage_order", "y": ["event_type"]}, funnel_result(), "funnel")


def test_percent_axis_and_horizontal_bars():
    frame = pd.DataFrame({"game_name": ["A", "B"], "rate": [0.5, 1.0]})
    spec = build_chart("BarChart", {"x": "game_name", "y": ["rate"], "yFmt": "pct0", "swapXY": True}, result(frame, {"game_name": "text", "rate": "number"}), "q").to_dict()
    assert spec["encoding"]["y"]["field"] == "x"
    assert spec["encoding"]["x"]["axis"]["format"] == ",.0%"


def test_many_dates_get_every_nth_tick():
    days = pd.date_range("2025-07-01", periods=60, freq="D")
    frame = pd.DataFrame({"day": days, "users": range(60)})
    spec = build_chart("LineChart", {"x": "day", "y": ["users"]}, result(frame, {"day": "date", "users": "integer"}), "q").to_dict()
    ticks = spec["encoding"]["x"]["axis"]["values"]
    assert len(ticks) == 12
    assert ticks[0] == {"date": 1, "month": 7, "year": 2025}
    assert ticks[1] == {"date": 6, "month": 7, "year": 2025}


def test_stacked_area_and_grouped_bars():
    frame = pd.DataFrame({"week": ["w1", "w1", "w2", "w2"], "game": ["A", "B", "A", "B"], "users": [1, 2, 3, 4]})
    kinds = {"week": "text", "game": "text", "users": "integer"}
    area = build_chart("AreaChart", {"x": "week", "y": ["users"], "series": "game", "type": "stacked100"}, result(frame, kinds), "q").to_dict()
    assert area["encoding"]["y"]["stack"] == "normalize"
    assert area["encoding"]["y"]["axis"]["format"] == ".0%"
    assert area["encoding"]["order"]["field"] == "series_rank"
    bars = build_chart("BarChart", {"x": "week", "y": ["users"], "series": "game", "type": "grouped"}, result(frame, kinds), "q").to_dict()
    assert bars["encoding"]["xOffset"]["field"] == "series"
    assert bars["encoding"]["y"]["stack"] is None


def test_all_zero_values_get_a_visible_axis():
    frame = pd.DataFrame({"range": ["0-4", "5-9"], "attempts": [0, 0]})
    spec = build_chart("BarChart", {"x": "range", "y": ["attempts"], "sort": False}, result(frame, {"range": "text", "attempts": "integer"}), "q").to_dict()
    assert spec["encoding"]["y"]["scale"] == {"domainMax": 1}


def test_chart_title_and_bounds():
    settings = {"x": "event_type", "y": ["users"], "title": "Users", "subtitle": "All games", "yMin": 0, "yMax": 10, "chartAreaHeight": 200}
    spec = build_chart("BarChart", settings, funnel_result(), "funnel").to_dict()
    assert spec["title"] == {"text": "Users", "subtitle": "All games", "anchor": "start"}
    assert spec["encoding"]["y"]["scale"] == {"domainMin": 0, "domainMax": 10}
    assert spec["height"] == 200
