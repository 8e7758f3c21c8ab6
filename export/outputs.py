"""The output files: which mart each one reads, its columns, row order and processor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import ModelError, PrivacyError
from .values import PERIOD_TYPES, ColumnKind, format_value, to_canonical

# The only columns an output file may contain. processed_data/ is public and contains
# aggregates only, so the writer rejects any other column (a visitor id, user id, profile id or IP).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "conversion_funnel_total.csv": (
        "stage_order", "event_type", "events", "users", "visits", "instances",
        "conversion_from_start", "conversion_from_previous",
    ),
    "conversion_funnel_games.csv": (
        "game_name", "stage_order", "event_type", "events", "users", "visits", "instances",
        "conversion_from_start", "conversion_from_previous",
    ),
    "timeseries_total.csv": (
        "period_type", "period_start", "event_type", "events", "users", "visits", "instances",
    ),
    "timeseries_games.csv": (
        "period_type", "period_start", "game_name", "event_type", "events", "users", "visits",
        "instances",
    ),
    "repeatability_data.csv": ("games_played", "user_count", "user_share", "source"),
    "score_distribution.csv": (
        "game_name", "score_range", "range_start", "range_end", "attempts", "users",
    ),
    "data_quality.csv": ("check_name", "game_name", "value"),
}


def check_output_columns(file_name: str, header: Sequence[str]) -> None:
    """Raise PrivacyError unless ``header`` is exactly the fixed column list of the file."""
    allowed = CSV_COLUMNS.get(file_name)
    if allowed is None:
        raise PrivacyError(f"{file_name} is not an output file of the export; it was not written")
    unexpected = [name for name in header if name not in allowed]
    if unexpected:
        raise PrivacyError(
            f"{file_name} would contain columns outside its fixed list: {', '.join(unexpected)}; "
            "processed_data contains aggregates only, so nothing was written"
        )
    if tuple(header) != allowed:
        raise PrivacyError(
            f"{file_name} columns {', '.join(header)} differ from the fixed list "
            f"{', '.join(allowed)}; nothing was written"
        )


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    written: bool = True


@dataclass(frozen=True)
class OutputFile:
    """One CSV file built from one mart.

    Rows are sorted in Python on the canonical values of ``sort_by``: text by code point with
    NULL first, period types as day, week, month. The written fields break remaining ties, so
    the order never depends on the database.
    """

    file_name: str
    model: str
    columns: tuple[Column, ...]
    sort_by: tuple[str, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.written)

    @property
    def model_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def format_rows(self, raw_rows: Sequence[Sequence[Any]], where: str) -> list[tuple[str, ...]]:
        """Convert, sort and format the rows read from the mart (one value per model column).

        ``where`` names the schema and database in errors.
        """
        kinds = {column.name: column.kind for column in self.columns}
        keyed_rows = []
        for number, raw_row in enumerate(raw_rows, start=1):
            canonical = {}
            for column, value in zip(self.columns, raw_row):
                try:
                    canonical[column.name] = to_canonical(column.kind, value)
                except ValueError as error:
                    raise ModelError(
                        f"model {self.model} in {where}, column {column.name}, row {number} "
                        f"(in the order read): {error}; fix the model and run `dbt build` again"
                    ) from None
            fields = tuple(
                format_value(column.kind, canonical[column.name])
                for column in self.columns
                if column.written
            )
            keyed_rows.append((self._sort_key(canonical, kinds), fields))
        keyed_rows.sort()
        return [fields for _, fields in keyed_rows]

    def _sort_key(self, canonical: dict[str, Any], kinds: dict[str, ColumnKind]) -> tuple:
        key = []
        for name in self.sort_by:
            value = canonical[name]
            if kinds[name] is ColumnKind.PERIOD_TYPE:
                key.append(PERIOD_TYPES.index(value))
            elif kinds[name] is ColumnKind.TEXT:
                key.append((0, "") if value is None else (1, value))
            else:
                key.append(value)
        return tuple(key)


_INTEGER = ColumnKind.INTEGER
_TEXT = ColumnKind.TEXT
_RATE = ColumnKind.RATE
_DATE = ColumnKind.DATE

_METRICS = (
    Column("events", _INTEGER),
    Column("users", _INTEGER),
    Column("visits", _INTEGER),
    Column("instances", _INTEGER),
)
_CONVERSION_RATES = (
    Column("conversion_from_start", _RATE),
    Column("conversion_from_previous", _RATE),
)

CONVERSION_FUNNEL_TOTAL = OutputFile(
    file_name="conversion_funnel_total.csv",
    model="conversion_funnel_total",
    columns=(
        Column("stage_order", _INTEGER),
        Column("event_type", _TEXT),
        *_METRICS,
        *_CONVERSION_RATES,
    ),
    sort_by=("stage_order",),
)

CONVERSION_FUNNEL_GAMES = OutputFile(
    file_name="conversion_funnel_games.csv",
    model="conversion_funnel_games",
    columns=(
        Column("game_name", _TEXT),
        Column("stage_order", _INTEGER),
        Column("event_type", _TEXT),
        *_METRICS,
        *_CONVERSION_RATES,
    ),
    sort_by=("game_name", "stage_order"),
)

TIMESERIES_TOTAL = OutputFile(
    file_name="timeseries_total.csv",
    model="timeseries_total",
    columns=(
        Column("period_type", ColumnKind.PERIOD_TYPE),
        Column("period_start", _DATE),
        Column("event_type", _TEXT),
        Column("stage_order", _INTEGER, written=False),
        *_METRICS,
    ),
    sort_by=("period_type", "period_start", "stage_order"),
)

TIMESERIES_GAMES = OutputFile(
    file_name="timeseries_games.csv",
    model="timeseries_games",
    columns=(
        Column("period_type", ColumnKind.PERIOD_TYPE),
        Column("period_start", _DATE),
        Column("game_name", _TEXT),
        Column("event_type", _TEXT),
        Column("stage_order", _INTEGER, written=False),
        *_METRICS,
    ),
    sort_by=("period_type", "period_start", "game_name", "stage_order"),
)

REPEATABILITY = OutputFile(
    file_name="repeatability_data.csv",
    model="repeatability_data",
    columns=(
        Column("games_played", _INTEGER),
        Column("user_count", _INTEGER),
        Column("user_share", _RATE),
        Column("source", _TEXT),
    ),
    sort_by=("games_played",),
)

SCORE_DISTRIBUTION = OutputFile(
    file_name="score_distribution.csv",
    model="score_distribution",
    columns=(
        Column("game_name", _TEXT),
        Column("score_range", _TEXT),
        Column("range_start", ColumnKind.BOUND),
        Column("range_end", ColumnKind.BOUND),
        Column("attempts", _INTEGER),
        Column("users", _INTEGER),
    ),
    sort_by=("game_name", "range_start", "score_range"),
)

DATA_QUALITY = OutputFile(
    file_name="data_quality.csv",
    model="data_quality",
    columns=(
        Column("check_order", _INTEGER, written=False),
        Column("check_name", _TEXT),
        Column("game_name", _TEXT),
        Column("value", _INTEGER),
    ),
    sort_by=("check_order", "game_name"),
)

# Processors in the order they run, each with the files it writes.
PROCESSORS: dict[str, tuple[OutputFile, ...]] = {
    "conversion": (CONVERSION_FUNNEL_TOTAL, CONVERSION_FUNNEL_GAMES),
    "timeseries": (TIMESERIES_TOTAL, TIMESERIES_GAMES),
    "repeatability": (REPEATABILITY,),
    "score": (SCORE_DISTRIBUTION,),
    "data_quality": (DATA_QUALITY,),
}

PIPELINE_METADATA_MODEL = "pipeline_metadata"
PIPELINE_METADATA_COLUMNS = ("start_date", "end_date", "last_event_at", "dbt_invocation_id")
# Column of every mart naming the dbt run that built it.
INVOCATION_COLUMN = "dbt_invocation_id"
