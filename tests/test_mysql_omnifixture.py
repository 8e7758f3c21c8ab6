"""Matomo's own test database (tests/fixtures/matomo-omnifixture) gives the same files on all
three paths: DuckDB reading the parsed dump, MariaDB with the dump loaded by the `mariadb`
client, and DuckDB reading that MariaDB database.

The settings are those of standard Matomo event tracking: the event action is the event type,
the event category is the game, the event name is the instance, and the funnel is the Movie
media funnel of the dump.
"""

from __future__ import annotations

import pytest

import mysql_support
from harness import OUTPUT_FILES, REPO_ROOT, run_duckdb_pipeline, run_mysql_engine
from mysql_dump import load_mysql_dump

pytestmark = pytest.mark.mysql

DUMP = REPO_ROOT / "tests" / "fixtures" / "matomo-omnifixture" / "omnifixture.sql"
MOVIE_STAGES = [
    "playTrailer", "playStart", "play25%", "play50%", "play75%", "playEnd", "rating",
    "clickBuyNow", "Purchase",
]
VARIABLES = {
    "matomo_table_prefix": "",
    "start_date": "2000-01-01",
    "event_type_source": "event_action",
    "game_source": "event_category",
    "instance_key": "event_name",
    # Custom dimension 1 contains small numbers, not JSON objects, so ratings score as invalid.
    "scored_event_types": ["rating"],
    "played_event_type": "Purchase",
    "event_type_rules": [
        # `%` is a LIKE wildcard, so play25% is written play25\%.
        {"event_type": stage, "stage_order": order, "pattern": stage.replace("%", "\\%"), "priority": order}
        for order, stage in enumerate(MOVIE_STAGES, start=1)
    ],
}


@pytest.fixture(scope="module")
def omnifixture_results(tmp_path_factory):
    settings = mysql_support.require_server()
    work_dir = tmp_path_factory.mktemp("omnifixture")
    duckdb_path = work_dir / "duckdb" / "matomo.duckdb"
    duckdb_path.parent.mkdir()
    load_mysql_dump(DUMP, duckdb_path, ["log_link_visit_action", "log_visit", "log_action", "site"])
    results = {"duckdb": run_duckdb_pipeline(duckdb_path, work_dir / "duckdb", VARIABLES)}
    with mysql_support.temporary_databases(settings, "omnifixture") as (matomo_database,):
        mysql_support.load_sql_dump(DUMP, settings, matomo_database)
        for engine in ("mariadb", "duckdb_mysql"):
            results[engine] = run_mysql_engine(engine, matomo_database, work_dir / engine, VARIABLES, settings)
    return results


@pytest.mark.parametrize("engine", ["mariadb", "duckdb_mysql"])
@pytest.mark.parametrize("file_name", OUTPUT_FILES)
def test_omnifixture_files_identical(omnifixture_results, engine, file_name):
    assert omnifixture_results[engine].files[file_name] == omnifixture_results["duckdb"].files[file_name]


def test_omnifixture_movie_funnel(omnifixture_results):
    for engine, result in omnifixture_results.items():
        funnel = result.rows("conversion_funnel_total.csv")
        assert [row["event_type"] for row in funnel] == MOVIE_STAGES, engine
        assert int(funnel[0]["events"]) > 0, engine
        games = {row["game_name"] for row in result.rows("conversion_funnel_games.csv")}
        assert {"Movie", "Music"} <= games, engine
