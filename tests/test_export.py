"""Tests of the export against real DuckDB files that contain hand-made mart tables."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from export import (
    CSV_COLUMNS,
    ExportError,
    DuckDBTarget,
    ModelError,
    MySQLTarget,
    PrivacyError,
    ProcessorsFailedError,
    ProfileError,
    export,
    load_profile_target,
)
from export.csvfile import count_data_rows, render_csv
from export.outputs import check_output_columns
from export.values import ColumnKind, format_value, to_canonical, to_local_timestamp

REPOSITORY = Path(__file__).resolve().parents[1]
RUN_ID = "8f14e45f-ceea-467f-a0e6-2c1f0b5b0d27"
MART_TABLES = (
    "conversion_funnel_total", "conversion_funnel_games", "timeseries_total", "timeseries_games",
    "repeatability_data", "score_distribution", "data_quality", "pipeline_metadata",
)

# Column types vary on purpose (DOUBLE, DECIMAL and HUGEINT counts, TIMESTAMP and text
# dates), as drivers differ in what they return. Extra columns such as idvisitor must
# never reach the output.
MARTS_SQL = """
create table {schema}.conversion_funnel_total (
    stage_order integer, event_type varchar, events double, users decimal(38, 0),
    visits bigint, instances hugeint, conversion_from_start decimal(18, 6),
    conversion_from_previous double, idvisitor varchar
);
insert into {schema}.conversion_funnel_total values
    (3, 'questions', 0, 0, 0, 0, 0.000000, 0.0, 'v3'),
    (1, 'started', 12, 3, 4, 5, 1.000000, null, 'v1'),
    (2, 'introduction', 7, 2, 3, 2, 0.666667, 0.666667, 'v2'),
    (4, 'completed', 1, 0, 1, 1, 0.0, null, 'v4');

create table {schema}.conversion_funnel_games (
    game_name varchar, stage_order integer, event_type varchar, events bigint, users bigint,
    visits bigint, instances bigint, conversion_from_start double,
    conversion_from_previous decimal(18, 6), user_id varchar
);
insert into {schema}.conversion_funnel_games values
    ('a game', 2, 'introduction', 1, 1, 1, 1, 0.5, 0.5, 'u1'),
    ('B game', 1, 'started', 3, 3, 3, 3, 1.0, null, 'u2'),
    ('a game', 1, 'started', 2, 2, 2, 2, 1.0, null, 'u3'),
    ('B game', 2, 'introduction', 2, 2, 2, 2, 0.666667, 0.666667, 'u4'),
    ('Comma, "quoted"', 1, 'started', 1, 1, 1, 1, 1.0, null, 'u5'),
    ('<script>alert(1)</script>', 1, 'started', 0, 0, 0, 0, null, null, 'u6'),
    ('Éclair', 1, 'started', 1, 1, 1, 1, 1.0, null, 'u7');

create table {schema}.timeseries_total (
    period_type varchar, period_start timestamp, event_type varchar, stage_order integer,
    events decimal(38, 0), users bigint, visits bigint, instances bigint
);
insert into {schema}.timeseries_total values
    ('month', '2025-07-01 00:00:00', 'started', 1, 5, 3, 3, 3),
    ('day', '2025-07-02', 'started', 1, 2, 1, 1, 1),
    ('week', '2025-06-30', 'introduction', 2, 1, 1, 1, 1),
    ('day', '2025-07-01', 'introduction', 2, 0, 0, 0, 0),
    ('day', '2025-07-01', 'started', 1, 3, 2, 2, 2),
    ('week', '2025-06-30', 'started', 1, 5, 3, 3, 3);

create table {schema}.timeseries_games (
    period_type varchar, period_start varchar, game_name varchar, event_type varchar,
    stage_order integer, events bigint, users bigint, visits bigint, instances bigint
);
insert into {schema}.timeseries_games values
    ('week', '2025-06-30', 'a game', 'started', 1, 1, 1, 1, 1),
    ('day', '2025-07-01', 'B game', 'started', 1, 2, 1, 1, 1),
    ('day', '2025-07-01', 'a game', 'started', 1, 1, 1, 1, 1),
    ('day', '2025-07-01', 'B game', 'introduction', 2, 0, 0, 0, 0);

