"""Loading processed_data/ for the dashboard, and the processed_data fixture the app tests share.

The fixture is a small, hand-written export: three games (one named ``<script>alert(1)</script>``,
one with a comma), the stages started, introduction and completed, three days of July 2025, and
score ranges 0-4, 5-9 and 10-100. Its figures agree with each other as a real export's would.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import sys
from pathlib import Path

import pytest

# The dashboard's modules live in app/, which `streamlit run app/streamlit_app.py` puts on the path.
APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from dashboard_data import CSV_TABLES, data_directory, processed_data_source
from reportpages.database import open_database

REPO_ROOT = Path(__file__).resolve().parent.parent
COMMITTED_DATA_DIR = REPO_ROOT / "processed_data"
SCRIPT_GAME = "<script>alert(1)</script>"
COMMA_GAME = "Beta, the Game"

FIXTURE_FILES = {
    "conversion_funnel_total.csv": """\
stage_order,event_type,events,users,visits,instances,conversion_from_start,conversion_from_previous
1,started,7,6,7,7,1.000000,
2,introduction,4,3,4,4,0.500000,0.500000
3,completed,4,3,4,4,0.500000,1.000000
""",
    "conversion_funnel_games.csv": """\
game_name,stage_order,event_type,events,users,visits,instances,conversion_from_start,conversion_from_previous
<script>alert(1)</script>,1,started,1,1,1,1,1.000000,
<script>alert(1)</script>,2,introduction,0,0,0,0,0.000000,0.000000
<script>alert(1)</script>,3,completed,0,0,0,0,0.000000,
Alpha Quest,1,started,3,3,3,3,1.000000,
Alpha Quest,2,introduction,2,2,2,2,0.666667,0.666667
Alpha Quest,3,completed,2,2,2,2,0.666667,1.000000
"Beta, the Game",1,started,2,2,2,2,1.000000,
"Beta, the Game",2,introduction,2,2,2,2,1.000000,1.000000
"Beta, the Game",3,completed,2,2,2,2,1.000000,1.000000
""",
    "timeseries_total.csv": """\
period_type,period_start,event_type,events,users,visits,instances
day,2025-07-01,started,2,2,2,2
day,2025-07-01,introduction,1,1,1,1
day,2025-07-01,completed,1,1,1,1
day,2025-07-02,started,3,3,3,3
day,2025-07-02,introduction,3,3,3,3
day,2025-07-02,completed,0,0,0,0
day,2025-07-03,started,2,2,2,2
day,2025-07-03,introduction,0,0,0,0
day,2025-07-03,completed,3,3,3,3
week,2025-06-30,started,7,6,7,7
week,2025-06-30,introduction,4,3,4,4
week,2025-06-30,completed,4,3,4,4
month,2025-07-01,started,7,6,7,7
month,2025-07-01,introduction,4,3,4,4
month,2025-07-01,completed,4,3,4,4
""",
    "timeseries_games.csv": """\
period_type,period_start,game_name,event_type,events,users,visits,instances
day,2025-07-01,<script>alert(1)</script>,started,0,0,0,0
day,2025-07-01,<script>alert(1)</script>,introduction,0,0,0,0
day,2025-07-01,<script>alert(1)</script>,completed,0,0,0,0
day,2025-07-01,Alpha Quest,started,2,2,2,2
day,2025-07-01,Alpha Quest,introduction,1,1,1,1
day,2025-07-01,Alpha Quest,completed,1,1,1,1
day,2025-07-01,"Beta, the Game",started,0,0,0,0
day,2025-07-01,"Beta, the Game",introduction,0,0,0,0
day,2025-07-01,"Beta, the Game",completed,0,0,0,0
day,2025-07-02,<script>alert(1)</script>,started,0,0,0,0
day,2025-07-02,<script>alert(1)</script>,introduction,0,0,0,0
day,2025-07-02,<script>alert(1)</script>,completed,0,0,0,0
day,2025-07-02,Alpha Quest,started,1,1,1,1
day,2025-07-02,Alpha Quest,introduction,1,1,1,1
day,2025-07-02,Alpha Quest,completed,0,0,0,0
day,2025-07-02,"Beta, the Game",started,2,2,2,2
day,2025-07-02,"Beta, the Game",introduction,2,2,2,2
day,2025-07-02,"Beta, the Game",completed,0,0,0,0
day,2025-07-03,<script>alert(1)</script>,started,1,1,1,1
day,2025-07-03,<script>alert(1)</script>,introduction,0,0,0,0
day,2025-07-03,<script>alert(1)</script>,completed,0,0,0,0
day,2025-07-03,Alpha Quest,started,0,0,0,0
day,2025-07-03,Alpha Quest,introduction,0,0,0,0
day,2025-07-03,Alpha Quest,completed,1,1,1,1
day,2025-07-03,"Beta, the Game",started,0,0,0,0
day,2025-07-03,"Beta, the Game",introduction,0,0,0,0
day,2025-07-03,"Beta, the Game",completed,2,2,2,2
week,2025-06-30,<script>alert(1)</script>,started,1,1,1,1
week,2025-06-30,<script>alert(1)</script>,introduction,0,0,0,0
week,2025-06-30,<script>alert(1)</script>,completed,0,0,0,0
week,2025-06-30,Alpha Quest,started,3,3,3,3
week,2025-06-30,Alpha Quest,introduction,2,2,2,2
week,2025-06-30,Alpha Quest,completed,2,2,2,2
week,2025-06-30,"Beta, the Game",started,2,2,2,2
week,2025-06-30,"Beta, the Game",introduction,2,2,2,2
week,2025-06-30,"Beta, the Game",completed,2,2,2,2
month,2025-07-01,<script>alert(1)</script>,started,1,1,1,1
month,2025-07-01,<script>alert(1)</script>,introduction,0,0,0,0
month,2025-07-01,<script>alert(1)</script>,completed,0,0,0,0
month,2025-07-01,Alpha Quest,started,3,3,3,3
month,2025-07-01,Alpha Quest,introduction,2,2,2,2
month,2025-07-01,Alpha Quest,completed,2,2,2,2
month,2025-07-01,"Beta, the Game",started,2,2,2,2
month,2025-07-01,"Beta, the Game",introduction,2,2,2,2
month,2025-07-01,"Beta, the Game",completed,2,2,2,2
""",
    "repeatability_data.csv": """\
