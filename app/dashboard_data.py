"""The files of processed_data/ as the dashboard's tables, with their column types.

Tables are named after their files: ``conversion_funnel_total.csv`` is the table
``conversion_funnel_total``. ``manifest.json`` gives two more: ``manifest`` (one row) and
``manifest_files`` (one row per file listed in the manifest). An empty CSV field is NULL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow as pa

from reportpages.database import CsvTable, DataFileError, DataSource

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "processed_data"
DATA_DIR_VARIABLE = "HYBRID_DATA_DIR"
FIX_HINT = "Run `make demo` (sample data) or `python -m export` (your warehouse) to write it."

_RATE = "DOUBLE"

CSV_TABLES = (
    CsvTable(
        "conversion_funnel_total",
        "conversion_funnel_total.csv",
        (
            ("stage_order", "INTEGER"),
            ("event_type", "VARCHAR"),
            ("events", "BIGINT"),
            ("users", "BIGINT"),
            ("visits", "BIGINT"),
            ("instances", "BIGINT"),
            ("conversion_from_start", _RATE),
            ("conversion_from_previous", _RATE),
        ),
    ),
    CsvTable(
        "conversion_funnel_games",
        "conversion_funnel_games.csv",
        (
            ("game_name", "VARCHAR"),
            ("stage_order", "INTEGER"),
            ("event_type", "VARCHAR"),
            ("events", "BIGINT"),
            ("users", "BIGINT"),
            ("visits", "BIGINT"),
            ("instances", "BIGINT"),
            ("conversion_from_start", _RATE),
            ("conversion_from_previous", _RATE),
        ),
    ),
    CsvTable(
        "timeseries_total",
        "timeseries_total.csv",
        (
            ("period_type", "VARCHAR"),
            ("period_start", "DATE"),
            ("event_type", "VARCHAR"),
            ("events", "BIGINT"),
            ("users", "BIGINT"),
            ("visits", "BIGINT"),
            ("instances", "BIGINT"),
        ),
    ),
    CsvTable(
        "timeseries_games",
        "timeseries_games.csv",
        (
            ("period_type", "VARCHAR"),
            ("period_start", "DATE"),
            ("game_name", "VARCHAR"),
            ("event_type", "VARCHAR"),
            ("events", "BIGINT"),
            ("users", "BIGINT"),
            ("visits", "BIGINT"),
            ("instances", "BIGINT"),
        ),
    ),
    CsvTable(
        "repeatability_data",
        "repeatability_data.csv",
        (
            ("games_played", "INTEGER"),
            ("user_count", "BIGINT"),
            ("user_share", _RATE),
            ("source", "VARCHAR"),
        ),
    ),
    CsvTable(
        "score_distribution",
        "score_distribution.csv",
        (
            ("game_name", "VARCHAR"),
            ("score_range", "VARCHAR"),
            ("range_start", "DOUBLE"),
            ("range_end", "DOUBLE"),
            ("attempts", "BIGINT"),
            ("users", "BIGINT"),
        ),
    ),
    CsvTable(
        "data_quality",
        "data_quality.csv",
        (
            ("check_name", "VARCHAR"),
            ("game_name", "VARCHAR"),
            ("value", "BIGINT"),
        ),
    ),
)

MANIFEST_FILE = "manifest.json"

_MANIFEST_SCHEMA = pa.schema(
    [
        ("generated_at", pa.timestamp("s")),
        ("target", pa.string()),
        ("target_type", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("last_event_at", pa.timestamp("s")),
        ("file_count", pa.int64()),
    ]
)
_MANIFEST_FILES_SCHEMA = pa.schema([("file", pa.string()), ("rows", pa.int64()), ("sha256", pa.string())])


class ManifestLoader:
    """Read manifest.json into the tables ``manifest`` and ``manifest_files``.

    ``generated_at`` is UTC; ``last_event_at`` is the local time of the newest event. Both are
    timestamps without a time zone.
    """

    files = (MANIFEST_FILE,)
    tables = ("manifest", "manifest_files")

    def load(self, directory: Path) -> dict[str, pa.Table]:
        path = directory / MANIFEST_FILE
        if not path.is_file():
            raise DataFileError(MANIFEST_FILE, f"{path} is missing")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DataFileError(MANIFEST_FILE, f"{path} is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise DataFileError(MANIFEST_FILE, f"{path} must contain a JSON object")
        try:
            files = _manifest_files(document.get("files"))
            target, target_type = _target(document.get("target"))
            row = {
                "generated_at": _timestamp(document.get("generated_at"), "generated_at"),
                "target": target,
                "target_type": target_type,
                "start_date": _date(document.get("start_date"), "start_date"),
                "end_date": _date(document.get("end_date"), "end_date"),
                "last_event_at": _timestamp(document.get("last_event_at"), "last_event_at"),
                "file_count": len(files),
            }
        except ValueError as error:
            raise DataFileError(MANIFEST_FILE, f"{path}: {error}") from None
        manifest = pa.Table.from_pylist([row], schema=_MANIFEST_SCHEMA)
        manifest_files = pa.Table.from_pylist(files, schema=_MANIFEST_FILES_SCHEMA)
        return {"manifest": manifest, "manifest_files": manifest_files}


def _manifest_files(value: object) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValueError("'files' must map file names to {\"rows\": ..., \"sha256\": ...}")
    files = []
    for name in sorted(value):
        entry = value[name]
        if not isinstance(entry, dict):
            raise ValueError(f"entry {name!r} of 'files' must be an object with rows and sha256")
        rows = entry.get("rows")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool)):
            raise ValueError(f"'rows' of {name!r} must be a whole number; got {rows!r}")
        sha256 = entry.get("sha256")
        files.append({"file": str(name), "rows": rows, "sha256": None if sha256 is None else str(sha256)})
    return files


def _target(value: object) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, dict):
        name = value.get("target")
        kind = value.get("type")
        return (None if name is None else str(name)), (None if kind is None else str(kind))
    return str(value), None


def _timestamp(value: object, key: str) -> dt.datetime | None:
    """Parse an ISO 8601 timestamp; one with a time zone is converted to UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be an ISO 8601 timestamp; got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{key}' must be an ISO 8601 timestamp; got {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def _date(value: object, key: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"'{key}' must be a date written YYYY-MM-DD; got {value!r}") from None


def data_directory(environ: dict | None = None) -> Path:
    """Return the data folder: $HYBRID_DATA_DIR, else processed_data/ at the repository root.

    A relative $HYBRID_DATA_DIR is taken relative to the repository root, not the working
    directory, so the app reads the same folder wherever it is started from.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(DATA_DIR_VARIABLE, "").strip()
    if not configured:
        return DEFAULT_DATA_DIR
    path = Path(configured).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def processed_data_source(directory: Path) -> DataSource:
    """Return the data source of one processed_data folder."""
    return DataSource(directory, CSV_TABLES, extra_loaders=(ManifestLoader(),))