create table {schema}.repeatability_data (
    games_played bigint, user_count bigint, user_share double, source varchar
);
insert into {schema}.repeatability_data values
    (3, 1, 0.166667, 'matomo'),
    (1, 3, 0.5, 'matomo'),
    (2, 2, 0.333333, 'matomo');

create table {schema}.score_distribution (
    game_name varchar, score_range varchar, range_start double, range_end double,
    attempts bigint, users bigint
);
insert into {schema}.score_distribution values
    ('a game', '11-20', 11, 21, 0, 0),
    ('a game', '0', 0, 0.5, 2, 1),
    ('a game', '6-10', 6, 11, 1, 1),
    ('a game', '0.5', 0.5, 1, 0, 0),
    ('a game', '21-100', 21, 100, 1, 1),
    ('Line' || chr(10) || 'break', '0', 0, 0.5, 1, 1);

create table {schema}.data_quality (
    check_order integer, check_name varchar, game_name varchar, value bigint
);
insert into {schema}.data_quality values
    (3, 'missing_scores', 'a game', 1),
    (1, 'events_without_game', null, 4),
    (3, 'missing_scores', 'B game', 0),
    (3, 'missing_scores', null, 1),
    (2, 'blank_user_keys', null, 1),
    (6, 'unmatched_actions', null, 9);

create table {schema}.pipeline_metadata (
    start_date date, end_date date, last_event_at timestamp
);
insert into {schema}.pipeline_metadata values
    ('2025-07-01', null, '2025-07-02 18:45:12');
"""

EXPECTED = {
    "conversion_funnel_total.csv": (
        "stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
        "1,started,12,3,4,5,1.000000,\n"
        "2,introduction,7,2,3,2,0.666667,0.666667\n"
        "3,questions,0,0,0,0,0.000000,0.000000\n"
        "4,completed,1,0,1,1,0.000000,\n"
    ),
    "conversion_funnel_games.csv": (
        "game_name,stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
        "<script>alert(1)</script>,1,started,0,0,0,0,,\n"
        "B game,1,started,3,3,3,3,1.000000,\n"
        "B game,2,introduction,2,2,2,2,0.666667,0.666667\n"
        '"Comma, ""quoted""",1,started,1,1,1,1,1.000000,\n'
        "a game,1,started,2,2,2,2,1.000000,\n"
        "a game,2,introduction,1,1,1,1,0.500000,0.500000\n"
        "Éclair,1,started,1,1,1,1,1.000000,\n"
    ),
    "timeseries_total.csv": (
        "period_type,period_start,event_type,events,users,visits,instances\n"
        "day,2025-07-01,started,3,2,2,2\n"
        "day,2025-07-01,introduction,0,0,0,0\n"
        "day,2025-07-02,started,2,1,1,1\n"
        "week,2025-06-30,started,5,3,3,3\n"
        "week,2025-06-30,introduction,1,1,1,1\n"
        "month,2025-07-01,started,5,3,3,3\n"
    ),
    "timeseries_games.csv": (
        "period_type,period_start,game_name,event_type,events,users,visits,instances\n"
        "day,2025-07-01,B game,started,2,1,1,1\n"
        "day,2025-07-01,B game,introduction,0,0,0,0\n"
        "day,2025-07-01,a game,started,1,1,1,1\n"
        "week,2025-06-30,a game,started,1,1,1,1\n"
    ),
    "repeatability_data.csv": (
        "games_played,user_count,user_share,source\n"
        "1,3,0.500000,matomo\n"
        "2,2,0.333333,matomo\n"
        "3,1,0.166667,matomo\n"
    ),
    "score_distribution.csv": (
        "game_name,score_range,range_start,range_end,attempts,users\n"
        '"Line\nbreak",0,0,0.5,1,1\n'
        "a game,0,0,0.5,2,1\n"
        "a game,0.5,0.5,1,0,0\n"
        "a game,6-10,6,11,1,1\n"
        "a game,11-20,11,21,0,0\n"
        "a game,21-100,21,100,1,1\n"
    ),
    "data_quality.csv": (
        "check_name,game_name,value\n"
        "events_without_game,,4\n"
        "blank_user_keys,,1\n"
        "missing_scores,,1\n"
        "missing_scores,B game,0\n"
        "missing_scores,a game,1\n"
        "unmatched_actions,,9\n"
    ),
}

