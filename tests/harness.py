"""Build Matomo tables from Python rows, run `dbt build` and the export, and read the CSVs.

Tests describe their input as events (`MatomoDataset.add_event`), and this module writes them
as Matomo would store them: one `log_action` row per distinct name and type, visits in
`log_visit` with 8-byte visitor ids, and sites with their timezone. The pipeline then runs as a
user runs it: the `dbt` command of this Python environment with a profile made from
`profiles.yml.example`, then `python -m export`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from generator import schema

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
OUTPUT_FILES = (
    "conversion_funnel_total.csv",
    "conversion_funnel_games.csv",
    "timeseries_total.csv",
    "timeseries_games.csv",
    "repeatability_data.csv",
    "score_distribution.csv",
    "data_quality.csv",
)

# Settings of the field cases: standard Matomo event tracking (event action = event type,
# event category = game), no table prefix, and two stages.
STANDARD_EVENT_VARS: dict[str, object] = {
    "matomo_table_prefix": "",
    "start_date": "2000-01-01",
    "event_type_source": "event_action",
    "game_source": "event_category",
    "instance_key": "idlink_va",
    "user_identity": "visitor",
    "event_type_rules": [
        {"event_type": "started", "stage_order": 1, "pattern": "started", "priority": 1},
        {"event_type": "completed", "stage_order": 2, "pattern": "completed", "priority": 2},
    ],
}

ACTION_TYPE_PAGE_TITLE = 4
ACTION_TYPE_EVENT_CATEGORY = 10
ACTION_TYPE_EVENT_ACTION = 11
ACTION_TYPE_EVENT_NAME = 12


@dataclass
class MatomoDataset:
    """Rows of Matomo's tables (and optionally the app database), built event by event."""

    prefix: str = ""
    tables: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in schema.TABLES})
    _action_ids: dict[tuple[str, int], int] = field(default_factory=dict)
    _next_action_id: int = 1
    _next_visit_id: int = 1
    _next_link_id: int = 1

    def add_site(self, idsite: int, timezone: str | None) -> None:
        self.tables["site"].append({"idsite": idsite, "name": f"Site {idsite}", "timezone": timezone})

    def add_log_action(self, name: str | None, action_type: int, idaction: int | None = None) -> int:
        """Add a `log_action` row; with `idaction` given, a duplicate name gets its own id."""
        if idaction is None:
            key = (name, action_type)
            if key in self._action_ids:
                return self._action_ids[key]
            idaction = self._next_action_id
            self._action_ids[key] = idaction
        self._next_action_id = max(self._next_action_id, idaction + 1)
        self.tables["log_action"].append(
            {"idaction": idaction, "name": name, "hash": 0, "type": action_type}
        )
        return idaction

    def add_visit(self, visitor: str | None, user_id: str | None = None, idsite: int = 1,
                  idvisit: int | None = None) -> int:
        if idvisit is None:
            idvisit = self._next_visit_id
        self._next_visit_id = max(self._next_visit_id, idvisit + 1)
        self.tables["log_visit"].append(
            {"idvisit": idvisit, "idsite": idsite, "idvisitor": visitor, "user_id": user_id}
        )
        return idvisit

    def add_event(
        self,
        server_time: str,
        action: str | None,
        visitor: str | None = "aaaa000000000001",
        category: str | None = "A",
        name: str | None = None,
        payload: str | None = None,
        visit: int | None = None,
        idsite: int = 1,
        dimensions: dict[int, str | None] | None = None,
        action_id: int | None = None,
        category_id: int | None = None,
        name_id: int | None = None,
    ) -> int:
        """Add one action row tracked as a Matomo event; returns its idlink_va.

        Without `visit`, the event gets a visit of its own with `visitor` as the final
        visitor id. `payload` goes into custom dimension 1; `dimensions` sets others.
        """
        if visit is None:
            visit = self.add_visit(visitor, idsite=idsite)
        row: dict[str, object] = {
            "idlink_va": self._next_link_id,
            "idsite": idsite,
            "idvisitor": visitor,
            "idvisit": visit,
            "server_time": datetime.fromisoformat(server_time),
            "idaction_event_action": action_id if action_id is not None else (
                None if action is None else self.add_log_action(action, ACTION_TYPE_EVENT_ACTION)
            ),
            "idaction_event_category": category_id if category_id is not None else (
                None if category is None else self.add_log_action(category, ACTION_TYPE_EVENT_CATEGORY)
            ),
            "idaction_name": name_id if name_id is not None else (
                None if name is None else self.add_log_action(name, ACTION_TYPE_EVENT_NAME)
            ),
            "custom_dimension_1": payload,
        }
        for index, value in (dimensions or {}).items():
            row[f"custom_dimension_{index}"] = value
        self.tables["log_link_visit_action"].append(row)
        self._next_link_id += 1
        return int(row["idlink_va"])

    def write_duckdb(self, path: Path, app_db: bool = False) -> Path:
        """Write the tables into a new DuckDB file (schema main) and return its path."""
        connection = duckdb.connect(str(path))
        try:
            schema.create_tables(connection, prefix=self.prefix, app_db=app_db)
            for table, rows in self.tables.items():
                if rows:
                    schema.insert_rows(connection, table, rows, prefix=self.prefix)
        finally:
            connection.close()
        return path