games_played,user_count,user_share,source
1,2,0.666667,matomo
2,1,0.333333,matomo
""",
    "score_distribution.csv": """\
game_name,score_range,range_start,range_end,attempts,users
<script>alert(1)</script>,0-4,0,5,0,0
<script>alert(1)</script>,5-9,5,10,0,0
<script>alert(1)</script>,10-100,10,100,0,0
Alpha Quest,0-4,0,5,1,1
Alpha Quest,5-9,5,10,0,0
Alpha Quest,10-100,10,100,0,0
"Beta, the Game",0-4,0,5,0,0
"Beta, the Game",5-9,5,10,0,0
"Beta, the Game",10-100,10,100,1,1
""",
    "data_quality.csv": """\
check_name,game_name,value
events_without_game,,1
blank_user_keys,,0
missing_scores,,1
missing_scores,<script>alert(1)</script>,0
missing_scores,Alpha Quest,0
missing_scores,"Beta, the Game",1
invalid_scores,,0
invalid_scores,<script>alert(1)</script>,0
invalid_scores,Alpha Quest,0
invalid_scores,"Beta, the Game",0
out_of_range_scores,,1
out_of_range_scores,<script>alert(1)</script>,0
out_of_range_scores,Alpha Quest,1
out_of_range_scores,"Beta, the Game",0
unmatched_actions,,2
""",
}

FIXTURE_MANIFEST = {
    "generated_at": "2025-07-04T02:00:00Z",
    "target": {"profile": "hybrid_dashboard", "target": "demo", "type": "duckdb"},
    "start_date": "2025-07-01",
    "end_date": None,
    "last_event_at": "2025-07-03T18:45:00",
}


def write_processed_data(directory: Path) -> Path:
    """Write the fixture files and a manifest.json that lists their rows and SHA-256."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, text in FIXTURE_FILES.items():
        data = text.encode("utf-8")
        (directory / name).write_bytes(data)
        files[name] = {"rows": text.count("\n") - 1, "sha256": hashlib.sha256(data).hexdigest()}
    manifest = dict(FIXTURE_MANIFEST, files=files)
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory


@pytest.fixture(params=["fixture", "committed"])
def data_dir(request, tmp_path) -> Path:
    """A processed_data folder: the hand-written fixture, and the committed export once it exists."""
    if request.param == "fixture":
        return write_processed_data(tmp_path / "processed_data")
    if not (COMMITTED_DATA_DIR / "manifest.json").is_file():
        pytest.skip("processed_data/ has no export yet")
    return COMMITTED_DATA_DIR


def read_csv_rows(directory: Path, name: str) -> list[dict[str, str]]:
    """Return the rows of a CSV file of ``directory`` as dicts of text, the way the export wrote them."""
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- tests ------------------------------------------------------------------------------


def test_fixture_loads_without_problems(tmp_path):
    source = processed_data_source(write_processed_data(tmp_path / "processed_data"))
    loaded = source.load()
    assert loaded.problems == []
    assert set(loaded.tables) == {table.name for table in CSV_TABLES} | {"manifest", "manifest_files"}


