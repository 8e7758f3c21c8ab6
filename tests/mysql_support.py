"""MariaDB helpers of the tests: server access, Matomo's tables, and the two MySQL pipelines.

The loader copies the Matomo and app database tables of a DuckDB file, as the generator and
`harness.MatomoDataset` write them, into a MariaDB database with Matomo's own column types.
Visitor ids are `binary(8)`, server times `datetime`, and tables `utf8mb4` with the collation
`utf8mb4_general_ci` (case- and accent-insensitive), with Matomo's primary keys and indexes.
Columns stay nullable, because the DuckDB test rows leave some out.

The pipelines run as a user runs them: `dbt build` with the `mariadb` target of
profiles.yml.example in .venv-mysql (dbt-mysql), or with the `duckdb_mysql` target in this
environment (DuckDB attached to MariaDB), then `python -m export`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pymysql
import pytest

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
MYSQL_VENV_DBT = REPO_ROOT / ".venv-mysql" / "bin" / "dbt"
MAIN_VENV_DBT = Path(sys.executable).parent / "dbt"

# Databases the tests create start with this prefix, so they never collide with others.
TEST_DATABASE_PREFIX = "hd_test_"
INSERT_BATCH_ROWS = 5000

TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci ROW_FORMAT=DYNAMIC"

# Matomo's column types, as in the CREATE TABLE statements of Matomo's own test dump
# (tests/fixtures/matomo-omnifixture), for the columns that the test data sets. The app
# database tables get the types of the games app's columns.
COLUMN_TYPES: dict[str, dict[str, str]] = {
    "log_link_visit_action": {
        "idlink_va": "bigint(10) unsigned",
        "idsite": "int(10) unsigned",
        "idvisitor": "binary(8)",
        "idvisit": "bigint(10) unsigned",
        "server_time": "datetime",
        "idaction_name": "int(10) unsigned",
        "idaction_event_category": "int(10) unsigned",
        "idaction_event_action": "int(10) unsigned",
        "custom_dimension_1": "varchar(255)",
        "custom_dimension_2": "varchar(255)",
        "custom_dimension_3": "varchar(255)",
        "custom_dimension_4": "varchar(255)",
        "custom_dimension_5": "varchar(255)",
    },
    "log_visit": {
        "idvisit": "bigint(10) unsigned",
        "idsite": "int(10) unsigned",
        "idvisitor": "binary(8)",
        "user_id": "varchar(200)",
        "visit_first_action_time": "datetime",
        "visit_last_action_time": "datetime",
    },
    "log_action": {
        "idaction": "int(10) unsigned",
        "name": "varchar(4096)",
        "hash": "int(10) unsigned",
        "type": "tinyint(3) unsigned",
    },
    "site": {
        "idsite": "int(10) unsigned",
        "name": "varchar(90)",
        "timezone": "varchar(50)",
    },
    "hybrid_games": {
        "id": "int(10) unsigned",
        "game_name": "varchar(255)",
        "game_code": "varchar(255)",
    },
    "hybrid_games_links": {
        "id": "int(10) unsigned",
        "hybrid_game_id": "int(10) unsigned",
        "activity_id": "varchar(255)",
        "hybrid_profile_id": "bigint(20) unsigned",
    },
    "hybrid_game_completions": {
        "id": "bigint(20) unsigned",
        "hybrid_game_link_id": "int(10) unsigned",
        "created_at": "datetime",
    },
}

# Matomo's keys, as (columns of the primary key, [(index name, columns), ...]).
TABLE_KEYS: dict[str, tuple[tuple[str, ...], list[tuple[str, tuple[str, ...]]]]] = {
    "log_link_visit_action": (
        ("idlink_va",),
        [("index_idvisit", ("idvisit",)), ("index_idsite_servertime", ("idsite", "server_time"))],
    ),
    "log_visit": (
        ("idvisit",),
        [("index_idsite_idvisitor_time", ("idsite", "idvisitor", "visit_last_action_time"))],
    ),
    "log_action": (("idaction",), [("index_type_hash", ("type", "hash"))]),
    "site": (("idsite",), []),
    "hybrid_games": (("id",), []),
    "hybrid_games_links": (("id",), []),
    "hybrid_game_completions": (("id",), []),
}
MATOMO_TABLES = ("log_link_visit_action", "log_visit", "log_action", "site")


@dataclass(frozen=True)
class ServerSettings:
    """Where the tests reach MariaDB: the MATOMO_MYSQL_* variables, else a local root login."""

    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_environment(cls) -> "ServerSettings":
        return cls(
            host=os.environ.get("MATOMO_MYSQL_HOST", "127.0.0.1"),
            port=int(os.environ.get("MATOMO_MYSQL_PORT", "3306")),
            user=os.environ.get("MATOMO_MYSQL_USER", "root"),
            password=os.environ.get("MATOMO_MYSQL_PASSWORD", ""),
        )

    def connect(self, database: str | None = None, **options) -> pymysql.connections.Connection:
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=5,
            **options,
        )

    def environment(self) -> dict[str, str]:
        """The MATOMO_MYSQL_* variables that profiles.yml.example reads."""
        return {
            "MATOMO_MYSQL_HOST": self.host,
            "MATOMO_MYSQL_PORT": str(self.port),
            "MATOMO_MYSQL_USER": self.user,
            "MATOMO_MYSQL_PASSWORD": self.password,
        }


def server_problem(settings: ServerSettings | None = None) -> str | None:
    """Return why the MariaDB tests cannot run here, or None when they can."""
    settings = settings or ServerSettings.from_environment()
    try:
        connection = settings.connect()
    except pymysql.MySQLError as error:
        return f"MariaDB server at {settings.host}:{settings.port} not reachable as {settings.user}: {error}"
    connection.close()
    if not MYSQL_VENV_DBT.exists():
        return (
            f"dbt-mysql not installed: {MYSQL_VENV_DBT} is missing "
            "(python3 -m venv .venv-mysql && .venv-mysql/bin/pip install -r requirements-mysql.txt)"
        )
    return None


def require_server() -> ServerSettings:
    """Return the server settings, or skip the test (fail it when CI=true) when it cannot run."""
    problem = server_problem()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem}; CI runs the MariaDB tests, so this is a failure")
        pytest.skip(problem)
    return ServerSettings.from_environment()


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def new_database_name(label: str) -> str:
    return f"{TEST_DATABASE_PREFIX}{label}_{uuid.uuid4().hex[:10]}"


@contextmanager
def temporary_databases(settings: ServerSettings, *labels: str) -> Iterator[list[str]]:
    """Create one empty database per label and drop them all afterwards."""
    names = [new_database_name(label) for label in labels]
    connection = settings.connect()
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"create database {quote_identifier(name)}")
        yield names
    finally:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"drop database if exists {quote_identifier(name)}")
        connection.close()


def create_table_sql(table: str, stored_name: str, columns: Sequence[str]) -> str:
    """Return Matomo's CREATE TABLE for `columns` of `table`, named `stored_name`."""
    types = COLUMN_TYPES[table]
    unknown = [column for column in columns if column not in types]
    if unknown:
        raise ValueError(f"no MySQL type known for columns {unknown} of table {table}")
    primary_key, indexes = TABLE_KEYS[table]
    definitions = [f"{quote_identifier(column)} {types[column]}" for column in columns]
    definitions.append(f"PRIMARY KEY ({', '.join(map(quote_identifier, primary_key))})")
    for index_name, index_columns in indexes:
        if all(column in columns for column in index_columns):
            definitions.append(
                f"KEY {quote_identifier(index_name)} ({', '.join(map(quote_identifier, index_columns))})"
            )
    body = ",\n    ".join(definitions)
    return f"CREATE TABLE {quote_identifier(stored_name)} (\n    {body}\n) {TABLE_OPTIONS}"