EXPECTED_ROWS = {
    "conversion_funnel_total.csv": 4,
    "conversion_funnel_games.csv": 7,
    "timeseries_total.csv": 6,
    "timeseries_games.csv": 4,
    "repeatability_data.csv": 3,
    "score_distribution.csv": 6,
    "data_quality.csv": 6,
}


def build_warehouse(path: Path, schema: str = "main") -> Path:
    with duckdb.connect(str(path)) as connection:
        if schema != "main":
            connection.execute(f"create schema {schema}")
        connection.execute(MARTS_SQL.format(schema=schema))
        # dbt stamps every mart with the id of the run that built it.
        for table in MART_TABLES:
            connection.execute(
                f"alter table {schema}.{table} add column dbt_invocation_id varchar default '{RUN_ID}'"
            )
    return path


def run_sql(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(sql)


def read_folder_files(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir()) if entry.is_file()}


def read_folder(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir())}


def leftover_staging_folders(parent: Path) -> list[str]:
    return sorted(entry.name for entry in parent.iterdir() if entry.name.startswith("."))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture
def settings(warehouse: Path) -> DuckDBTarget:
    return DuckDBTarget(profile="hybrid_test", target="dev", path=warehouse)


@pytest.fixture
def output(tmp_path: Path) -> Path:
    parent = tmp_path / "site"
    parent.mkdir()
    return parent / "processed_data"


# Library function: files and manifest


def test_export_writes_exact_csv_bytes(settings, output):
    export(output, settings)

    written = read_folder(output)
    assert sorted(written) == sorted([*EXPECTED, "manifest.json"])
    for file_name, text in EXPECTED.items():
        assert written[file_name].decode("utf-8") == text, file_name
        assert written[file_name] == text.encode("utf-8"), file_name


