"""Named timezones on MariaDB: a clear failure without timezone tables, local days with them.

The tests load the timezone tables into the machine's MariaDB server (mariadb-tzinfo-to-sql)
when they are missing. So the server without them is a second, throwaway MariaDB server of the
same installation. Its fresh system tables have empty timezone tables, as on a server where
mariadb-tzinfo-to-sql never ran.
"""

from __future__ import annotations

import pytest

import mysql_support
from harness import MatomoDataset, PipelineError, run_case, run_mysql_engine

pytestmark = pytest.mark.mysql

# UTC server times around the 2024 daylight saving changes in Paris (UTC+1 in winter, UTC+2
# in summer), with the local day each one falls on.
PARIS_EVENTS = [
    ("2024-03-30 22:59:59", "2024-03-30"),  # 23:59:59 CET
    ("2024-03-30 23:00:00", "2024-03-31"),  # 00:00:00 CET
    ("2024-03-31 00:59:59", "2024-03-31"),  # 01:59:59 CET, last second before the change
    ("2024-03-31 01:00:00", "2024-03-31"),  # 03:00:00 CEST
    ("2024-03-31 21:59:59", "2024-03-31"),  # 23:59:59 CEST
    ("2024-03-31 22:00:00", "2024-04-01"),  # 00:00:00 CEST
    ("2024-10-26 22:00:00", "2024-10-27"),  # 00:00:00 CEST
    ("2024-10-27 00:30:00", "2024-10-27"),  # 02:30:00 CEST
    ("2024-10-27 01:30:00", "2024-10-27"),  # 02:30:00 CET, the repeated hour
    ("2024-10-27 22:59:59", "2024-10-27"),  # 23:59:59 CET
    ("2024-10-27 23:00:00", "2024-10-28"),  # 00:00:00 CET
]


def paris_dataset() -> MatomoDataset:
    dataset = MatomoDataset()
    dataset.add_site(1, "Europe/Paris")
    for index, (server_time, _) in enumerate(PARIS_EVENTS):
        dataset.add_event(server_time, "started", visitor=f"bbbb{index:012d}")
    return dataset


def event_days(result) -> dict[str, int]:
    return {
        row["period_start"]: int(row["events"])
        for row in result.rows("timeseries_total.csv")
        if row["period_type"] == "day" and row["event_type"] == "started" and row["events"] != "0"
    }


def expected_days() -> dict[str, int]:
    days: dict[str, int] = {}
    for _, day in PARIS_EVENTS:
        days[day] = days.get(day, 0) + 1
    return days


def test_missing_timezone_tables_fail_build(tmp_path):
    mysql_support.require_server()
    dataset = paris_dataset()
    duckdb_path = dataset.write_duckdb(tmp_path / "matomo.duckdb")
    with mysql_support.scratch_server(tmp_path / "server") as settings:
        assert not mysql_support.timezone_tables_loaded(settings)
        with mysql_support.temporary_databases(settings, "matomo") as (matomo_database,):
            mysql_support.copy_duckdb_tables(duckdb_path, settings, matomo_database)
            with pytest.raises(PipelineError) as failure:
                run_mysql_engine(
                    "mariadb", matomo_database, tmp_path / "mariadb",
                    {"matomo_table_prefix": "", "start_date": "2024-01-01",
                     "event_type_source": "event_action", "game_source": "event_category"},
                    settings,
                )
    message = str(failure.value)
    assert "Timezone(s) Europe/Paris cannot be converted by this database" in message
    assert "mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql" in message
    assert "int_actions_classified" in message


@pytest.mark.parametrize("engine", ["duckdb", "mariadb", "duckdb_mysql"])
def test_named_timezone_local_days(tmp_path, engine):
    if engine != "duckdb":
        mysql_support.ensure_timezone_tables(mysql_support.require_server())
    result = run_case(paris_dataset(), tmp_path, engine=engine, start_date="2024-03-30")
    assert event_days(result) == expected_days()


def test_unknown_zone_name_fails_build_with_tables_loaded(tmp_path):
    mysql_support.ensure_timezone_tables(mysql_support.require_server())
    dataset = MatomoDataset()
    dataset.add_site(1, "Europe/Pariss")
    dataset.add_event("2024-05-01 10:00:00", "started")
    with pytest.raises(PipelineError) as failure:
        run_case(dataset, tmp_path, engine="mariadb")
    assert "Timezone(s) Europe/Pariss cannot be converted" in str(failure.value)