def copy_duckdb_tables(
    duckdb_path: Path, settings: ServerSettings, database: str, prefix: str = ""
) -> dict[str, int]:
    """Copy the Matomo and app tables of a DuckDB file (schema main) into `database`.

    Matomo tables keep their `prefix`; app tables never have one. Returns row counts by
    stored table name. A visitor id that is not 8 bytes raises ValueError, because
    `binary(8)` would pad it and change its hex text.
    """
    source = duckdb.connect(str(duckdb_path), read_only=True)
    counts: dict[str, int] = {}
    try:
        present = {name for (name,) in source.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}
        target = settings.connect(database)
        try:
            for table in COLUMN_TYPES:
                stored_name = prefix + table if table in MATOMO_TABLES else table
                if stored_name not in present:
                    continue
                counts[stored_name] = _copy_table(source, target, table, stored_name)
        finally:
            target.close()
    finally:
        source.close()
    logger.info("copied %s from %s into MariaDB database %s", counts, duckdb_path, database)
    return counts


def _copy_table(source, target, table: str, stored_name: str) -> int:
    result = source.execute(f'select * from main."{stored_name}"')
    columns = [description[0] for description in result.description]
    with target.cursor() as cursor:
        cursor.execute(create_table_sql(table, stored_name, columns))
        column_list = ", ".join(map(quote_identifier, columns))
        placeholders = ", ".join(["%s"] * len(columns))
        insert = f"INSERT INTO {quote_identifier(stored_name)} ({column_list}) VALUES ({placeholders})"
        visitor_positions = [i for i, column in enumerate(columns) if column == "idvisitor"]
        total = 0
        while True:
            rows = result.fetchmany(INSERT_BATCH_ROWS)
            if not rows:
                break
            for row in rows:
                for position in visitor_positions:
                    if row[position] is not None and len(row[position]) != 8:
                        raise ValueError(
                            f"invalid idvisitor {bytes(row[position]).hex()} in {stored_name}: it is not 8 bytes, "
                            "and binary(8) would pad it"
                        )
            cursor.executemany(insert, rows)
            total += len(rows)
    return total