def test_export_manifest_contents(settings, output):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    manifest = export(output, settings)
    after = dt.datetime.now(dt.timezone.utc)

    text = (output / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(text) == manifest
    assert text == json.dumps(manifest, indent=2, sort_keys=True) + "\n"

    assert set(manifest) == {
        "generated_at", "target", "start_date", "end_date", "last_event_at", "dbt_invocation_id",
        "files",
    }
    assert manifest["dbt_invocation_id"] == RUN_ID
    generated_at = dt.datetime.strptime(manifest["generated_at"], "%Y-%m-%dT%H:%M:%SZ")
    generated_at = generated_at.replace(tzinfo=dt.timezone.utc)
    assert before <= generated_at <= after
    assert manifest["target"] == {"profile": "hybrid_test", "target": "dev", "type": "duckdb"}
    assert manifest["start_date"] == "2025-07-01"
    assert manifest["end_date"] is None
    assert manifest["last_event_at"] == "2025-07-02T18:45:12"

    assert sorted(manifest["files"]) == sorted(EXPECTED)
    for file_name, entry in manifest["files"].items():
        data = (output / file_name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), file_name
        assert entry["rows"] == EXPECTED_ROWS[file_name], file_name


def test_export_reads_target_schema(tmp_path, output):
    path = build_warehouse(tmp_path / "other.duckdb", schema="analytics")
    run_sql(path, "update analytics.pipeline_metadata set end_date = '2025-07-31'")
    settings = DuckDBTarget(profile="p", target="t", path=path, schema="analytics")

    manifest = export(output, settings)

    assert manifest["end_date"] == "2025-07-31"
    for file_name, text in EXPECTED.items():
        assert (output / file_name).read_bytes() == text.encode("utf-8"), file_name


def test_export_empty_marts_write_headers(settings, warehouse, output):
    run_sql(
        warehouse,
        "delete from main.timeseries_total; delete from main.timeseries_games; "
        "update main.pipeline_metadata set last_event_at = null",
    )

    manifest = export(output, settings)

    assert (output / "timeseries_total.csv").read_bytes() == (
        b"period_type,period_start,event_type,events,users,visits,instances\n"
    )
    assert manifest["files"]["timeseries_total.csv"]["rows"] == 0
    assert manifest["files"]["timeseries_games.csv"]["rows"] == 0
    assert manifest["last_event_at"] is None


def test_export_leaves_no_staging_folder(settings, output):
    export(output, settings)
    export(output, settings)

    assert leftover_staging_folders(output.parent) == []
    assert sorted(entry.name for entry in output.parent.iterdir()) == ["processed_data"]


# Failures


def test_missing_model_keeps_previous_folder(settings, warehouse, output):
    export(output, settings)
    previous = read_folder(output)
    run_sql(
        warehouse,
        "update main.conversion_funnel_total set events = 99; drop table main.score_distribution",
    )

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    message = str(caught.value)
    assert (
        f"model score_distribution not found in schema main of {warehouse}: run `dbt build` first"
        in message
    )
    assert read_folder(output) == previous
    assert leftover_staging_folders(output.parent) == []


def test_missing_column_names_model_and_column(settings, warehouse, output):
    run_sql(warehouse, "alter table main.repeatability_data drop column user_share")

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    assert "model repeatability_data" in str(caught.value)
    assert "is missing columns user_share" in str(caught.value)
    assert not output.exists()
    assert leftover_staging_folders(output.parent) == []


def test_missing_duckdb_file_is_error(tmp_path, output):
    settings = DuckDBTarget(profile="p", target="t", path=tmp_path / "absent.duckdb")

    with pytest.raises(Exception) as caught:
        export(output, settings)

    assert "absent.duckdb not found" in str(caught.value)
    assert "run `dbt build` first" in str(caught.value)
    assert not output.exists()


def test_non_integral_count_is_error(settings, warehouse, output):
    run_sql(warehouse, "update main.conversion_funnel_total set events = 12.5 where stage_order = 1")

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    message = str(caught.value)
    assert "model conversion_funnel_total" in message
    assert "column events" in message
    assert "row 2" in message
    assert "12.5" in message


def test_date_with_time_of_day_is_error(settings, warehouse, output):
    run_sql(
        warehouse,
        "update main.timeseries_total set period_start = '2025-07-02 05:30:00' "
        "where period_type = 'day' and period_start = '2025-07-02'",
    )

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    assert "model timeseries_total" in str(caught.value)
    assert "column period_start" in str(caught.value)
    assert "time of day" in str(caught.value)


def test_unknown_period_type_is_error(settings, warehouse, output):
    run_sql(warehouse, "update main.timeseries_games set period_type = 'year' where period_type = 'week'")

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    assert "column period_type" in str(caught.value)
    assert "'year'" in str(caught.value)


def test_pipeline_metadata_needs_one_row(settings, warehouse, output):
    run_sql(
        warehouse,
        f"insert into main.pipeline_metadata values ('2025-07-01', null, null, '{RUN_ID}')",
    )

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    assert "model pipeline_metadata" in str(caught.value)
    assert "has 2 rows; expected exactly one" in str(caught.value)


def test_output_path_that_is_a_file_is_error(settings, output):
    output.write_text("not a folder")

    with pytest.raises(Exception) as caught:
        export(output, settings)

    assert "is not a folder" in str(caught.value)
    assert output.read_text() == "not a folder"


# Processor subsets and --skip-errors


def test_processor_subset_keeps_other_files(settings, warehouse, output):
    export(output, settings)
    previous = read_folder(output)
    run_sql(
        warehouse,
        "update main.conversion_funnel_total set events = 13 where stage_order = 1; "
        "update main.timeseries_total set events = 99",
    )

    manifest = export(output, settings, processors=["conversion"])

    written = read_folder(output)
    assert b"1,started,13,3,4,5,1.000000,\n" in written["conversion_funnel_total.csv"]
    for file_name in EXPECTED:
        if not file_name.startswith("conversion_"):
            assert written[file_name] == previous[file_name], file_name
    assert sorted(manifest["files"]) == sorted(EXPECTED)
    for file_name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256(written[file_name]).hexdigest(), file_name
        assert entry["rows"] == EXPECTED_ROWS[file_name], file_name


def test_processor_subset_without_previous_folder(settings, output):
    manifest = export(output, settings, processors=["score", "data_quality"])

    assert sorted(read_folder(output)) == [
        "data_quality.csv", "manifest.json", "score_distribution.csv",
    ]
    assert sorted(manifest["files"]) == ["data_quality.csv", "score_distribution.csv"]


def test_unknown_processor_is_error(settings, output):
    with pytest.raises(Exception) as caught:
        export(output, settings, processors=["conversion", "funnel"])

    assert "unknown processors: funnel" in str(caught.value)
    assert not output.exists()


def test_skip_errors_keeps_failed_processor_files(settings, warehouse, output):
    export(output, settings)
    previous = read_folder(output)
    run_sql(
        warehouse,
        "update main.conversion_funnel_total set events = 13 where stage_order = 1; "
        "drop table main.timeseries_games",
    )

    with pytest.raises(ProcessorsFailedError) as caught:
        export(output, settings, skip_errors=True)

    assert list(caught.value.failures) == ["timeseries"]
    assert "model timeseries_games not found" in str(caught.value.failures["timeseries"])
    written = read_folder(output)
    assert b"1,started,13,3,4,5,1.000000,\n" in written["conversion_funnel_total.csv"]
    # Both files of the failed processor are kept, including the one it could read.
    assert written["timeseries_total.csv"] == previous["timeseries_total.csv"]
    assert written["timeseries_games.csv"] == previous["timeseries_games.csv"]
    manifest = json.loads(written["manifest.json"])
    assert manifest == caught.value.manifest
    assert sorted(manifest["files"]) == sorted(EXPECTED)
    assert leftover_staging_folders(output.parent) == []


def test_without_skip_errors_first_failure_aborts(settings, warehouse, output):
    export(output, settings)
    previous = read_folder(output)
    run_sql(
        warehouse,
        "update main.conversion_funnel_total set events = 13 where stage_order = 1; "
        "drop table main.timeseries_games",
    )

    with pytest.raises(ModelError):
        export(output, settings)

    assert read_folder(output) == previous


def test_foreign_entries_reject_export(settings, output):
    export(output, settings)
    (output / "notes.txt").write_text("mine\n")
    (output / "drafts").mkdir()
    previous = {name: data for name, data in read_folder_files(output).items()}

    with pytest.raises(ExportError) as caught:
        export(output, settings)

    assert "notes.txt" in str(caught.value)
    assert "drafts" in str(caught.value)
    assert "--output" in str(caught.value)
    assert read_folder_files(output) == previous
    assert (output / "drafts").is_dir()


def test_marts_of_another_run_rejected(settings, warehouse, output):
    export(output, settings)
    previous = read_folder(output)
    run_sql(warehouse, "update main.timeseries_total set dbt_invocation_id = 'an-older-run'")

    with pytest.raises(ModelError) as caught:
        export(output, settings)

    assert "timeseries_total" in str(caught.value)
    assert "another dbt run" in str(caught.value)
    assert read_folder(output) == previous


# Value formatting, CSV writer and privacy guard


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.666667"), "0.666667"),
        (0.666667, "0.666667"),
        (2 / 3, "0.666667"),
        (0.0078125, "0.007813"),
        (Decimal("0.0078125"), "0.007813"),
        (Decimal("0.0000005"), "0.000001"),
        (0, "0.000000"),
        (0.0, "0.000000"),
        (-0.0000001, "0.000000"),
        (1, "1.000000"),
        (Decimal("1.5"), "1.500000"),
        ("0.25", "0.250000"),
        (None, ""),
    ],
)
def test_rate_format(value, expected):
    canonical = to_canonical(ColumnKind.RATE, value)

    assert format_value(ColumnKind.RATE, canonical) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (0.5, "0.5"),
        (100.0, "100"),
        (5.0, "5"),
        (2.25, "2.25"),
        (1e-07, "0.0000001"),
        (1e20, "100000000000000000000"),
        (Decimal("5.000"), "5"),
        (Decimal("0.50"), "0.5"),
        (7, "7"),
    ],
)
def test_bound_format(value, expected):
    canonical = to_canonical(ColumnKind.BOUND, value)

    assert format_value(ColumnKind.BOUND, canonical) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, "12"),
        (12.0, "12"),
        (Decimal("12"), "12"),
        (Decimal("12.000"), "12"),
        ("12", "12"),
        (0, "0"),
    ],
)
def test_integer_format(value, expected):
    canonical = to_canonical(ColumnKind.INTEGER, value)

    assert format_value(ColumnKind.INTEGER, canonical) == expected


