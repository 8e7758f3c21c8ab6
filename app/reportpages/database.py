"""Load data files into Arrow tables and run page queries on a locked, in-memory DuckDB.

Each CSV file is read with the column names and DuckDB types its ``CsvTable`` declares, so a
column's type never depends on the file's content. Page SQL runs on a database that contains only
those tables, with ``enable_external_access`` off and the configuration locked: a page query
cannot read or write files (``read_csv('/etc/passwd')`` fails), load extensions or reach the
network. Only a single SELECT statement runs.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Protocol, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from .sql import CompiledQuery

logger = logging.getLogger(__name__)

QUERY_TIMEOUT_SECONDS = 30.0


class DataFileError(Exception):
    """A data file that is missing or cannot be read as declared."""

    def __init__(self, file: str, message: str):
        super().__init__(message)
        self.file = file
        self.message = message


@dataclass(frozen=True)
class CsvTable:
    """A table read from one CSV file with a header row and fixed, typed columns."""

    name: str
    file: str
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DataProblem:
    tables: tuple[str, ...]
    file: str
    message: str

    def is_read_by(self, sql: str) -> bool:
        """Return whether ``sql`` names one of the tables this problem leaves out."""
        return any(
            re.search(rf"(?<![\w.]){re.escape(table)}(?!\w)", sql, re.IGNORECASE) for table in self.tables
        )


@dataclass
class LoadedData:
    tables: dict[str, pa.Table] = field(default_factory=dict)
    problems: list[DataProblem] = field(default_factory=list)

    def problem_for(self, sql: str) -> DataProblem | None:
        """Return the problem of a table that ``sql`` names, if any."""
        return next((problem for problem in self.problems if problem.is_read_by(sql)), None)


class ExtraLoader(Protocol):
    """Loader of tables that are not plain CSV files, such as a JSON manifest."""

    files: tuple[str, ...]
    tables: tuple[str, ...]

    def load(self, directory: Path) -> dict[str, pa.Table]: ...


class DataSource:
    """The tables of one data folder: CSV files plus optional extra loaders."""

    def __init__(
        self,
        directory: Path,
        csv_tables: Sequence[CsvTable],
        extra_loaders: Sequence[ExtraLoader] = (),
    ):
        self.directory = Path(directory)
        self.csv_tables = tuple(csv_tables)
        self.extra_loaders = tuple(extra_loaders)

    @property
    def files(self) -> tuple[str, ...]:
        names = [table.file for table in self.csv_tables]
        for loader in self.extra_loaders:
            names.extend(loader.files)
        return tuple(names)

    @property
    def table_names(self) -> frozenset[str]:
        names = {table.name for table in self.csv_tables}
        for loader in self.extra_loaders:
            names.update(loader.tables)
        return frozenset(names)

    def signature(self) -> tuple:
        """Return what identifies the current files: path, modification time and size of each."""
        entries = []
        for name in self.files:
            path = self.directory / name
            try:
                stat = path.stat()
            except OSError:
                entries.append((name, None, None))
            else:
                entries.append((name, stat.st_mtime_ns, stat.st_size))
        return (str(self.directory.resolve()), tuple(entries))

    def load(self) -> LoadedData:
        """Read every file; a file that fails becomes a DataProblem, never an exception."""
        started = time.monotonic()
        loaded = LoadedData()
        for table in self.csv_tables:
            try:
                loaded.tables[table.name] = read_csv_table(self.directory, table)
            except DataFileError as error:
                logger.warning("cannot load %s: %s", error.file, error.message)
                loaded.problems.append(DataProblem((table.name,), error.file, error.message))
        for loader in self.extra_loaders:
            try:
                loaded.tables.update(loader.load(self.directory))
            except DataFileError as error:
                logger.warning("cannot load %s: %s", error.file, error.message)
                loaded.problems.append(DataProblem(tuple(loader.tables), error.file, error.message))
        logger.info(
            "loaded %d tables from %s in %.3f s (%d problems)",
            len(loaded.tables),
            self.directory,
            time.monotonic() - started,
            len(loaded.problems),
        )
        return loaded


def read_csv_table(directory: Path, table: CsvTable) -> pa.Table:
    """Read one CSV file with its declared header and column types."""
    path = directory / table.file
    if not path.is_file():
        raise DataFileError(table.file, f"{path} is missing")
    expected = [name for name, _ in table.columns]
    with path.open("rb") as handle:
        first_line = handle.readline()
    try:
        header_text = first_line.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DataFileError(table.file, f"{path} is not UTF-8 text") from None
    if not header_text:
        raise DataFileError(table.file, f"{path} is empty; expected the header {','.join(expected)}")
    header = next(csv.reader(io.StringIO(header_text)))
    if header != expected:
        raise DataFileError(
            table.file,
            f"{path} has the header {','.join(header)}; expected {','.join(expected)}",
        )
    connection = duckdb.connect(":memory:")
    try:
        result = connection.execute(
            "select * from read_csv($path, header = true, auto_detect = false, columns = $columns, "
            "delim = ',', quote = '\"', escape = '\"', nullstr = '', strict_mode = true)",
            {"path": str(path), "columns": dict(table.columns)},
        )
        return result.to_arrow_table()
    except duckdb.Error as error:
        raise DataFileError(table.file, f"{path} cannot be read: {_first_paragraph(str(error))}") from None
    finally:
        connection.close()


def _first_paragraph(message: str) -> str:
    """Keep DuckDB's statement of an error and drop its generic advice."""
    paragraph = message.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip())


