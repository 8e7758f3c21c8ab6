"""The same Matomo data gives byte-identical processed_data on DuckDB, on MariaDB, and on DuckDB
reading MariaDB.

The generator writes its dataset into DuckDB, and the loader copies it into MariaDB with
Matomo's column types. The edge dataset contains keys that MariaDB's default collation would
merge, and payloads at the edges of its JSON and number handling.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import mysql_support
from harness import (
    OUTPUT_FILES,
    REPO_ROOT,
    MatomoDataset,
    run_case,
    run_duckdb_pipeline,
    run_mysql_engine,
)

pytestmark = pytest.mark.mysql

MYSQL_ENGINES = ("mariadb", "duckdb_mysql")


@pytest.fixture(scope="module")
def server():
    settings = mysql_support.require_server()
    mysql_support.ensure_timezone_tables(settings)
    return settings


def assert_same_files(reference, other, engine: str) -> None:
    assert set(other.files) == set(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        assert other.files[name] == reference.files[name], f"{name} differs on {engine}"


@pytest.mark.parametrize("app_database_enabled", [False, True], ids=["matomo", "app_db"])
def test_generated_dataset_identical(server, tmp_path, app_database_enabled):
    generated = tmp_path / "generated.duckdb"
    subprocess.run(
        [sys.executable, "-m", "generator", "--events", "3000", "--seed", "5", "--output", str(generated)],
        cwd=REPO_ROOT, check=True, capture_output=True, timeout=300,
    )
    variables = {"matomo_table_prefix": "", "app_database_enabled": app_database_enabled}

    duckdb_copy = tmp_path / "duckdb" / "matomo.duckdb"
    duckdb_copy.parent.mkdir()
    shutil.copyfile(generated, duckdb_copy)
    reference = run_duckdb_pipeline(duckdb_copy, tmp_path / "duckdb", variables)
    assert reference.rows("conversion_funnel_total.csv")[0]["events"] != "0"

    with mysql_support.temporary_databases(server, "matomo") as (matomo_database,):
        counts = mysql_support.copy_duckdb_tables(generated, server, matomo_database)
        assert counts["log_link_visit_action"] == 3000
        for engine in MYSQL_ENGINES:
            result = run_mysql_engine(engine, matomo_database, tmp_path / engine, variables, server)
            assert_same_files(reference, result, engine)


def edge_dataset() -> MatomoDataset:
    """Keys that differ only in case, accents or trailing text, and payloads at JSON's edges."""
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_site(2, "UTC+5.5")
    payloads = [
        '{"score": 1e400}',
        '{"score": -1e400, "totalScore": 3}',
        '{"score": 1.5e308}',
        '{"score": " 5 "}',
        '{"score": "TRUE", "totalScore": 2}',
        '{"score": null, "totalScore": "7.5"}',
        '{"score": "\\x41"}',
        '{"score": 4,}',
        '{"score": NaN}',
        '{&quot;score&quot;: 6}',
        '{"jsonData": {"totalScore": 1E1}}',
        '{"gameData": [{"gameData": [{"statistics": {"correctSelections": 2}}, '
        '{"statistics": {"correctSelections": "3"}}]}]}',
        '{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": true}]}, '
        '{"userResponse": [{"isCorrect": "TRUE"}]}, {"userResponse": [{"isCorrect": "true"}]}]}',
        '{"section": "action", "jsonData": [{"userResponse": [{"isCorrect": true}]}]}',
        '{"section": "Action ", "jsonData": [{"userResponse": [{"isCorrect": true}]}]}',
        '{"options": [{"isCorrect": false}, {"isCorrect": true}], "chosenOption": 1.0}',
        '{"options": [{"isCorrect": true}], "chosenOption": 1e400}',
        '{"label": "\\u00e9t\\u00e9", "score": 0.000001}',
        '[1, 2]',
        '   ',
        'undefined',
        None,
    ]

    games = ["Zoë", "Zoe", "zoe", "Game ", "Game", "Tab\tGame", "&lt;b&gt;"]
    visitors = [
        ("aaaa000000000001", "Player1"), ("aaaa000000000002", "player1"), ("aaaa000000000003", "NuLL"),
        ("aaaa000000000004", " Player1 "), ("aaaa000000000005", None), ("AAAA000000000006", "Zoë"),
        ("aaaa000000000007", "Zoe"),
    ]
    visits = [dataset.add_visit(visitor, user_id=user_id, idsite=1 + index % 2)
              for index, (visitor, user_id) in enumerate(visitors)]

    for index, payload in enumerate(payloads):
        game = games[index % len(games)]
        visit = visits[index % len(visits)]
        site = 1 + (index % len(visits)) % 2
        dataset.add_event(f"2024-05-{1 + index % 28:02d} 20:{index % 60:02d}:00", "started",
                          category=game, name=f"play{index % 3}", visit=visit, idsite=site)
        dataset.add_event(f"2024-05-{1 + index % 28:02d} 21:{index % 60:02d}:00", "completed",
                          category=game, name=f"play{index % 3}", payload=payload, visit=visit, idsite=site)

    dataset.add_event("2024-05-02 10:00:00", "Completed", category="Zoe", visit=visits[0])
    dataset.add_event("2024-05-02 10:00:01", "started ", category="Zoe", visit=visits[1])
    dataset.add_event("2024-05-02 10:00:02", "st_rted", category="Zoe", visit=visits[2])
    # Matches st\_rted only if `_` were a wildcard.
    dataset.add_event("2024-05-02 10:00:03", "stArted", category="Zoe", visit=visits[3])
    return dataset