@pytest.mark.parametrize("value", [12.5, Decimal("0.1"), None, True, float("nan"), "1x"])
def test_integer_rejects_value(value):
    with pytest.raises(ValueError):
        to_canonical(ColumnKind.INTEGER, value)


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2025, 7, 1),
        dt.datetime(2025, 7, 1),
        "2025-07-01",
        "2025-07-01 00:00:00",
        "2025-07-01T00:00:00.000",
        b"2025-07-01",
    ],
)
def test_date_format(value):
    canonical = to_canonical(ColumnKind.DATE, value)

    assert format_value(ColumnKind.DATE, canonical) == "2025-07-01"


@pytest.mark.parametrize(
    "value", [dt.datetime(2025, 7, 1, 0, 0, 1), "2025-07-01 12:00:00", "01/07/2025", "2025-02-30", 20250701]
)
def test_date_rejects_value(value):
    with pytest.raises(ValueError):
        to_canonical(ColumnKind.DATE, value)


def test_local_timestamp_rejects_time_zone():
    aware = dt.datetime(2025, 7, 2, 18, 45, 12, tzinfo=dt.timezone.utc)

    with pytest.raises(ValueError, match="time zone"):
        to_local_timestamp(aware)
    assert to_local_timestamp("2025-07-02 18:45:12.5") == dt.datetime(2025, 7, 2, 18, 45, 12)


