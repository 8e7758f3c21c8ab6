"""Load the tables of a mysqldump file into DuckDB without a MySQL server.

DuckDB cannot run a MySQL dump: it has `_binary '...'` literals, backslash escapes and MySQL
column types. This loader reads the `CREATE TABLE` column lists and the extended `INSERT`
statements of the named tables, maps each MySQL type to a DuckDB type, and inserts the rows.
It understands the output of mysqldump 5.7 and later, which is all the tests feed it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow

_CREATE_TABLE = re.compile(rb"CREATE TABLE `([^`]+)` \((.*?)\n\)[^;]*;", re.S)
_COLUMN = re.compile(rb"^\s*`([^`]+)` (\w+)", re.M)
_INSERT = re.compile(rb"INSERT INTO `([^`]+)` VALUES ")
_ESCAPES = {
    ord("0"): b"\x00", ord("'"): b"'", ord('"'): b'"', ord("b"): b"\x08", ord("n"): b"\n",
    ord("r"): b"\r", ord("t"): b"\t", ord("Z"): b"\x1a", ord("\\"): b"\\", ord("%"): b"\\%",
    ord("_"): b"\\_",
}


_ARROW_TYPES = {
    "BIGINT": pyarrow.int64(),
    "DOUBLE": pyarrow.float64(),
    "TIMESTAMP": pyarrow.string(),
    "DATE": pyarrow.string(),
    "BLOB": pyarrow.binary(),
    "VARCHAR": pyarrow.string(),
}


def _duckdb_type(mysql_type: str) -> str:
    mysql_type = mysql_type.lower()
    if mysql_type in {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}:
        return "BIGINT"
    if mysql_type in {"float", "double", "decimal"}:
        return "DOUBLE"
    if mysql_type in {"datetime", "timestamp"}:
        return "TIMESTAMP"
    if mysql_type == "date":
        return "DATE"
    if mysql_type in {"binary", "varbinary", "blob", "tinyblob", "mediumblob", "longblob"}:
        return "BLOB"
    return "VARCHAR"


def _parse_values(data: bytes, position: int) -> tuple[list[tuple], int]:
    """Parse `(v, ...),(v, ...);` from `position`; return the rows and the end position."""
    rows: list[tuple] = []
    length = len(data)
    while position < length:
        if data[position:position + 1] != b"(":
            raise ValueError(f"expected '(' at byte {position} of the dump")
        position += 1
        row: list[object] = []
        while True:
            if data.startswith(b"_binary ", position):
                position += len(b"_binary ")
            character = data[position:position + 1]
            if character == b"'":
                position += 1
                value = bytearray()
                while True:
                    byte = data[position]
                    if byte == ord("\\"):
                        value += _ESCAPES.get(data[position + 1], bytes([data[position + 1]]))
                        position += 2
                    elif byte == ord("'"):
                        if data[position + 1:position + 2] == b"'":
                            value += b"'"
                            position += 2
                        else:
                            position += 1
                            break
                    else:
                        value.append(byte)
                        position += 1
                row.append(bytes(value))
            else:
                end = position
                while data[end:end + 1] not in (b",", b")"):
                    end += 1
                token = data[position:end].decode("ascii")
                position = end
                if token == "NULL":
                    row.append(None)
                elif re.fullmatch(r"-?[0-9]+", token):
                    row.append(int(token))
                else:
                    row.append(float(token))
            separator = data[position:position + 1]
            position += 1
            if separator == b")":
                break
        rows.append(tuple(row))
        terminator = data[position:position + 1]
        position += 1
        if terminator == b";":
            return rows, position
    raise ValueError("the dump ended inside an INSERT statement")


def load_mysql_dump(dump_path: Path, duckdb_path: Path, tables: list[str], schema: str = "main") -> dict[str, int]:
    """Create `tables` of the dump in a DuckDB file and return their row counts."""
    data = Path(dump_path).read_bytes()
    columns: dict[str, list[tuple[str, str]]] = {}
    for match in _CREATE_TABLE.finditer(data):
        name = match.group(1).decode()
        columns[name] = [
            (column.group(1).decode(), _duckdb_type(column.group(2).decode()))
            for column in _COLUMN.finditer(match.group(2))
        ]
    missing = [table for table in tables if table not in columns]
    if missing:
        raise ValueError(f"tables {missing} not found in {dump_path}")

    rows_by_table: dict[str, list[tuple]] = {table: [] for table in tables}
    for match in _INSERT.finditer(data):
        table = match.group(1).decode()
        rows, _ = _parse_values(data, match.end())
        if table in rows_by_table:
            rows_by_table[table].extend(rows)

    connection = duckdb.connect(str(duckdb_path))
    try:
        connection.execute(f'create schema if not exists "{schema}"')
        for table in tables:
            table_columns = columns[table]
            definition = ", ".join(f'"{name}" {sql_type}' for name, sql_type in table_columns)
            connection.execute(f'create table "{schema}"."{table}" ({definition})')
            converted = [
                [
                    _convert(value, sql_type)
                    for value, (_, sql_type) in zip(row, table_columns, strict=True)
                ]
                for row in rows_by_table[table]
            ]
            if converted:
                # One Arrow table per dump table: DuckDB's executemany runs row by row.
                arrow_table = pyarrow.table(
                    {
                        f"c{index}": pyarrow.array([row[index] for row in converted], type=_ARROW_TYPES[sql_type])
                        for index, (_, sql_type) in enumerate(table_columns)
                    }
                )
                connection.register("dump_rows", arrow_table)
                connection.execute(f'insert into "{schema}"."{table}" select * from dump_rows')
                connection.unregister("dump_rows")
    finally:
        connection.close()
    return {table: len(rows) for table, rows in rows_by_table.items()}


def _convert(value: object, sql_type: str) -> object:
    if isinstance(value, bytes):
        if sql_type == "BLOB":
            return value
        return value.decode("utf-8")
    return value