def open_database(tables: Mapping[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """Create an in-memory database holding ``tables`` and lock it against any outside access."""
    connection = duckdb.connect(":memory:")
    for name, table in tables.items():
        connection.register("incoming_arrow_table", table)
        connection.execute(f'create table "{name}" as select * from incoming_arrow_table')
        connection.unregister("incoming_arrow_table")
    connection.execute("set enable_external_access = false")
    connection.execute("set lock_configuration = true")
    return connection


class QueryFailure(Exception):
    """A query that DuckDB rejected; ``sql_line`` is the 1-based line DuckDB pointed at, if any."""

    def __init__(self, message: str, sql_line: int | None = None):
        super().__init__(message)
        self.message = message
        self.sql_line = sql_line


_KINDS = (
    (re.compile(r"^DATE$"), "date"),
    (re.compile(r"^TIMESTAMP"), "timestamp"),
    (re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$"), "integer"),
    (re.compile(r"^(DOUBLE|FLOAT|DECIMAL)"), "number"),
    (re.compile(r"^BOOLEAN$"), "bool"),
    (re.compile(r"^VARCHAR$"), "text"),
)


@dataclass
class QueryResult:
    frame: pd.DataFrame
    kinds: dict[str, str]

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def column_kind(duckdb_type: str) -> str:
    for pattern, kind in _KINDS:
        if pattern.search(duckdb_type):
            return kind
    return "other"


def run_query(
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledQuery,
    timeout: float = QUERY_TIMEOUT_SECONDS,
) -> QueryResult:
    """Run one compiled SELECT statement with its parameters; raise QueryFailure on any error."""
    check_single_select(connection, compiled.sql)
    cursor = connection.cursor()
    timer = threading.Timer(timeout, cursor.interrupt)
    timer.start()
    try:
        result = cursor.execute(compiled.sql, compiled.parameters)
        kinds = {column[0]: column_kind(str(column[1])) for column in result.description}
        frame = result.df()
    except duckdb.InterruptException:
        raise QueryFailure(f"query '{compiled.name}' was stopped after {timeout:g} s") from None
    except duckdb.Error as error:
        raise _failure(error) from None
    finally:
        timer.cancel()
        cursor.close()
    for column, kind in kinds.items():
        # Sums of integers are HUGEINT, which pandas receives as float64; show them as integers.
        if kind == "integer" and frame[column].dtype.kind == "f":
            frame[column] = frame[column].astype("Int64")
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise QueryFailure(
            f"query '{compiled.name}' returns the column name {', '.join(duplicated)} more than "
            "once; give each column its own name with AS"
        )
    return QueryResult(frame=frame, kinds=kinds)


def check_single_select(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise QueryFailure unless ``sql`` is exactly one SELECT statement."""
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise _failure(error) from None
    if len(statements) != 1:
        raise QueryFailure(
            f"a query must be one SELECT statement; found {len(statements)} statements"
        )
    statement_type = statements[0].type
    if statement_type != duckdb.StatementType.SELECT:
        raise QueryFailure(
            f"a query must be a SELECT statement; found {statement_type.name}, and page queries "
            "only read data"
        )


def _failure(error: duckdb.Error) -> QueryFailure:
    message = str(error).strip()
    sql_line = None
    match = re.search(r"^LINE (\d+):", message, re.MULTILINE)
    if match:
        sql_line = int(match.group(1))
        message = message[: match.start()].rstrip()
    if isinstance(error, duckdb.PermissionException):
        message += " (page queries can read only the loaded tables)"
    return QueryFailure(" ".join(line.strip() for line in message.splitlines() if line.strip()), sql_line)
