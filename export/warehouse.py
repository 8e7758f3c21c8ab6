"""Read-only access to the dbt marts in DuckDB or MySQL/MariaDB."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from .errors import ExportError, ModelError
from .profiles import ConnectionSettings, DuckDBTarget, MySQLTarget

logger = logging.getLogger(__name__)

MYSQL_CONNECT_TIMEOUT_SECONDS = 10


class Warehouse:
    """A read-only connection that reads selected columns of a model in the target's schema."""

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.location = f"schema {settings.schema} of {settings.describe()}"

    def close(self) -> None:
        raise NotImplementedError

    def _query(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        raise NotImplementedError

    def _quote(self, identifier: str) -> str:
        raise NotImplementedError

    def _columns_sql(self) -> str:
        raise NotImplementedError

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def read_model(self, model: str, columns: Sequence[str]) -> list[tuple]:
        """Return the rows of ``columns`` of ``model``, in the database's order.

        Raises ModelError when the model or one of the columns does not exist.
        """
        started = time.monotonic()
        column_rows = self._run(self._columns_sql(), [self.settings.schema, model], model)
        present = {
            name.decode("utf-8") if isinstance(name, bytes) else name for (name,) in column_rows
        }
        if not present:
            raise ModelError(
                f"model {model} not found in {self.location}: run `dbt build` first"
            )
        missing = [name for name in columns if name not in present]
        if missing:
            raise ModelError(
                f"model {model} in {self.location} is missing columns {', '.join(missing)}: "
                "run `dbt build` to rebuild it with the current models"
            )
        select_list = ", ".join(self._quote(name) for name in columns)
        table = f"{self._quote(self.settings.schema)}.{self._quote(model)}"
        rows = self._run(f"select {select_list} from {table}", [], model)
        logger.info(
            "read model %s: %d rows in %.2f s", model, len(rows), time.monotonic() - started
        )
        return rows

    def _run(self, sql: str, parameters: Sequence[Any], model: str) -> list[tuple]:
        logger.debug("query: %s %s", sql, list(parameters))
        try:
            return self._query(sql, parameters)
        except ExportError:
            raise
        except Exception as error:  # each driver has its own exception hierarchy
            raise ModelError(
                f"reading model {model} from {self.location} failed: {error}"
            ) from error


class DuckDBWarehouse(Warehouse):
    def __init__(self, settings: DuckDBTarget):
        super().__init__(settings)
        import duckdb

        if not settings.path.is_file():
            raise ExportError(
                f"DuckDB file {settings.path} not found (profile {settings.profile}, target "
                f"{settings.target}, key path): run `dbt build` first, or fix the path"
            )
        try:
            self._connection = duckdb.connect(str(settings.path), read_only=True)
        except duckdb.Error as error:
            raise ExportError(
                f"could not open DuckDB file {settings.path} read-only: {error}. "
                "Wait until no other process writes to it and run the export again"
            ) from error

    def close(self) -> None:
        self._connection.close()

    def _query(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        return self._connection.execute(sql, list(parameters)).fetchall()

    def _quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def _columns_sql(self) -> str:
        return (
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?"
        )


class MySQLWarehouse(Warehouse):
    """A MySQL/MariaDB connection that reads every model in one read-only transaction.

    InnoDB's consistent snapshot then gives all files the same state of the marts even
    when `dbt build` runs at the same time.
    """

    # NOTE: the tests in tests/test_export.py cover DuckDB only; this class has not been
    # run against a MySQL or MariaDB server there.

    def __init__(self, settings: MySQLTarget):
        super().__init__(settings)
        import pymysql

        try:
            self._connection = pymysql.connect(
                host=settings.host,
                port=settings.port,
                user=settings.user,
                password=settings.password,
                database=settings.schema,
                charset="utf8mb4",
                connect_timeout=MYSQL_CONNECT_TIMEOUT_SECONDS,
            )
        except pymysql.MySQLError as error:
            raise ExportError(
                f"could not connect to {settings.describe()} (profile {settings.profile}, "
                f"target {settings.target}): {error}. Check server, port, username, password "
                "and schema in profiles.yml"
            ) from error
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("start transaction read only")
        except pymysql.MySQLError as error:
            self._connection.close()
            raise ExportError(
                f"could not start a read-only transaction on {settings.describe()}: {error}"
            ) from error

    def close(self) -> None:
        import pymysql

        for step in (self._connection.rollback, self._connection.close):
            try:
                step()
            except pymysql.MySQLError as error:
                logger.debug("closing %s failed: %s", self.settings.describe(), error)

    def _query(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, tuple(parameters) if parameters else None)
            return list(cursor.fetchall())

    def _quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def _columns_sql(self) -> str:
        return (
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s"
        )


def open_warehouse(settings: ConnectionSettings) -> Warehouse:
    """Open a read-only connection to the target; raises ExportError when that fails."""
    if isinstance(settings, DuckDBTarget):
        return DuckDBWarehouse(settings)
    if isinstance(settings, MySQLTarget):
        return MySQLWarehouse(settings)
    raise ExportError(f"unsupported connection settings {type(settings).__name__}")
