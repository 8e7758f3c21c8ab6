"""The JSON and number macros give the same values on MariaDB as on DuckDB.

Each macro is compiled by dbt for both engines (`dbt compile --inline`) and run over the same
payloads: on DuckDB in memory, on MariaDB in a table whose payload column has Matomo's
case-insensitive collation. The payloads cover numbers at the edges of the double range,
escapes, case, trailing spaces, and texts that only one engine's JSON parser accepts.
"""

from __future__ import annotations

import json
import math
import subprocess

import duckdb
import pytest

import mysql_support
from harness import REPO_ROOT, dbt_environment, prepare_profiles_dir

pytestmark = pytest.mark.mysql

# The midpoint between the largest double and 2^1024: from here on a number overflows.
OVERFLOW_MIDPOINT = str(2**1024 - 2**970)
BELOW_MIDPOINT = str(2**1024 - 2**970 - 1)

# (payload, JSON path). Paths are read with every macro; the payload is used only when
# json_is_strict accepts it, as in int_score_payloads.
CASES: list[tuple[str, str]] = [
    ('{"a": 1.0}', "$.a"),
    ('{"a": 1E2}', "$.a"),
    ('{"a": -0}', "$.a"),
    ('{"a": 0.1e-400}', "$.a"),
    ('{"a": 1e400}', "$.a"),
    ('{"a": -1e400}', "$.a"),
    ('{"a": 1.7976931348623159e308}', "$.a"),
    ('{"a": 1.5e308}', "$.a"),
    ('{"a": 12345678901234567890123}', "$.a"),
    ('{"a": 18446744073709551615}', "$.a"),
    ('{"a": -9223372036854775809}', "$.a"),
    ('{"a": 0.000000000000000000000000001234}', "$.a"),
    ('{"a": 1e99999999999}', "$.a"),
    ('{"a": 1e-99999999999}', "$.a"),
    ('{"a": 0e99999999999}', "$.a"),
    ('{"a": ' + OVERFLOW_MIDPOINT + "}", "$.a"),
    ('{"a": " 5 "}', "$.a"),
    ('{"a": "+5"}', "$.a"),
    ('{"a": ".5"}', "$.a"),
    ('{"a": "5."}', "$.a"),
    ('{"a": "\\t7\\n"}', "$.a"),
    ('{"a": " 1e400 "}', "$.a"),
    ('{"a": "-1E+3"}', "$.a"),
    ('{"a": "0x10"}', "$.a"),
    ('{"a": "5 5"}', "$.a"),
    ('{"a": ""}', "$.a"),
    ('{"a": "\\u00e9\\"x"}', "$.a"),
    ('{"a": "\\uD83D\\uDE00"}', "$.a"),
    ('{"a": "Zoë"}', "$.a"),
    ('{"a": "Action "}', "$.a"),
    ('{"a": "action"}', "$.a"),
    ('{"a": true}', "$.a"),
    ('{"a": false}', "$.a"),
    ('{"a": "true"}', "$.a"),
    ('{"a": "TRUE"}', "$.a"),
    ('{"a": "true "}', "$.a"),
    ('{"a": null}', "$.a"),
    ('{"a": [1, [2, 3], {"b": 4}]}', "$.a"),
    ('{"a": [1, [2, 3], {"b": 4}]}', "$.a[1]"),
    ('{"a": [1, [2, 3], {"b": 4}]}', "$.a[2].b"),
    ('{"a": [1, [2, 3], {"b": 4}]}', "$.a[3]"),
    ('{"a": ["x", ["y", "z"], {"b": 4}]}', "$.a"),
    ('{"a": ["x", ["y", "z"], {"b": 4}]}', "$.a[1]"),
    ('{"a": []}', "$.a"),
    ('{"a": {"b": {"c": "d"}}}', "$.a.b"),
    ('{"a": 1}', "$.missing"),
    ('{"a": 1}', "$"),
    (' {"a": 1} ', "$.a"),
    ("[1, 2]", "$"),
    ('"text"', "$"),
    # Rejected by the strict check on both engines, for different reasons.
    ('{"a": 1,}', "$.a"),
    ('{"a": NaN}', "$.a"),
    ("{'a': 1}", "$.a"),
    ('{"a": 1.}', "$.a"),
    ('{"a": -}', "$.a"),
    ('{"a": 1e}', "$.a"),
    ('{"a": 01}', "$.a"),
    ('{"a": "\\x"}', "$.a"),
    ('{"a": "\\U00e9"}', "$.a"),
    ('{"a": "\\ud800"}', "$.a"),
    ('{"a": "x\ty"}', "$.a"),
    ('{"a": 1}x', "$.a"),
    ('{"a": 1}\x0c', "$.a"),
    ("", "$"),
]

QUERY = """
with cases as (

    select case_id, payload, path from json_cases

),

checked as (

    select
        case_id,
        path,
        {{ json_is_strict('payload') }} as is_strict,
        payload

    from cases

),

documents as (

    select
        case_id,
        path,
        is_strict,
        case when is_strict then payload end as document

    from checked

)

select
    case_id,
    is_strict,
    {{ json_kind('document', 'path') }} as kind,
    {{ json_text('document', 'path') }} as text_value,
    {{ json_number_at('document', 'path') }} as number_value,
    {{ is_finite(json_number_at('document', 'path')) }} as number_is_finite,
    {{ json_array_length_at('document', 'path') }} as array_length,
    {{ json_is_true('document', 'path') }} as is_true,
    {{ json_kind(json_fragment('document', 'path'), "'$'") }} as fragment_kind

from documents
order by case_id
"""