def load_sql_dump(dump_path: Path, settings: ServerSettings, database: str) -> None:
    """Load a mysqldump file into `database` with the `mariadb` client, as a user would."""
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        raise RuntimeError("neither the mariadb nor the mysql client is installed")
    command = [
        client, f"--host={settings.host}", f"--port={settings.port}", f"--user={settings.user}",
        "--default-character-set=utf8mb4", database,
    ]
    environment = dict(os.environ, MYSQL_PWD=settings.password)
    with dump_path.open("rb") as dump:
        completed = subprocess.run(command, stdin=dump, env=environment, capture_output=True, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError(f"loading {dump_path} failed: {completed.stderr.decode(errors='replace')}")


def timezone_tables_loaded(settings: ServerSettings) -> bool:
    """True when the server's timezone tables know Europe/Paris."""
    connection = settings.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("select convert_tz('2024-07-01 12:00:00', '+00:00', 'Europe/Paris')")
            (converted,) = cursor.fetchone()
    finally:
        connection.close()
    return converted is not None


def load_timezone_tables(settings: ServerSettings) -> None:
    """Load /usr/share/zoneinfo into the server's `mysql` database (mariadb-tzinfo-to-sql)."""
    converter = shutil.which("mariadb-tzinfo-to-sql") or shutil.which("mysql_tzinfo_to_sql")
    client = shutil.which("mariadb") or shutil.which("mysql")
    if converter is None or client is None:
        raise RuntimeError("mariadb-tzinfo-to-sql or the mariadb client is not installed")
    statements = subprocess.run(
        [converter, "/usr/share/zoneinfo"], capture_output=True, check=True, timeout=300
    ).stdout
    environment = dict(os.environ, MYSQL_PWD=settings.password)
    subprocess.run(
        [client, f"--host={settings.host}", f"--port={settings.port}", f"--user={settings.user}", "mysql"],
        input=statements, env=environment, capture_output=True, check=True, timeout=300,
    )


def ensure_timezone_tables(settings: ServerSettings) -> None:
    """Load the server's timezone tables unless they are there already."""
    if not timezone_tables_loaded(settings):
        logger.info("loading timezone tables into MariaDB at %s:%s", settings.host, settings.port)
        load_timezone_tables(settings)


def duckdb_mysql_extension_file() -> Path:
    """The MySQL extension of the duckdb-extension-mysql package for this DuckDB version."""
    import duckdb_extension_mysql

    package_dir = Path(duckdb_extension_mysql.__file__).parent
    return package_dir / "extensions" / f"v{duckdb.__version__}" / "mysql.duckdb_extension"


def install_duckdb_mysql_extension() -> None:
    """Install the packaged MySQL extension into DuckDB's extension folder (once per machine).

    INSTALL from the file stores it under its own name, mysql_scanner, which DuckDB then
    loads by itself when a profile attaches a database of type mysql.
    """
    connection = duckdb.connect()
    try:
        connection.install_extension(str(duckdb_mysql_extension_file()))
    finally:
        connection.close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def scratch_server(work_dir: Path, startup_seconds: float = 60) -> Iterator[ServerSettings]:
    """Run a throwaway MariaDB server of this machine's installation on a free loopback port.

    Its system tables are fresh from mariadb-install-db, so its timezone tables are empty,
    as on a server where mariadb-tzinfo-to-sql never ran. It runs without grant tables
    (any user, no password) and is stopped and removed on exit.
    """
    import time

    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    server = shutil.which("mariadbd", path=os.environ.get("PATH", "") + ":/usr/sbin") or shutil.which(
        "mysqld", path=os.environ.get("PATH", "") + ":/usr/sbin"
    )
    if install is None or server is None:
        pytest.skip("mariadb-install-db or mariadbd is not installed")
    data_dir = work_dir / "data"
    port = _free_port()
    subprocess.run(
        [install, "--no-defaults", f"--datadir={data_dir}", "--user=root", "--skip-test-db",
         "--auth-root-authentication-method=normal"],
        check=True, capture_output=True, timeout=120,
    )
    log_file = (work_dir / "mariadbd.log").open("wb")
    process = subprocess.Popen(
        [server, "--no-defaults", f"--datadir={data_dir}", f"--socket={work_dir / 'mariadbd.sock'}",
         f"--pid-file={work_dir / 'mariadbd.pid'}", f"--port={port}", "--bind-address=127.0.0.1",
         "--user=root", "--skip-grant-tables", "--innodb-buffer-pool-size=64M", "--skip-log-bin"],
        stdout=log_file, stderr=subprocess.STDOUT,
    )
    settings = ServerSettings(host="127.0.0.1", port=port, user="root", password="")
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                settings.connect().close()
                break
            except pymysql.MySQLError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"scratch MariaDB server did not start within {startup_seconds} s; its log: "
                        f"{(work_dir / 'mariadbd.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield settings
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        shutil.rmtree(data_dir, ignore_errors=True)
