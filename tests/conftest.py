"""Shared pytest settings: dbt never phones home, and tests run from the repository root."""

import os

os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

import pytest

from harness import run_case

# Engines that every field case runs on. The MariaDB runner registers itself in
# harness.ENGINE_RUNNERS; its parameter carries the `mysql` marker.
CASE_ENGINES = [
    "duckdb",
    pytest.param("mariadb", marks=pytest.mark.mysql),
    pytest.param("duckdb_mysql", marks=pytest.mark.mysql),
]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "mysql: needs a MariaDB server and .venv-mysql (dbt-mysql); skipped without them, failed in CI"
    )


@pytest.fixture(params=CASE_ENGINES)
def case_runner(request, tmp_path):
    """Return a function that runs a dataset through the pipeline on one engine."""
    engine = request.param

    def run(dataset, app_db=False, **overrides):
        return run_case(dataset, tmp_path / engine, app_db=app_db, engine=engine, **overrides)

    run.engine = engine
    return run


# The contract tests run on DuckDB and inside MariaDB. DuckDB reading MariaDB runs the same SQL
# as plain DuckDB, so the field cases, the parity tests and the real Matomo dump cover it, and
# leaving it out here keeps the suite within CI's time.
CONTRACT_ENGINES_SKIPPED = ("duckdb_mysql",)


def pytest_collection_modifyitems(config, items):
    kept, deselected = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("case_runner") if callspec else None
        if item.path.name.startswith("test_contract_") and engine in CONTRACT_ENGINES_SKIPPED:
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
