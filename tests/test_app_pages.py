"""Every shipped page, run through Streamlit's AppTest against a processed_data folder.

The expected figures are read from the CSV files of the folder under test, so the same tests run
against the hand-written fixture and against a committed export.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from test_app_data import COMMA_GAME, SCRIPT_GAME, data_dir, read_csv_rows, write_processed_data  # noqa: E402,F401

REPORTS_DIR = APP_DIR / "reports"
SHIPPED_PAGES = ["overview.md", "funnel.md", "timeseries.md", "repeatability.md", "scores.md", "data-quality.md"]
TIMEOUT_SECONDS = 120


def run_page(page: Path, data_directory: Path) -> AppTest:
    """Run one page file the way the navigation runs it, and return the finished AppTest."""
    script = f"""
import sys
sys.path.insert(0, {str(APP_DIR)!r})
from pathlib import Path
from dashboard_data import FIX_HINT, processed_data_source
from reportpages.streamlit_render import render_page
render_page(Path({str(page)!r}), processed_data_source(Path({str(data_directory)!r})), FIX_HINT, {f"reports/{page.name}"!r})
"""
    app = AppTest.from_string(script, default_timeout=TIMEOUT_SECONDS)
    return app.run()


def unescape(text: str) -> str:
    """Undo escape_markdown: drop the backslashes before punctuation and the word joiners."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def shown_text(app: AppTest) -> str:
    """Return the text of the markdown and metrics, without emphasis marks and escapes."""
    parts = [unescape(re.sub(r"(?<!\\)\*", "", element.value)) for element in app.markdown]
    parts += [f"{unescape(metric.label)}: {unescape(metric.value)}" for metric in app.metric]
    return "\n".join(parts)


def assert_no_problems(app: AppTest) -> None:
    assert [element.value for element in app.exception] == []
    assert [unescape(element.value) for element in app.error] == []
    assert [unescape(element.value) for element in app.warning] == []


def metric(app: AppTest, label: str) -> str:
    for element in app.metric:
        if unescape(element.label) == label:
            return unescape(element.value)
    raise AssertionError(f"no metric {label!r}; metrics: {[unescape(m.label) for m in app.metric]}")


def selectbox(app: AppTest, label: str):
    for element in app.selectbox:
        if element.label == label:
            return element
    raise AssertionError(f"no select box {label!r}")


def integer(text: str) -> str:
    return f"{int(text):,}"


