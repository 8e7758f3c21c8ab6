"""The real Matomo dump (Matomo's OmniFixture) end to end on DuckDB.

Expected funnel values are computed here in Python from the raw tables, independently of the
dbt models: names looked up through each row's own idaction column, users from log_visit's
final idvisitor, instances from non-blank event names.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from harness import (
    MOVIE_FUNNEL,
    OMNIFIXTURE_DUMP,
    OMNIFIXTURE_TABLES,
    OMNIFIXTURE_VARS,
    run_duckdb_pipeline,
)
from mysql_dump import load_mysql_dump

ENTITIES = [("&quot;", '"'), ("&#039;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
WHITESPACE = " \t\r\n\x0b\x0c"


def _clean(name):
    if name is None:
        return None
    for entity, character in ENTITIES:
        name = name.replace(entity, character)
    name = name.strip(WHITESPACE)
    if name == "" or name.lower() in ("null", "undefined"):
        return None
    return name


def _rate(numerator, denominator):
    if not denominator:
        return ""
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def omnifixture(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("omnifixture")
    duckdb_path = work_dir / "matomo.duckdb"
    counts = load_mysql_dump(OMNIFIXTURE_DUMP, duckdb_path, OMNIFIXTURE_TABLES)
    assert counts == {"log_visit": 499, "log_link_visit_action": 2832, "log_action": 2762, "site": 3}
    result = run_duckdb_pipeline(duckdb_path, work_dir, OMNIFIXTURE_VARS)
    return duckdb_path, result


def _expected_funnel(duckdb_path):
    """Per game and stage: events, distinct users, visits and instances, from the raw tables."""
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    names = dict(connection.execute("select idaction, name from log_action").fetchall())
    visitors = {
        idvisit: idvisitor.hex()
        for idvisit, idvisitor in connection.execute("select idvisit, idvisitor from log_visit").fetchall()
    }
    rows = connection.execute(
        "select idlink_va, idvisit, idaction_event_action, idaction_event_category, idaction_name "
        "from log_link_visit_action"
    ).fetchall()
    connection.close()

    groups = defaultdict(lambda: {"events": 0, "users": set(), "visits": set(), "instances": set()})
    for _, idvisit, action_id, category_id, name_id in rows:
        action = _clean(names.get(action_id))
        if action not in MOVIE_FUNNEL:
            continue
        game = _clean(names.get(category_id))
        for key in (("total", action), (game, action)):
            group = groups[key]
            group["events"] += 1
            if visitors.get(idvisit):
                group["users"].add(visitors[idvisit])
            group["visits"].add(idvisit)
            instance = _clean(names.get(name_id))
            if instance is not None:
                group["instances"].add(instance)
    return groups


@pytest.mark.parametrize("game", ["Movie", "Music"])
def test_game_funnel_matches_raw_tables(omnifixture, game):
    duckdb_path, result = omnifixture
    expected = _expected_funnel(duckdb_path)
    rows = {
        row["event_type"]: row
        for row in result.rows("conversion_funnel_games.csv")
        if row["game_name"] == game
    }

    first_users = len(expected[(game, MOVIE_FUNNEL[0])]["users"])
    previous_users = None
    for position, stage in enumerate(MOVIE_FUNNEL, start=1):
        group = expected[(game, stage)]
        row = rows[stage]
        assert row["stage_order"] == str(position)
        assert row["events"] == str(group["events"]), stage
        assert row["users"] == str(len(group["users"])), stage
        assert row["visits"] == str(len(group["visits"])), stage
        assert row["instances"] == str(len(group["instances"])), stage
        assert row["conversion_from_start"] == _rate(len(group["users"]), first_users), stage
        expected_previous = "" if previous_users is None else _rate(len(group["users"]), previous_users)
        assert row["conversion_from_previous"] == expected_previous, stage
        previous_users = len(group["users"])


def test_movie_funnel_has_every_stage(omnifixture):
    duckdb_path, result = omnifixture
    expected = _expected_funnel(duckdb_path)
    movie_events = {stage: expected[("Movie", stage)]["events"] for stage in MOVIE_FUNNEL}

    assert all(count > 0 for count in movie_events.values()), movie_events
    totals = {row["event_type"]: row for row in result.rows("conversion_funnel_total.csv")}
    for stage in MOVIE_FUNNEL:
        assert totals[stage]["events"] == str(expected[("total", stage)]["events"])
        assert totals[stage]["users"] == str(len(expected[("total", stage)]["users"]))


def test_escaped_names_are_unescaped_text(omnifixture):
    _, result = omnifixture
    games = {row["game_name"] for row in result.rows("conversion_funnel_games.csv")}

    long_names = [name for name in games if "SHOULD APPEAR IN TEST OUTPUT" in name]
    assert len(long_names) == 1
    assert long_names[0].endswith("---> SHOULD APPEAR IN TEST OUTPUT NOT TRUNCATED <---")
    assert not any("&gt;" in name or "&lt;" in name for name in games)


def test_every_window_event_reported(omnifixture):
    duckdb_path, result = omnifixture
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    action_rows = connection.execute("select count(*) from log_link_visit_action").fetchone()[0]
    names = dict(connection.execute("select idaction, name from log_action").fetchall())
    action_names = connection.execute("select idaction_event_action from log_link_visit_action").fetchall()
    connection.close()
    event_rows = sum(
        1
        for (action_id,) in action_names
        if _clean(names.get(action_id)) in MOVIE_FUNNEL
        or (_clean(names.get(action_id)) or "").startswith("event action Extremely long")
    )

    total_events = sum(int(row["events"]) for row in result.rows("conversion_funnel_total.csv"))
    unmatched = [row for row in result.rows("data_quality.csv") if row["check_name"] == "unmatched_actions"]
    assert total_events == event_rows
    assert int(unmatched[0]["value"]) == action_rows - event_rows
