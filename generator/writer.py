"""Column buffers of one chunk of rows and their append to DuckDB through Arrow.

Numeric columns live in `array.array` buffers that Arrow wraps without copying; repeated
texts are dictionary indexes. A single worker thread runs the DuckDB inserts, so Python
generates the next chunk while DuckDB stores the previous one, and at most one chunk waits.
"""

from __future__ import annotations

import sys
import time
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa

from .schema import quote_identifier, table_name

# Index 0 of every text dictionary is a sentinel that the inserts turn into NULL.
NULL_TEXT = "\x00"
# 0 in an id column means NULL (Matomo ids start at 1).
NULL_ID = 0
# NOTE: DuckDB 1.5.5 keeps memory for every appended row until the database is closed, even
# after a CHECKPOINT and under a memory_limit (about 7 bytes a row measured for a BLOB and a
# TIMESTAMP column, more for wider rows). Reopening the file after this many action rows keeps
# the process size flat.
REOPEN_ROWS = 500_000


def _numeric(arrow_type: pa.DataType, values: array) -> pa.Array:
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def _dictionary(indexes: array, dictionary: list[str]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(_numeric(pa.int32(), indexes), pa.array(dictionary, pa.string()))


def _visitor_ids(values: array) -> pa.Array:
    """8-byte big-endian binary values of unsigned 64-bit visitor ids (Matomo's binary(8))."""
    raw = array("Q", values)
    if sys.byteorder == "little":
        raw.byteswap()
    offsets = array("i", range(0, 8 * len(raw) + 1, 8))
    return pa.Array.from_buffers(pa.binary(), len(raw), [None, pa.py_buffer(offsets), pa.py_buffer(raw)])


def _timestamps(values: array) -> pa.Array:
    return _numeric(pa.timestamp("s"), values)


class TextDictionary:
    """Dictionary encoding of a text column, with NULL at index 0."""

    def __init__(self, values=()):
        self.values: list[str] = [NULL_TEXT]
        self._index: dict[str | None, int] = {None: 0}
        for value in values:
            self.index(value)

    def index(self, value: str | None) -> int:
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found


class ActionBuffer:
    """Columns of log_link_visit_action rows (idlink_va and idsite are added on insert)."""

    def __init__(self):
        self.visitor = array("Q")
        self.idvisit = array("q")
        self.server_time = array("q")
        self.name = array("i")
        self.category = array("i")
        self.event_action = array("i")
        self.payload: list[str | None] = []
        self.activity = array("i")
        self.version = array("i")
        self.locale = array("i")
        self.attempt = array("i")
        # Attempt ids are new for every play, so their dictionary is per chunk.
        self.attempts = TextDictionary()

    def __len__(self) -> int:
        return len(self.server_time)

    def truncate(self, length: int) -> None:
        for column in (
            self.visitor, self.idvisit, self.server_time, self.name, self.category, self.event_action,
            self.payload, self.activity, self.version, self.locale, self.attempt,
        ):
            del column[length:]


class ChunkWriter:
    """Buffers rows of every table and appends them to DuckDB, one chunk at a time."""

    def __init__(self, database: str | Path, prefix: str, app_db: bool, site_id: int, activities: TextDictionary,
                 versions: TextDictionary, locales: TextDictionary):
        self.database = str(database)
        self._con = None  # opened and used by the insert thread only
        self._rows_since_open = 0
        self.prefix = prefix
        self.app_db = app_db
        self.site_id = site_id
        self.activities = activities
        self.versions = versions
        self.locales = locales
        self.next_idlink_va = 1
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-append")
        self._pending: Future | None = None
        self.wait_seconds = 0.0  # time the generator spent waiting for DuckDB
        self._new_buffers()

    def _new_buffers(self) -> None:
        self.actions = ActionBuffer()
        self.visit_id = array("q")
        self.visit_visitor = array("Q")
        self.visit_user_id: list[str | None] = []
        self.visit_first = array("q")
        self.visit_last = array("q")
        self.link_id = array("i")
        self.link_game = array("i")
        self.link_activity: list[str] = []
        self.link_profile = array("q")
        self.completion_id = array("q")
        self.completion_link = array("i")
        self.completion_created = array("q")

    def _tables(self) -> list[tuple[str, pa.Table, str]]:
        """Wrap the buffers as Arrow tables, each with the select list of its insert."""
        tables = []
        actions = self.actions
        count = len(actions)
        if count:
            idlink_va = array("q", range(self.next_idlink_va, self.next_idlink_va + count))
            self.next_idlink_va += count
            arrow_table = pa.table({
                "idlink_va": _numeric(pa.int64(), idlink_va),
                "idvisitor": _visitor_ids(actions.visitor),
                "idvisit": _numeric(pa.int64(), actions.idvisit),
                "server_time": _timestamps(actions.server_time),
                "idaction_name": _numeric(pa.int32(), actions.name),
                "idaction_event_category": _numeric(pa.int32(), actions.category),
                "idaction_event_action": _numeric(pa.int32(), actions.event_action),
                "custom_dimension_1": pa.array(actions.payload, pa.string()),
                "custom_dimension_2": _dictionary(actions.activity, self.activities.values),
                "custom_dimension_3": _dictionary(actions.version, self.versions.values),
                "custom_dimension_4": _dictionary(actions.locale, self.locales.values),
                "custom_dimension_5": _dictionary(actions.attempt, actions.attempts.values),
            })
            select_list = (
                f"idlink_va, {self.site_id}, idvisitor, idvisit, server_time, "
                f"nullif(idaction_name, {NULL_ID}), nullif(idaction_event_category, {NULL_ID}), "
                f"nullif(idaction_event_action, {NULL_ID}), custom_dimension_1, "
                + ", ".join(f"nullif(custom_dimension_{k}::varchar, chr(0))" for k in range(2, 6))
            )
            tables.append(("log_link_visit_action", arrow_table, select_list))
        if self.visit_id:
            arrow_table = pa.table({
                "idvisit": _numeric(pa.int64(), self.visit_id),
                "idvisitor": _visitor_ids(self.visit_visitor),
                "user_id": pa.array(self.visit_user_id, pa.string()),
                "first_time": _timestamps(self.visit_first),
                "last_time": _timestamps(self.visit_last),
            })
            select_list = f"idvisit, {self.site_id}, idvisitor, user_id, first_time, last_time"
            tables.append(("log_visit", arrow_table, select_list))
        if self.app_db and self.link_id:
            arrow_table = pa.table({
                "id": _numeric(pa.int32(), self.link_id),
                "hybrid_game_id": _numeric(pa.int32(), self.link_game),
                "activity_id": pa.array(self.link_activity, pa.string()),
                "hybrid_profile_id": _numeric(pa.int64(), self.link_profile),
            })
            tables.append(("hybrid_games_links", arrow_table, "*"))
        if self.app_db and self.completion_id:
            arrow_table = pa.table({
                "id": _numeric(pa.int64(), self.completion_id),
                "hybrid_game_link_id": _numeric(pa.int32(), self.completion_link),
                "created_at": _timestamps(self.completion_created),
            })
            tables.append(("hybrid_game_completions", arrow_table, "*"))
        return tables

    def _insert(self, tables: list[tuple[str, pa.Table, str]]) -> None:
        if self._con is None:
            # One DuckDB thread kept up with the generator in tests on 2 cores and uses less memory.
            self._con = duckdb.connect(self.database, config={"threads": 1})
        for table, arrow_table, select_list in tables:
            view = f"generator_chunk_{table}"
            self._con.register(view, arrow_table)
            try:
                target = quote_identifier(table_name(table, self.prefix))
                self._con.execute(f"INSERT INTO {target} SELECT {select_list} FROM {view}")
            finally:
                self._con.unregister(view)
            if table == "log_link_visit_action":
                self._rows_since_open += arrow_table.num_rows
        if self._rows_since_open >= REOPEN_ROWS:
            self._close_connection()

    def _close_connection(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self._rows_since_open = 0

    def flush(self) -> None:
        """Hand the buffered rows to the insert thread and start new buffers."""
        tables = self._tables()
        self._new_buffers()
        self.wait()
        if tables:
            self._pending = self._executor.submit(self._insert, tables)

    def wait(self) -> None:
        """Wait for the pending insert and re-raise its error, if any."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            started = time.monotonic()
            try:
                pending.result()
            finally:
                self.wait_seconds += time.monotonic() - started

    def close(self) -> None:
        """Flush the last rows and wait for every insert to finish."""
        try:
            self.flush()
            self.wait()
        finally:
            self._executor.submit(self._close_connection).result()
            self._executor.shutdown(wait=True)