def test_columns_have_declared_types(tmp_path):
    loaded = processed_data_source(write_processed_data(tmp_path / "data")).load()
    connection = open_database(loaded.tables)
    types = dict(
        connection.execute(
            "select column_name, data_type from information_schema.columns where table_name = 'timeseries_games'"
        ).fetchall()
    )
    assert types["period_start"] == "DATE"
    assert types["events"] == "BIGINT"
    assert types["game_name"] == "VARCHAR"
    manifest_types = dict(
        connection.execute(
            "select column_name, data_type from information_schema.columns where table_name = 'manifest'"
        ).fetchall()
    )
    assert manifest_types["generated_at"] == "TIMESTAMP_S"
    assert manifest_types["start_date"] == "DATE"


def test_text_columns_stay_text_when_numeric(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    (directory / "data_quality.csv").write_text("check_name,game_name,value\nmissing_scores,007,3\n", encoding="utf-8")
    loaded = processed_data_source(directory).load()
    connection = open_database(loaded.tables)
    assert connection.execute("select game_name from data_quality").fetchall() == [("007",)]


def test_quoted_names_are_read_whole(tmp_path):
    loaded = processed_data_source(write_processed_data(tmp_path / "data")).load()
    connection = open_database(loaded.tables)
    names = [row[0] for row in connection.execute("select distinct game_name from conversion_funnel_games order by 1").fetchall()]
    assert names == [SCRIPT_GAME, "Alpha Quest", COMMA_GAME]


def test_empty_fields_are_null(tmp_path):
    loaded = processed_data_source(write_processed_data(tmp_path / "data")).load()
    connection = open_database(loaded.tables)
    rows = connection.execute(
        "select conversion_from_previous from conversion_funnel_total where stage_order = 1"
    ).fetchall()
    assert rows == [(None,)]
    assert connection.execute("select count(*) from data_quality where game_name is null").fetchone() == (6,)


def test_missing_file_is_a_problem(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    (directory / "score_distribution.csv").unlink()
    loaded = processed_data_source(directory).load()
    assert [problem.file for problem in loaded.problems] == ["score_distribution.csv"]
    assert "is missing" in loaded.problems[0].message
    assert "score_distribution" not in loaded.tables


def test_wrong_header_is_a_problem(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    (directory / "repeatability_data.csv").write_text("games,users\n1,2\n", encoding="utf-8")
    loaded = processed_data_source(directory).load()
    assert len(loaded.problems) == 1
    message = loaded.problems[0].message
    assert "has the header games,users" in message
    assert "expected games_played,user_count,user_share,source" in message


def test_bad_value_is_a_problem(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    (directory / "repeatability_data.csv").write_text(
        "games_played,user_count,user_share,source\n1,two,0.5,matomo\n", encoding="utf-8"
    )
    loaded = processed_data_source(directory).load()
    assert len(loaded.problems) == 1
    assert "cannot be read" in loaded.problems[0].message
    assert "two" in loaded.problems[0].message


def test_invalid_manifest_is_a_problem(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    (directory / "manifest.json").write_text("{not json", encoding="utf-8")
    loaded = processed_data_source(directory).load()
    assert [problem.tables for problem in loaded.problems] == [("manifest", "manifest_files")]
    assert "not valid JSON" in loaded.problems[0].message


def test_signature_changes_with_file(tmp_path):
    directory = write_processed_data(tmp_path / "data")
    source = processed_data_source(directory)
    before = source.signature()
    path = directory / "repeatability_data.csv"
    path.write_text(path.read_text(encoding="utf-8") + "3,0,0.000000,matomo\n", encoding="utf-8")
    assert source.signature() != before


def test_data_directory_default_and_variable(tmp_path):
    assert data_directory({}) == COMMITTED_DATA_DIR
    assert data_directory({"HYBRID_DATA_DIR": str(tmp_path)}) == tmp_path
    assert data_directory({"HYBRID_DATA_DIR": "elsewhere/data"}) == REPO_ROOT / "elsewhere" / "data"


def test_schema_matches_export_columns():
    outputs = pytest.importorskip("export.outputs")
    declared = {table.file: tuple(name for name, _ in table.columns) for table in CSV_TABLES}
    assert declared == dict(outputs.CSV_COLUMNS)


def test_committed_export_loads():
    if not (COMMITTED_DATA_DIR / "manifest.json").is_file():
        pytest.skip("processed_data/ has no export yet")
    loaded = processed_data_source(COMMITTED_DATA_DIR).load()
    assert loaded.problems == []


def test_app_requirements_exclude_dbt():
    lines = (REPO_ROOT / "app" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    packages = [line.split("#", 1)[0].strip().lower() for line in lines]
    assert [package for package in packages if "dbt" in package] == []


def test_app_imports_neither_dbt_nor_export():
    imported = set()
    for path in (REPO_ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert "dbt" not in imported
    assert "export" not in imported