COLUMNS = (
    "case_id", "is_strict", "kind", "text_value", "number_value", "number_is_finite",
    "array_length", "is_true", "fragment_kind",
)


def compile_inline(tmp_path, target: str, dbt_executable, environment: dict[str, str]) -> str:
    """Return QUERY compiled by dbt for `target`."""
    profiles_dir = prepare_profiles_dir(tmp_path / target)
    command = [
        str(dbt_executable), "compile", "--inline", QUERY, "--output", "json",
        "--project-dir", str(REPO_ROOT), "--profiles-dir", str(profiles_dir),
        "--target-path", str(tmp_path / target / "target"), "--log-path", str(tmp_path / target / "logs"),
    ]
    if target != "dev":
        command += ["--target", target]
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    start = completed.stdout.index('{\n  "compiled"')
    compiled, _ = json.JSONDecoder().raw_decode(completed.stdout[start:])
    return compiled["compiled"]


def normalize(row: tuple) -> dict:
    """Make one result row comparable across drivers: booleans from 0/1, numbers by value."""
    values = dict(zip(COLUMNS, row))
    for name in ("is_strict", "number_is_finite", "is_true"):
        if values[name] is not None:
            values[name] = bool(values[name])
    if values["array_length"] is not None:
        values["array_length"] = int(values["array_length"])
    number = values["number_value"]
    if number is not None:
        number = float(number)
        # MariaDB has no infinity: an overflowed number is +-DBL_MAX there, flagged as not finite.
        values["number_value"] = repr(number) if values["number_is_finite"] else math.copysign(1, number)
    if values["kind"] in ("number", "object", "array"):
        # json_text is for scalars. Engines write numbers differently (1E2 or 100.0), so their
        # values are compared, and containers differ in spacing.
        values["text_value"] = None
    return values


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    settings = mysql_support.require_server()
    tmp_path = tmp_path_factory.mktemp("json_macros")
    environment = dbt_environment(tmp_path / "unused.duckdb")
    environment.update(settings.environment())
    environment["HYBRID_MYSQL_SCHEMA"] = "hd_test_unused"

    duckdb_sql = compile_inline(tmp_path, "dev", mysql_support.MAIN_VENV_DBT, environment)
    mariadb_sql = compile_inline(tmp_path, "mariadb", mysql_support.MYSQL_VENV_DBT, environment)

    rows = [(case_id, payload, path) for case_id, (payload, path) in enumerate(CASES)]
    connection = duckdb.connect()
    connection.execute("create table json_cases (case_id integer, payload varchar, path varchar)")
    connection.executemany("insert into json_cases values (?, ?, ?)", rows)
    duckdb_rows = connection.execute(duckdb_sql).fetchall()
    connection.close()

    with mysql_support.temporary_databases(settings, "json") as (database,):
        mariadb = settings.connect(database)
        with mariadb.cursor() as cursor:
            cursor.execute(
                "create table json_cases (case_id int, payload varchar(1000), path varchar(100)) "
                + mysql_support.TABLE_OPTIONS
            )
            cursor.executemany("insert into json_cases values (%s, %s, %s)", rows)
            cursor.execute(mariadb_sql)
            mariadb_rows = cursor.fetchall()
        mariadb.close()
    return (
        {row[0]: normalize(row) for row in duckdb_rows},
        {row[0]: normalize(row) for row in mariadb_rows},
    )


@pytest.mark.parametrize("case_id", range(len(CASES)), ids=[f"{p!r} {q}"[:60] for p, q in CASES])
def test_json_macros_agree(results, case_id):
    duckdb_values, mariadb_values = results
    assert mariadb_values[case_id] == duckdb_values[case_id]


def test_expected_values_on_both_engines(results):
    for values in results:
        by_case = {CASES[case_id]: row for case_id, row in values.items()}
        assert by_case[('{"a": 1e400}', "$.a")]["number_is_finite"] is False
        assert by_case[('{"a": ' + OVERFLOW_MIDPOINT + "}", "$.a")]["number_is_finite"] is False
        assert by_case[('{"a": 1.5e308}', "$.a")]["number_value"] == repr(1.5e308)
        assert by_case[('{"a": " 5 "}', "$.a")]["number_value"] == repr(5.0)
        assert by_case[('{"a": "0x10"}', "$.a")]["number_value"] is None
        assert by_case[('{"a": "\\u00e9\\"x"}', "$.a")]["text_value"] == 'é"x'
        assert by_case[('{"a": "TRUE"}', "$.a")]["is_true"] is False
        assert by_case[('{"a": "true "}', "$.a")]["is_true"] is False
        assert by_case[('{"a": "true"}', "$.a")]["is_true"] is True
        assert by_case[('{"a": ["x", ["y", "z"], {"b": 4}]}', "$.a")]["array_length"] == 3
        assert by_case[('{"a": ["x", ["y", "z"], {"b": 4}]}', "$.a[1]")]["fragment_kind"] == "array"
        assert by_case[('{"a": "\\x"}', "$.a")]["is_strict"] is False
        assert by_case[('{"a": 1,}', "$.a")]["is_strict"] is False


def test_number_below_overflow_midpoint_is_finite_on_duckdb():
    """The midpoint used on MariaDB is where DuckDB's own parser starts to overflow."""
    connection = duckdb.connect()
    below, at = connection.execute(
        f"select isfinite(cast('{BELOW_MIDPOINT}' as double)), isfinite(cast('{OVERFLOW_MIDPOINT}' as double))"
    ).fetchone()
    connection.close()
    assert below is True
    assert at is False