def percent(text: str, decimals: int = 1) -> str:
    if text == "":
        return "-"
    value = (Decimal(text) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{value}%"


def charts(app: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in app.get("vega_lite_chart")]


def encoding(chart: dict) -> dict:
    """Return the encoding of a chart, or of its first layer (bar charts with labels are layered)."""
    return chart["encoding"] if "encoding" in chart else chart["layer"][0]["encoding"]


def chart_data(app: AppTest) -> bytes:
    """Return the Arrow bytes of every chart's data; Streamlit sends them apart from the spec."""
    return b"".join(dataset.data.data for element in app.get("vega_lite_chart") for dataset in element.proto.datasets)


def game_names(directory: Path, file: str = "conversion_funnel_games.csv") -> list[str]:
    """Return the game names of a file in the order of the dashboard's game dropdowns (by code point)."""
    return sorted({row["game_name"] for row in read_csv_rows(directory, file)})


def second_game(names: list[str]) -> str:
    return COMMA_GAME if COMMA_GAME in names else names[min(1, len(names) - 1)]


# -- shipped pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("page_name", SHIPPED_PAGES)
def test_page_runs_without_problems(page_name, data_dir):
    app = run_page(REPORTS_DIR / page_name, data_dir)
    assert_no_problems(app)
    assert app.title[0].value


def test_overview_figures(data_dir):
    app = run_page(REPORTS_DIR / "overview.md", data_dir)
    assert_no_problems(app)
    stages = sorted(read_csv_rows(data_dir, "conversion_funnel_total.csv"), key=lambda row: int(row["stage_order"]))
    first, last = stages[0], stages[-1]
    days = [
        row["period_start"]
        for row in read_csv_rows(data_dir, "timeseries_total.csv")
        if row["period_type"] == "day" and row["event_type"] == first["event_type"]
    ]
    games = game_names(data_dir)

    assert metric(app, "Users who started") == integer(first["users"])
    assert metric(app, "Users who finished") == integer(last["users"])
    assert metric(app, "Completion rate") == percent(last["conversion_from_start"])
    assert metric(app, "Games") == integer(str(len(games)))
    sentence = " ".join(shown_text(app).split())
    assert f"From {min(days)} to {max(days)}, {integer(first['users'])} users started a game" in sentence
    assert f"a completion rate of {percent(last['conversion_from_start'])}" in sentence
    assert f"The data covers {len(games)} games." in sentence
    (chart,) = charts(app)
    assert encoding(chart)["x"]["type"] == "temporal"


def test_funnel_figures_and_game_filter(data_dir):
    app = run_page(REPORTS_DIR / "funnel.md", data_dir)
    assert_no_problems(app)
    total = sorted(read_csv_rows(data_dir, "conversion_funnel_total.csv"), key=lambda row: int(row["stage_order"]))
    total_table = app.dataframe[0].value
    assert total_table["event_type"].tolist() == [row["event_type"] for row in total]
    assert total_table["users"].tolist() == [int(row["users"]) for row in total]

    # Stages are drawn in funnel order, not alphabetically.
    stage_chart = charts(app)[0]
    assert encoding(stage_chart)["x"]["sort"] == [row["event_type"] for row in total]

    games = game_names(data_dir)
    assert selectbox(app, "Game").value == games[0]
    assert_game_funnel(app, data_dir, games[0])

    chosen = second_game(games)
    selectbox(app, "Game").select(chosen).run()
    assert_no_problems(app)
    assert_game_funnel(app, data_dir, chosen)


def assert_game_funnel(app: AppTest, directory: Path, game: str) -> None:
    rows = sorted(
        (row for row in read_csv_rows(directory, "conversion_funnel_games.csv") if row["game_name"] == game),
        key=lambda row: int(row["stage_order"]),
    )
    game_table = app.dataframe[1].value
    assert game_table["users"].tolist() == [int(row["users"]) for row in rows]
    assert game_table["events"].tolist() == [int(row["events"]) for row in rows]
    sentence = " ".join(shown_text(app).split())
    assert f"In {game}, users who started: {integer(rows[0]['users'])}" in sentence
    assert f"users who reached the final stage: {integer(rows[-1]['users'])} ({percent(rows[-1]['conversion_from_start'])})" in sentence


def test_timeseries_filters(data_dir):
    app = run_page(REPORTS_DIR / "timeseries.md", data_dir)
    assert_no_problems(app)
    stages = sorted(read_csv_rows(data_dir, "conversion_funnel_total.csv"), key=lambda row: int(row["stage_order"]))
    assert selectbox(app, "Period").value == "day"
    assert selectbox(app, "Event type").value == stages[0]["event_type"]
    assert selectbox(app, "Event type").options == [row["event_type"] for row in stages]
    assert selectbox(app, "Game").value == ""
    assert selectbox(app, "Game").options[0] == "All games"

    expected = [
        row
        for row in read_csv_rows(data_dir, "timeseries_total.csv")
        if row["period_type"] == "day" and row["event_type"] == stages[0]["event_type"]
    ]
    table = app.dataframe[0].value
    assert [day.date().isoformat() for day in table["period_start"]] == [row["period_start"] for row in expected]
    assert table["users"].tolist() == [int(row["users"]) for row in expected]

    game = second_game(game_names(data_dir, "timeseries_games.csv"))
    selectbox(app, "Period").select("week").run()
    selectbox(app, "Event type").select(stages[-1]["event_type"]).run()
    selectbox(app, "Game").select(game).run()
    assert_no_problems(app)
    expected = [
        row
        for row in read_csv_rows(data_dir, "timeseries_games.csv")
        if row["period_type"] == "week" and row["event_type"] == stages[-1]["event_type"] and row["game_name"] == game
    ]
    table = app.dataframe[0].value
    assert [day.date().isoformat() for day in table["period_start"]] == [row["period_start"] for row in expected]
    assert table["events"].tolist() == [int(row["events"]) for row in expected]
    assert table["users"].tolist() == [int(row["users"]) for row in expected]
    sentence = " ".join(shown_text(app).split())
    assert f"with {integer(str(sum(int(row['events']) for row in expected)))} {stages[-1]['event_type']} events" in sentence


def test_timeseries_date_range(data_dir):
    app = run_page(REPORTS_DIR / "timeseries.md", data_dir)
    days = [
        row["period_start"]
        for row in read_csv_rows(data_dir, "timeseries_total.csv")
        if row["period_type"] == "day"
    ]
    first, last = dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))
    (picker,) = app.date_input
    assert picker.value == (first, last)
    picker.set_value((last, last)).run()
    assert_no_problems(app)
    table = app.dataframe[0].value
    assert [day.date() for day in table["period_start"]] == [last]