def standard_case_dataset() -> MatomoDataset:
    """A dataset with site 1 in UTC, ready for `add_event` calls."""
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    return dataset


@dataclass
class PipelineResult:
    """The exported files of one pipeline run, as text, plus the folder they are in."""

    output_dir: Path
    files: dict[str, str]

    def rows(self, file_name: str) -> list[dict[str, str]]:
        lines = self.files[file_name].splitlines()
        header = lines[0].split(",")
        return [dict(zip(header, _split_csv_line(line))) for line in lines[1:]]

    def manifest(self) -> dict:
        return json.loads((self.output_dir / "manifest.json").read_text())


def _split_csv_line(line: str) -> list[str]:
    """Split one CSV line; enough for the quoted names the tests use (no line breaks)."""
    import csv

    return next(csv.reader([line]))


class PipelineError(AssertionError):
    """A dbt or export command failed; the message carries its output."""


def dbt_environment(duckdb_path: Path | None = None) -> dict[str, str]:
    environment = dict(os.environ)
    environment["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    environment.pop("DBT_TARGET", None)
    if duckdb_path is not None:
        environment["HYBRID_DUCKDB_PATH"] = str(duckdb_path)
    return environment


def prepare_profiles_dir(work_dir: Path) -> Path:
    """Copy profiles.yml.example into `work_dir`, as a user does."""
    profiles_dir = work_dir / "profiles"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    (profiles_dir / "profiles.yml").write_text((REPO_ROOT / "profiles.yml.example").read_text())
    return profiles_dir


def run_command(command: list[str], environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900
    )
    if completed.returncode != 0:
        raise PipelineError(
            f"command failed with exit code {completed.returncode}: {' '.join(command)}\n"
            f"--- stdout ---\n{completed.stdout[-6000:]}\n--- stderr ---\n{completed.stderr[-3000:]}"
        )
    return completed


def dbt_command(work_dir: Path, profiles_dir: Path, verb: str, variables: dict, target: str | None = None,
                dbt_executable: Path | None = None, extra: list[str] | None = None) -> list[str]:
    command = [
        str(dbt_executable or BIN_DIR / "dbt"),
        verb,
        "--project-dir", str(REPO_ROOT),
        "--profiles-dir", str(profiles_dir),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--vars", json.dumps(variables),
    ]
    if target:
        command += ["--target", target]
    return command + (extra or [])


def export_command(work_dir: Path, profiles_dir: Path, output_dir: Path, target: str | None = None) -> list[str]:
    command = [
        sys.executable, "-m", "export",
        "--project-dir", str(REPO_ROOT),
        "--profiles-dir", str(profiles_dir),
        "--output", str(output_dir),
    ]
    if target:
        command += ["--target", target]
    return command


def read_outputs(output_dir: Path) -> PipelineResult:
    files = {
        name: (output_dir / name).read_bytes().decode("utf-8")
        for name in OUTPUT_FILES
        if (output_dir / name).exists()
    }
    return PipelineResult(output_dir=output_dir, files=files)


def run_duckdb_pipeline(duckdb_path: Path, work_dir: Path, variables: dict) -> PipelineResult:
    """Run `dbt build` on a DuckDB file that holds Matomo tables, then the export."""
    work_dir.mkdir(parents=True, exist_ok=True)
    profiles_dir = prepare_profiles_dir(work_dir)
    environment = dbt_environment(duckdb_path)
    run_command(dbt_command(work_dir, profiles_dir, "build", variables), environment, REPO_ROOT)
    output_dir = work_dir / "processed_data"
    run_command(export_command(work_dir, profiles_dir, output_dir), environment, REPO_ROOT)
    return read_outputs(output_dir)


def run_duckdb_case(dataset: MatomoDataset, work_dir: Path, app_db: bool, variables: dict) -> PipelineResult:
    """Write `dataset` into a DuckDB file and run the pipeline on it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    duckdb_path = dataset.write_duckdb(work_dir / "matomo.duckdb", app_db=app_db)
    return run_duckdb_pipeline(duckdb_path, work_dir, variables)


# Runner of each engine: (dataset, work_dir, app_db, variables) -> PipelineResult.
ENGINE_RUNNERS = {"duckdb": run_duckdb_case}


def run_case(dataset: MatomoDataset, work_dir: Path, app_db: bool = False, engine: str = "duckdb",
             **overrides) -> PipelineResult:
    """Run `dataset` through the pipeline on `engine` with the field-case settings and `overrides`."""
    variables = {**STANDARD_EVENT_VARS, **overrides}
    return ENGINE_RUNNERS[engine](dataset, work_dir, app_db, variables)


OMNIFIXTURE_DUMP = REPO_ROOT / "tests" / "fixtures" / "matomo-omnifixture" / "omnifixture.sql"
OMNIFIXTURE_TABLES = ["log_visit", "log_link_visit_action", "log_action", "site"]

# The media funnel of Matomo's OmniFixture, tracked with standard Matomo events. `%` in
# `play25%` is a LIKE wildcard, so it is escaped. One more stage takes the event whose
# category is stored HTML-escaped (`---&gt; ... &lt;---`), so that name reaches the outputs.
MOVIE_FUNNEL = [
    "playTrailer", "playStart", "play25%", "play50%", "play75%", "playEnd", "rating",
    "clickBuyNow", "Purchase",
]
OMNIFIXTURE_VARS: dict[str, object] = {
    **STANDARD_EVENT_VARS,
    "start_date": "2009-12-01",
    "instance_key": "event_name",
    "scored_event_types": [],
    "played_event_type": "Purchase",
    "event_type_rules": [
        {
            "event_type": action,
            "stage_order": position,
            "pattern": action.replace("%", "\\%"),
            "priority": position,
        }
        for position, action in enumerate(MOVIE_FUNNEL, start=1)
    ]
    + [
        {
            "event_type": "long_name_event",
            "stage_order": 100,
            "pattern": "event action Extremely long%",
            "priority": 100,
        }
    ],
}


# ---- MariaDB engines ----------------------------------------------------------------------------
# `mariadb`: the models built inside MariaDB by dbt-mysql (.venv-mysql). `duckdb_mysql`: the models
# built by DuckDB, which reads Matomo's tables from MariaDB through its MySQL extension. Both load
# the dataset into a fresh MariaDB database with Matomo's column types (tests/mysql_support.py)
# and drop it afterwards.

import mysql_support  # noqa: E402


def run_mysql_engine(engine: str, matomo_database: str, work_dir: Path, variables: dict,
                     settings: "mysql_support.ServerSettings", models_database: str | None = None) -> PipelineResult:
    """Run `dbt build` and the export on `engine` over the Matomo tables in `matomo_database`.

    On `mariadb` the models go to `models_database`, or to a temporary database when it is None.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    profiles_dir = prepare_profiles_dir(work_dir)
    environment = dbt_environment()
    environment.update(settings.environment())
    output_dir = work_dir / "processed_data"
    if engine == "mariadb" and models_database is None:
        with mysql_support.temporary_databases(settings, "models") as (temporary_database,):
            return run_mysql_engine(engine, matomo_database, work_dir, variables, settings, temporary_database)
    if engine == "mariadb":
        variables = {**variables, "matomo_schema": matomo_database}
        environment["HYBRID_MYSQL_SCHEMA"] = models_database
        run_command(
            dbt_command(work_dir, profiles_dir, "build", variables, target=engine,
                        dbt_executable=mysql_support.MYSQL_VENV_DBT),
            environment, REPO_ROOT,
        )
        run_command(export_command(work_dir, profiles_dir, output_dir, target=engine), environment, REPO_ROOT)
    elif engine == "duckdb_mysql":
        mysql_support.install_duckdb_mysql_extension()
        variables = {**variables, "matomo_database": "matomo", "matomo_schema": matomo_database}
        environment["MATOMO_MYSQL_DATABASE"] = matomo_database
        environment["HYBRID_DUCKDB_PATH"] = str(work_dir / "models.duckdb")
        run_command(dbt_command(work_dir, profiles_dir, "build", variables, target=engine), environment, REPO_ROOT)
        run_command(export_command(work_dir, profiles_dir, output_dir, target=engine), environment, REPO_ROOT)
    else:
        raise ValueError(f"unknown MySQL engine {engine!r}; expected mariadb or duckdb_mysql")
    return read_outputs(output_dir)


def _mysql_case_runner(engine: str):
    def run(dataset: MatomoDataset, work_dir: Path, app_db: bool, variables: dict) -> PipelineResult:
        settings = mysql_support.require_server()
        # Field cases use named timezones such as Europe/Paris, which need these tables.
        mysql_support.ensure_timezone_tables(settings)
        work_dir.mkdir(parents=True, exist_ok=True)
        duckdb_path = dataset.write_duckdb(work_dir / "matomo.duckdb", app_db=app_db)
        with mysql_support.temporary_databases(settings, "matomo") as (matomo_database,):
            mysql_support.copy_duckdb_tables(duckdb_path, settings, matomo_database, prefix=dataset.prefix)
            return run_mysql_engine(engine, matomo_database, work_dir, variables, settings)

    return run


ENGINE_RUNNERS["mariadb"] = _mysql_case_runner("mariadb")
ENGINE_RUNNERS["duckdb_mysql"] = _mysql_case_runner("duckdb_mysql")
