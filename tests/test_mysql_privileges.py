"""The least-privilege grants of docs/mysql.md are enough to build and export, and no more.

The first SQL block under "Least-privilege user" in docs/mysql.md runs as written, with the
test's own database names, user and password. The pipeline then runs as that user on the
`mariadb` and `duckdb_mysql` targets.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace

import pymysql
import pytest

import mysql_support
from harness import REPO_ROOT, MatomoDataset, run_mysql_engine

pytestmark = pytest.mark.mysql

DOC = REPO_ROOT / "docs" / "mysql.md"


def documented_grants() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Least-privilege user", 1)[1]
    match = re.search(r"```sql\n(.*?)```", section, re.S)
    assert match, "docs/mysql.md has no SQL block under 'Least-privilege user'"
    return match.group(1)


def grant_statements(matomo_database: str, models_database: str, user: str, password: str) -> list[str]:
    sql = documented_grants()
    sql = sql.replace("`matomo`", f"`{matomo_database}`")
    sql = sql.replace("`hybrid_dashboard`", f"`{models_database}`")
    sql = sql.replace("'hybrid_dashboard'@'%'", f"'{user}'@'%'")
    sql = sql.replace("'change-me'", f"'{password}'")
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


def sample_dataset() -> MatomoDataset:
    dataset = MatomoDataset(prefix="matomo_")
    dataset.add_site(1, "UTC")
    dataset.add_event("2024-05-01 10:00:00", "started", category="Game A", payload='{"score": 3}')
    dataset.add_event("2024-05-01 10:05:00", "completed", category="Game A", payload='{"score": 3}')
    return dataset


@pytest.fixture()
def restricted_user(tmp_path):
    """A user made with the documented grants, on fresh Matomo and model databases."""
    admin = mysql_support.require_server()
    user = f"hd_test_user_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    duckdb_path = sample_dataset().write_duckdb(tmp_path / "matomo.duckdb")
    with mysql_support.temporary_databases(admin, "matomo") as (matomo_database,):
        models_database = mysql_support.new_database_name("models")
        mysql_support.copy_duckdb_tables(duckdb_path, admin, matomo_database, prefix="matomo_")
        connection = admin.connect(matomo_database)
        try:
            with connection.cursor() as cursor:
                # A Matomo table that the grants do not cover (on a real install it contains token hashes).
                cursor.execute("create table matomo_user (login varchar(100), token_auth varchar(255))")
                for statement in grant_statements(matomo_database, models_database, user, password):
                    cursor.execute(statement)
            yield replace(admin, user=user, password=password), matomo_database, models_database
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"drop user if exists '{user}'@'%'")
                cursor.execute(f"drop database if exists {mysql_support.quote_identifier(models_database)}")
            connection.close()


VARIABLES = {
    "matomo_table_prefix": "matomo_",
    "start_date": "2024-01-01",
    "event_type_source": "event_action",
    "game_source": "event_category",
    "event_type_rules": [
        {"event_type": "started", "stage_order": 1, "pattern": "started", "priority": 1},
        {"event_type": "completed", "stage_order": 2, "pattern": "completed", "priority": 2},
    ],
}


@pytest.mark.parametrize("engine", ["mariadb", "duckdb_mysql"])
def test_documented_grants_suffice(restricted_user, tmp_path, engine):
    settings, matomo_database, models_database = restricted_user
    result = run_mysql_engine(engine, matomo_database, tmp_path, VARIABLES, settings, models_database)
    funnel = result.rows("conversion_funnel_total.csv")
    assert [(row["event_type"], row["events"]) for row in funnel] == [("started", "1"), ("completed", "1")]


def test_documented_grants_deny_the_rest(restricted_user):
    settings, matomo_database, models_database = restricted_user
    connection = settings.connect(matomo_database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from matomo_log_link_visit_action")
            assert cursor.fetchone() == (2,)
            cursor.execute(f"create database if not exists {mysql_support.quote_identifier(models_database)}")
            denied = [
                "insert into matomo_site (idsite, name, timezone) values (9, 'x', 'UTC')",
                "delete from matomo_log_visit",
                "select * from matomo_user",
                "create table matomo_extra (id int)",
                "drop table matomo_log_action",
            ]
            for statement in denied:
                with pytest.raises(pymysql.MySQLError) as error:
                    cursor.execute(statement)
                assert error.value.args[0] in (1142, 1044), statement
    finally:
        connection.close()