def test_repeatability_figures(data_dir):
    app = run_page(REPORTS_DIR / "repeatability.md", data_dir)
    assert_no_problems(app)
    rows = read_csv_rows(data_dir, "repeatability_data.csv")
    players = sum(int(row["user_count"]) for row in rows)
    repeat_players = sum(int(row["user_count"]) for row in rows if int(row["games_played"]) > 1)
    assert metric(app, "Users who played a game") == integer(str(players))
    assert metric(app, "Users who played more than one") == integer(str(repeat_players))
    table = app.dataframe[0].value
    assert table["user_count"].tolist() == [int(row["user_count"]) for row in rows]
    assert table["games_played"].tolist() == [int(row["games_played"]) for row in rows]


def test_scores_figures_and_game_filter(data_dir):
    app = run_page(REPORTS_DIR / "scores.md", data_dir)
    assert_no_problems(app)
    games = game_names(data_dir, "score_distribution.csv")
    assert selectbox(app, "Game").value == games[0]
    assert_scores(app, data_dir, games[0])
    chosen = second_game(games)
    selectbox(app, "Game").select(chosen).run()
    assert_no_problems(app)
    assert_scores(app, data_dir, chosen)


def assert_scores(app: AppTest, directory: Path, game: str) -> None:
    ranges = sorted(
        (row for row in read_csv_rows(directory, "score_distribution.csv") if row["game_name"] == game),
        key=lambda row: float(row["range_start"]),
    )
    table = app.dataframe[0].value
    assert table["score_range"].tolist() == [row["score_range"] for row in ranges]
    assert table["attempts"].tolist() == [int(row["attempts"]) for row in ranges]
    checks = {
        row["check_name"]: row["value"]
        for row in read_csv_rows(directory, "data_quality.csv")
        if row["game_name"] == game
    }
    assert metric(app, "Scores in a range") == integer(str(sum(int(row["attempts"]) for row in ranges)))
    assert metric(app, "Missing scores") == integer(checks["missing_scores"])
    assert metric(app, "Invalid payloads") == integer(checks["invalid_scores"])
    assert metric(app, "Out of range") == integer(checks["out_of_range_scores"])


def test_data_quality_figures(data_dir):
    app = run_page(REPORTS_DIR / "data-quality.md", data_dir)
    assert_no_problems(app)
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    generated = dt.datetime.fromisoformat(manifest["generated_at"]).astimezone(dt.timezone.utc)
    text = " ".join(shown_text(app).split())
    assert f"wrote these files on {generated.strftime('%Y-%m-%d %H:%M:%S')} UTC" in text
    if manifest["last_event_at"]:
        assert f"The newest event is from {manifest['last_event_at'].replace('T', ' ')}" in text
    table = app.dataframe[0].value
    listed = sorted(manifest["files"])
    assert table["file"].tolist() == listed
    assert table["rows_in_manifest"].tolist() == [manifest["files"][name]["rows"] for name in listed]
    assert table["rows_read"].tolist() == [len(read_csv_rows(data_dir, name)) for name in listed]
    assert set(table["rows_match"]) == {"yes"}
    checks = [row for row in read_csv_rows(data_dir, "data_quality.csv") if row["game_name"] == ""]
    assert app.dataframe[1].value["value"].tolist() == [int(row["value"]) for row in checks]