EDGE_VARIABLES = {
    "start_date": "2024-04-01",
    "user_identity": "user_id_then_visitor",
    "instance_key": "event_name",
    "event_type_rules": [
        {"event_type": "started", "stage_order": 1, "pattern": "started", "priority": 1},
        {"event_type": "completed", "stage_order": 2, "pattern": "completed", "priority": 2},
        {"event_type": "st_rted", "stage_order": 3, "pattern": "st\\_rted", "priority": 3},
    ],
    "score_ranges": [
        {"score_range": "0", "range_start": 0, "range_end": 1},
        {"score_range": "1-10", "range_start": 1, "range_end": 11},
        {"score_range": "big", "range_start": 11, "range_end": 1e308},
    ],
}


def test_edge_dataset_identical(server, tmp_path):
    reference = run_case(edge_dataset(), tmp_path / "duckdb", engine="duckdb", **EDGE_VARIABLES)
    games = {row["game_name"] for row in reference.rows("conversion_funnel_games.csv")}
    assert {"Zoë", "Zoe", "zoe", "Game", "Tab\tGame", "<b>"} <= games
    quality = {(row["check_name"], row["game_name"]): row["value"] for row in reference.rows("data_quality.csv")}
    assert quality[("invalid_scores", "")] != "0"
    assert quality[("unmatched_actions", "")] == "2"
    for engine in MYSQL_ENGINES:
        result = run_case(edge_dataset(), tmp_path / engine, engine=engine, **EDGE_VARIABLES)
        assert_same_files(reference, result, engine)


def test_copied_tables_keep_matomo_types(server, tmp_path):
    dataset = edge_dataset()
    duckdb_path = dataset.write_duckdb(tmp_path / "matomo.duckdb")
    with mysql_support.temporary_databases(server, "matomo") as (database,):
        mysql_support.copy_duckdb_tables(duckdb_path, server, database)
        connection = server.connect(database)
        with connection.cursor() as cursor:
            cursor.execute(
                "select table_name, column_name, column_type, collation_name from information_schema.columns "
                "where table_schema = %s", (database,)
            )
            columns = {(table, column): (column_type, collation) for table, column, column_type, collation
                       in cursor.fetchall()}
            cursor.execute("select count(*) from log_visit where user_id = 'player1'")
            (case_insensitive_matches,) = cursor.fetchone()
        connection.close()
    assert columns[("log_visit", "idvisitor")][0] == "binary(8)"
    assert columns[("log_link_visit_action", "server_time")][0] == "datetime"
    assert columns[("log_action", "name")] == ("varchar(4096)", "utf8mb4_general_ci")
    # The default collation merges Player1 and player1; the models must not.
    assert case_insensitive_matches == 2


def test_loader_rejects_short_visitor_id(server, tmp_path):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_event("2024-05-01 10:00:00", "started", visitor="aaaa000000000001")
    duckdb_path = dataset.write_duckdb(tmp_path / "matomo.duckdb")
    import duckdb

    connection = duckdb.connect(str(duckdb_path))
    connection.execute("update log_visit set idvisitor = '\\xAA'::blob")
    connection.close()
    with mysql_support.temporary_databases(server, "matomo") as (database,):
        with pytest.raises(ValueError, match="not 8 bytes"):
            mysql_support.copy_duckdb_tables(duckdb_path, server, database)


def test_harness_engines_registered():
    from harness import ENGINE_RUNNERS

    assert {"duckdb", "mariadb", "duckdb_mysql"} <= set(ENGINE_RUNNERS)
