"""The demo: a fresh run reproduces the committed processed_data/, which holds aggregates only."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import duckdb
import pytest

from harness import OUTPUT_FILES, REPO_ROOT, run_duckdb_pipeline

COMMITTED_OUTPUT = REPO_ROOT / "processed_data"


def _makefile_setting(name: str) -> str:
    """Read a `NAME ?= value` default from the Makefile, so the test runs what `make demo` runs."""
    match = re.search(rf"^{name} \?= (.+)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert match, f"{name} not found in the Makefile"
    return match.group(1).strip()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("demo")
    duckdb_path = work_dir / "matomo_demo.duckdb"
    subprocess.run(
        [
            sys.executable, "-m", "generator",
            "--events", _makefile_setting("DEMO_EVENTS"),
            "--seed", _makefile_setting("DEMO_SEED"),
            "--prefix", "matomo_",
            "--output", str(duckdb_path),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    import yaml

    variables = yaml.safe_load(_makefile_setting("DEMO_VARS"))
    result = run_duckdb_pipeline(duckdb_path, work_dir, variables)
    return duckdb_path, result


@pytest.mark.slow
@pytest.mark.parametrize("file_name", OUTPUT_FILES)
def test_demo_reproduces_committed_file(demo_run, file_name):
    _, result = demo_run
    committed = (COMMITTED_OUTPUT / file_name).read_bytes().decode("utf-8")

    assert result.files[file_name] == committed, (
        f"processed_data/{file_name} differs from a fresh demo run; run `make demo` "
        "(or `make demo-data build export`) and commit processed_data/"
    )


def _identifiers(duckdb_path):
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    visitors = {row[0] for row in connection.execute("select distinct lower(hex(idvisitor)) from matomo_log_visit").fetchall()}
    visitors |= {
        row[0]
        for row in connection.execute(
            "select distinct lower(hex(idvisitor)) from matomo_log_link_visit_action"
        ).fetchall()
    }
    user_ids = {
        row[0].strip()
        for row in connection.execute("select distinct user_id from matomo_log_visit where user_id is not null").fetchall()
        if row[0].strip() and row[0].strip().lower() not in ("null", "undefined")
    }
    profiles = {str(row[0]) for row in connection.execute("select distinct hybrid_profile_id from hybrid_games_links").fetchall()}
    connection.close()
    return visitors, user_ids, profiles


@pytest.mark.slow
def test_processed_data_has_no_identifiers(demo_run):
    duckdb_path, _ = demo_run
    visitors, user_ids, profiles = _identifiers(duckdb_path)
    assert visitors and user_ids and profiles

    for file_name in OUTPUT_FILES:
        text = (COMMITTED_OUTPUT / file_name).read_text(encoding="utf-8")
        for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            for field in row:
                assert field not in visitors, f"{file_name}:{line_number} holds a visitor id"
                assert field not in user_ids, f"{file_name}:{line_number} holds a user id"
                assert field not in profiles, f"{file_name}:{line_number} holds a profile id"
    manifest_text = (COMMITTED_OUTPUT / "manifest.json").read_text()
    assert not any(visitor in manifest_text for visitor in visitors)