def test_csv_writer_quotes_minimally():
    rows = [
        ("plain", "<script>alert(1)</script>"),
        ("comma, here", 'quote " here'),
        ("line\nfeed", "carriage\rreturn"),
        ("", "single ' quote"),
    ]

    data = render_csv(("a", "b"), rows)

    assert data == (
        b"a,b\n"
        b"plain,<script>alert(1)</script>\n"
        b'"comma, here","quote "" here"\n'
        b'"line\nfeed","carriage\rreturn"\n'
        b",single ' quote\n"
    )
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed == [["a", "b"], *[list(row) for row in rows]]
    assert count_data_rows(data) == 4


def test_count_data_rows_rejects_open_quote():
    with pytest.raises(ValueError, match="not closed"):
        count_data_rows(b'a,b\n"open,1\n')


def test_privacy_guard_rejects_extra_column():
    with pytest.raises(PrivacyError, match="idvisitor"):
        check_output_columns("data_quality.csv", ("check_name", "game_name", "value", "idvisitor"))
    with pytest.raises(PrivacyError):
        check_output_columns("visitors.csv", ("games_played",))
    for file_name, columns in CSV_COLUMNS.items():
        check_output_columns(file_name, columns)


# Profiles


def write_project(folder: Path, profiles_text: str, profile: str = "hybrid_test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text(f"name: hybrid_test\nprofile: {profile}\n")
    (folder / "profiles.yml").write_text(profiles_text)
    return folder


PROFILES_WITH_ENV_VAR = """\
hybrid_test:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('HYBRID_TEST_DUCKDB') }}"
      schema: main
      threads: 1
"""


def test_profile_reads_env_var(tmp_path, warehouse):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    settings = load_profile_target(project, env={"HYBRID_TEST_DUCKDB": str(warehouse)})

    assert settings == DuckDBTarget(profile="hybrid_test", target="dev", path=warehouse)


def test_profile_missing_env_var_is_error(tmp_path):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    with pytest.raises(ProfileError) as caught:
        load_profile_target(project, env={})

    message = str(caught.value)
    assert "environment variable HYBRID_TEST_DUCKDB is not set" in message
    assert "target 'dev' of profile 'hybrid_test'" in message
    assert "key path" in message


def test_profile_env_var_default_and_relative_path(tmp_path):
    project = write_project(
        tmp_path / "project",
        "hybrid_test:\n"
        "  target: \"{{ env_var('HYBRID_TEST_TARGET', 'local') }}\"\n"
        "  outputs:\n"
        "    local:\n"
        "      type: duckdb\n"
        "      path: \"{{ env_var('HYBRID_TEST_DUCKDB', 'data/warehouse.duckdb') }}\"\n",
    )

    settings = load_profile_target(project, env={})

    assert settings.target == "local"
    assert settings.path == project / "data" / "warehouse.duckdb"
    assert settings.schema == "main"


def test_profile_dir_and_target_from_environment(tmp_path):
    profiles_dir = tmp_path / "profiles"
    profiles_dir.mkdir()
    (profiles_dir / "profiles.yml").write_text(
        "hybrid_test:\n"
        "  target: dev\n"
        "  outputs:\n"
        "    dev: {type: duckdb, path: /data/dev.duckdb}\n"
        "    prod: {type: duckdb, path: /data/prod.duckdb, schema: marts}\n"
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: x\nprofile: hybrid_test\n")

    settings = load_profile_target(
        project, env={"DBT_PROFILES_DIR": str(profiles_dir), "DBT_TARGET": "prod"}
    )

    assert settings == DuckDBTarget(
        profile="hybrid_test", target="prod", path=Path("/data/prod.duckdb"), schema="marts"
    )


def test_profile_unknown_target_lists_targets(tmp_path):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    with pytest.raises(ProfileError) as caught:
        load_profile_target(project, target="prod", env={})

    assert "target 'prod' not found" in str(caught.value)
    assert "targets there: dev" in str(caught.value)


def test_profile_unknown_profile_names_fix(tmp_path):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR, profile="other")

    with pytest.raises(ProfileError) as caught:
        load_profile_target(project, env={})

    assert "profile 'other' not found" in str(caught.value)
    assert "profiles there: hybrid_test" in str(caught.value)


def test_profile_unsupported_type_is_error(tmp_path):
    project = write_project(
        tmp_path / "project",
        "hybrid_test:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: db}\n",
    )

    with pytest.raises(ProfileError, match="has type 'postgres'"):
        load_profile_target(project, env={})


def test_profile_duckdb_without_path_is_error(tmp_path):
    project = write_project(
        tmp_path / "project",
        "hybrid_test:\n  target: dev\n  outputs:\n    dev: {type: duckdb, schema: main}\n",
    )

    with pytest.raises(ProfileError) as caught:
        load_profile_target(project, env={})

    assert "target 'dev' of profile 'hybrid_test'" in str(caught.value)
    assert "missing key 'path'" in str(caught.value)


def test_profile_mysql_settings(tmp_path):
    project = write_project(
        tmp_path / "project",
        "hybrid_test:\n"
        "  target: mysql\n"
        "  outputs:\n"
        "    mysql:\n"
        "      type: mysql\n"
        "      server: 127.0.0.1\n"
        "      user: analyst\n"
        "      password: \"{{ env_var('HYBRID_TEST_PASSWORD') }}\"\n"
        "      schema: analytics\n",
    )

    settings = load_profile_target(project, env={"HYBRID_TEST_PASSWORD": "se:cr#et\"x"})

    assert settings == MySQLTarget(
        profile="hybrid_test",
        target="mysql",
        host="127.0.0.1",
        user="analyst",
        schema="analytics",
        port=3306,
        password='se:cr#et"x',
    )
    assert "se:cr" not in repr(settings)


def test_profile_mysql_invalid_port_is_error(tmp_path):
    project = write_project(
        tmp_path / "project",
        "hybrid_test:\n  target: m\n  outputs:\n"
        "    m: {type: mysql, server: h, username: u, schema: s, port: abc}\n",
    )

    with pytest.raises(ProfileError, match="key 'port' must be an integer"):
        load_profile_target(project, env={})


def test_profile_without_dbt_project_is_error(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "profiles.yml").write_text(PROFILES_WITH_ENV_VAR)

    with pytest.raises(ProfileError, match="dbt_project.yml not found"):
        load_profile_target(folder, env={})


# Command line


def run_cli(project: Path, *arguments: str, env_extra: dict[str, str] | None = None):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBT_PROFILES_DIR", "DBT_TARGET", "HYBRID_TEST_DUCKDB")
    }
    env["PYTHONPATH"] = str(REPOSITORY)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "export", "--project-dir", str(project), *arguments],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_writes_exact_files(tmp_path, warehouse):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    result = run_cli(project, env_extra={"HYBRID_TEST_DUCKDB": str(warehouse)})

    assert result.returncode == 0, result.stderr
    output = project / "processed_data"
    for file_name, text in EXPECTED.items():
        assert (output / file_name).read_bytes() == text.encode("utf-8"), file_name
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["target"] == {"profile": "hybrid_test", "target": "dev", "type": "duckdb"}
    assert "read model conversion_funnel_total: 4 rows" in result.stderr
    assert "wrote score_distribution.csv: 6 rows" in result.stderr
    assert "export finished" in result.stderr