@pytest.mark.parametrize("page_name", SHIPPED_PAGES)
def test_page_handles_empty_export(page_name, tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    for path in directory.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["last_event_at"] = None
    for entry in manifest["files"].values():
        entry["rows"] = 0
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    app = run_page(REPORTS_DIR / page_name, directory)
    assert_no_problems(app)
    assert app.title[0].value


# -- names are text ---------------------------------------------------------------------------


def test_script_name_is_escaped_text(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    app = run_page(REPORTS_DIR / "scores.md", directory)
    assert_no_problems(app)
    assert selectbox(app, "Game").value == SCRIPT_GAME
    sentence = next(element.value for element in app.markdown if "scores" in element.value and "alert" in element.value)
    assert "<script>" not in sentence
    assert unescape(sentence).startswith(f"*{SCRIPT_GAME}* has 0 scores")
    assert SCRIPT_GAME in app.dataframe[1].value["game_name"].tolist()

    funnel = run_page(REPORTS_DIR / "funnel.md", directory)
    assert_no_problems(funnel)
    assert SCRIPT_GAME.encode("utf-8") in chart_data(funnel)


# -- errors ------------------------------------------------------------------------------------

BROKEN_PAGE = """\
---
title: Broken page
---

The text before the broken parts still shows.

<PieChart data={funnel}/>

<BarChart data={nowhere} x=event_type y=users/>

```sql broken
select event_type, users
from conversion_funnel_total
where and users > 0
```

<DataTable data={broken}/>

```sql funnel
select event_type, users from conversion_funnel_total order by stage_order
```

<BarChart data={funnel} x=event_type y=users sort=false/>

The text after them shows too.
"""


def test_broken_page_shows_three_precise_errors(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    page = tmp_path / "broken.md"
    page.write_text(BROKEN_PAGE, encoding="utf-8")
    app = run_page(page, directory)
    assert [element.value for element in app.exception] == []
    errors = [unescape(element.value) for element in app.error]
    assert len(errors) == 3
    assert errors[0].startswith("reports/broken.md, line 7: unknown component <PieChart>")
    assert errors[0].endswith("expected one of: <AreaChart>, <BarChart>, <BigValue>, <DataTable>, <DateRange>, <Dropdown>, <LineChart>, <Value>")
    assert errors[1] == (
        "reports/broken.md, line 9: <BarChart> reads query 'nowhere', which is not defined on this page; "
        "expected a ```sql nowhere block (defined queries: broken, funnel)"
    )
    assert errors[2] == "reports/broken.md, line 14: query 'broken' failed: Parser Error: syntax error at or near \"and\""
    text = shown_text(app)
    assert "The text before the broken parts still shows." in text
    assert "The text after them shows too." in text
    assert len(charts(app)) == 1


def test_page_sql_cannot_read_files(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    page = tmp_path / "leak.md"
    page.write_text("```sql leak\nselect * from read_csv('/etc/passwd')\n```\n\n<DataTable data={leak}/>\n", encoding="utf-8")
    app = run_page(page, directory)
    assert [element.value for element in app.exception] == []
    (error,) = [unescape(element.value) for element in app.error]
    assert error.startswith("reports/leak.md, line 2: query 'leak' failed: Permission Error: Cannot access file \"/etc/passwd\"")
    assert app.dataframe == []


def test_missing_file_names_file_and_fix(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    (directory / "conversion_funnel_total.csv").unlink()
    app = run_page(REPORTS_DIR / "overview.md", directory)
    assert [element.value for element in app.exception] == []
    (warning,) = [unescape(element.value) for element in app.warning]
    assert warning.startswith(f"conversion_funnel_total.csv could not be loaded: {directory / 'conversion_funnel_total.csv'} is missing.")
    assert "Run `make demo`" in warning
    assert "`python -m export`" in warning
    errors = [unescape(element.value) for element in app.error]
    assert errors
    assert all("conversion_funnel_total" in error and "is missing" in error for error in errors)
    assert app.title[0].value == "Overview"


def test_wrong_header_names_file_and_fix(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    (directory / "score_distribution.csv").write_text("game,range,count\nA,0-4,1\n", encoding="utf-8")
    app = run_page(REPORTS_DIR / "scores.md", directory)
    assert [element.value for element in app.exception] == []
    (warning,) = [unescape(element.value) for element in app.warning]
    assert "score_distribution.csv has the header game,range,count; expected game_name,score_range,range_start,range_end,attempts,users" in warning
    assert "Run `make demo`" in warning


def test_new_export_shows_on_next_run(tmp_path):
    directory = write_processed_data(tmp_path / "processed_data")
    app = run_page(REPORTS_DIR / "overview.md", directory)
    assert metric(app, "Users who started") == "6"
    path = directory / "conversion_funnel_total.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("1,started,7,6,", "1,started,1207,1206,"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    app.run()
    assert metric(app, "Users who started") == "1,206"


# -- the entry point ---------------------------------------------------------------------------


def test_entry_point_renders_first_page(tmp_path, monkeypatch):
    directory = write_processed_data(tmp_path / "processed_data")
    monkeypatch.setenv("HYBRID_DATA_DIR", str(directory))
    app = AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=TIMEOUT_SECONDS).run()
    assert_no_problems(app)
    assert app.title[0].value == "Overview"
    assert metric(app, "Users who started") == "6"


def test_navigation_order_follows_front_matter():
    from reportpages.navigation import discover_pages

    entries = discover_pages(REPORTS_DIR)
    assert [entry.path.name for entry in entries] == SHIPPED_PAGES
    assert [entry.title for entry in entries] == [
        "Overview",
        "Funnel",
        "Time series",
        "Repeatability",
        "Scores",
        "Data quality and freshness",
    ]
    assert [entry.url_path for entry in entries] == ["overview", "funnel", "timeseries", "repeatability", "scores", "data-quality"]
