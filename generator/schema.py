"""DuckDB DDL of the Matomo raw tables and the app database tables, with fixture helpers.

The Matomo tables carry a configurable name prefix (`matomo_` on a default Matomo install);
the app database tables never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# Column name and DuckDB type of every table, in column order.
MATOMO_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "log_link_visit_action": (
        ("idlink_va", "BIGINT"),
        ("idsite", "INTEGER"),
        ("idvisitor", "BLOB"),  # 8 raw bytes, Matomo's binary(8)
        ("idvisit", "BIGINT"),
        ("server_time", "TIMESTAMP"),  # UTC
        ("idaction_name", "INTEGER"),
        ("idaction_event_category", "INTEGER"),
        ("idaction_event_action", "INTEGER"),
        ("custom_dimension_1", "VARCHAR"),
        ("custom_dimension_2", "VARCHAR"),
        ("custom_dimension_3", "VARCHAR"),
        ("custom_dimension_4", "VARCHAR"),
        ("custom_dimension_5", "VARCHAR"),
    ),
    "log_visit": (
        ("idvisit", "BIGINT"),
        ("idsite", "INTEGER"),
        ("idvisitor", "BLOB"),  # the visit's final visitor id, 8 raw bytes
        ("user_id", "VARCHAR"),
        ("visit_first_action_time", "TIMESTAMP"),  # UTC
        ("visit_last_action_time", "TIMESTAMP"),  # UTC
    ),
    "log_action": (
        ("idaction", "INTEGER"),
        ("name", "VARCHAR"),
        ("hash", "BIGINT"),  # CRC32 of the name, as Matomo computes it
        ("type", "INTEGER"),  # 1 URL, 4 page title, 10 event category, 11 event action, 12 event name
    ),
    "site": (
        ("idsite", "INTEGER"),
        ("name", "VARCHAR"),
        ("timezone", "VARCHAR"),
    ),
}

APP_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "hybrid_games": (
        ("id", "INTEGER"),
        ("game_name", "VARCHAR"),
        ("game_code", "VARCHAR"),
    ),
    "hybrid_games_links": (
        ("id", "INTEGER"),
        ("hybrid_game_id", "INTEGER"),
        ("activity_id", "VARCHAR"),
        ("hybrid_profile_id", "BIGINT"),
    ),
    "hybrid_game_completions": (
        ("id", "BIGINT"),
        ("hybrid_game_link_id", "INTEGER"),
        ("created_at", "TIMESTAMP"),  # UTC
    ),
}

TABLES: dict[str, tuple[tuple[str, str], ...]] = {**MATOMO_TABLES, **APP_TABLES}


def table_name(table: str, prefix: str = "") -> str:
    """Return the stored name of `table`: Matomo tables get `prefix`, app tables never do."""
    if table in MATOMO_TABLES:
        return prefix + table
    if table in APP_TABLES:
        return table
    raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")


def quote_identifier(name: str) -> str:
    """Quote a DuckDB identifier, doubling embedded double quotes."""
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table: str, prefix: str = "", replace: bool = False) -> str:
    """Return the CREATE TABLE statement of `table`."""
    columns = ",\n    ".join(f"{quote_identifier(name)} {sql_type}" for name, sql_type in TABLES[table])
    verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    return f"{verb} {quote_identifier(table_name(table, prefix))} (\n    {columns}\n)"


def create_tables(con, prefix: str = "", app_db: bool = True, replace: bool = False) -> list[str]:
    """Create the Matomo tables (with `prefix`) and, when `app_db`, the app database tables.

    Returns the names of the created tables. With `replace`, existing tables of the same
    names are replaced; otherwise an existing table raises duckdb.CatalogException.
    """
    tables: Iterable[str] = list(MATOMO_TABLES) + (list(APP_TABLES) if app_db else [])
    created = []
    for table in tables:
        con.execute(create_table_sql(table, prefix, replace=replace))
        created.append(table_name(table, prefix))
    return created


def _convert_value(column: str, value):
    if column == "idvisitor" and isinstance(value, str):
        raw = bytes.fromhex(value)
        if len(raw) != 8:
            raise ValueError(f"idvisitor {value!r} must be 16 hex digits (8 bytes)")
        return raw
    return value


def insert_rows(con, table: str, rows: Sequence[Mapping[str, object]], prefix: str = "") -> int:
    """Insert `rows` (dicts keyed by column name) into `table` and return the row count.

    Absent columns are NULL. An `idvisitor` given as 16 hex digits is stored as its 8 raw
    bytes. Timestamps may be `datetime` values or text such as `2025-07-01 10:00:00`.
    """
    columns = [name for name, _ in TABLES[table]] if table in TABLES else None
    if columns is None:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)} for table {table!r}; columns are {columns}")
    if not rows:
        return 0
    column_list = ", ".join(quote_identifier(name) for name in columns)
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {quote_identifier(table_name(table, prefix))} ({column_list}) VALUES ({placeholders})"
    parameters = [[_convert_value(name, row.get(name)) for name in columns] for row in rows]
    con.executemany(sql, parameters)
    return len(rows)