def test_cli_missing_env_var_fails(tmp_path):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    result = run_cli(project)

    assert result.returncode == 1
    assert "environment variable HYBRID_TEST_DUCKDB is not set" in result.stderr
    assert not (project / "processed_data").exists()


def test_cli_missing_model_keeps_folder(tmp_path, warehouse):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)
    env = {"HYBRID_TEST_DUCKDB": str(warehouse)}
    assert run_cli(project, env_extra=env).returncode == 0
    previous = read_folder(project / "processed_data")
    run_sql(warehouse, "drop table main.conversion_funnel_total")

    result = run_cli(project, env_extra=env)

    assert result.returncode == 1
    assert (
        f"model conversion_funnel_total not found in schema main of {warehouse}: "
        "run `dbt build` first" in result.stderr
    )
    assert read_folder(project / "processed_data") == previous


def test_cli_processors_and_skip_errors(tmp_path, warehouse):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)
    env = {"HYBRID_TEST_DUCKDB": str(warehouse)}
    output = tmp_path / "out"
    assert run_cli(project, "--output", str(output), env_extra=env).returncode == 0
    previous = read_folder(output)
    run_sql(
        warehouse,
        "update main.repeatability_data set user_count = 30 where games_played = 1; "
        "update main.data_quality set value = 40 where check_order = 1; "
        "drop table main.score_distribution",
    )

    result = run_cli(
        project,
        "--output", str(output),
        "--processors", "score,repeatability",
        "--skip-errors",
        env_extra=env,
    )

    assert result.returncode == 1
    assert "processor score failed" in result.stderr
    written = read_folder(output)
    assert written["repeatability_data.csv"].startswith(
        b"games_played,user_count,user_share,source\n1,30,0.500000,matomo\n"
    )
    assert written["score_distribution.csv"] == previous["score_distribution.csv"]
    assert written["data_quality.csv"] == previous["data_quality.csv"]
    manifest = json.loads(written["manifest.json"])
    assert manifest["files"]["score_distribution.csv"]["rows"] == 6


def test_cli_rejects_unknown_processor(tmp_path, warehouse):
    project = write_project(tmp_path / "project", PROFILES_WITH_ENV_VAR)

    result = run_cli(
        project, "--processors", "conversion,funnel",
        env_extra={"HYBRID_TEST_DUCKDB": str(warehouse)},
    )

    assert result.returncode == 2
    assert "unknown processors funnel" in result.stderr
    assert not (project / "processed_data").exists()
