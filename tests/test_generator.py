"""Tests of the Matomo data generator on real DuckDB files."""

from __future__ import annotations

import datetime as dt
import html
import json
import subprocess
import sys
import zlib
from pathlib import Path

import duckdb
import pytest

from generator import generate
from generator.catalogue import CATALOGUE_GAMES, GAMES, catalogue_csv
from generator.payloads import MAX_DIMENSION_LENGTH
from generator.schema import APP_TABLES, MATOMO_TABLES, create_tables, insert_rows

REPO = Path(__file__).resolve().parents[1]
EVENTS = 60_000
SEED = 7

EVENT_NAMES = {
    "hybrid_game_started",
    "hybrid_game_introduction_completed",
    "hybrid_game_action_completed",
    "hybrid_game_mid_introduction",
    "hybrid_game_question_completed",
    "hybrid_game_poll_completed",
    "hybrid_game_reward_completed",
    "hybrid_game_completed",
    "mcq_started",
    "mcq_completed",
    "introduction_completed",
}
# Key of each table that orders its rows.
ORDER_KEYS = {
    "log_link_visit_action": "idlink_va",
    "log_visit": "idvisit",
    "log_action": "idaction",
    "site": "idsite",
    "hybrid_games": "id",
    "hybrid_games_links": "id",
    "hybrid_game_completions": "id",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "seed7.duckdb"
    generate(path, events=EVENTS, seed=SEED, chunk_rows=7_000)
    return path


@pytest.fixture(scope="module")
def con(database):
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def payloads(con) -> list[str]:
    rows = con.execute(
        "SELECT custom_dimension_1 FROM log_link_visit_action WHERE custom_dimension_1 IS NOT NULL"
    ).fetchall()
    return [value for (value,) in rows]


def table_digests(path: Path, prefix: str = "") -> dict[str, str]:
    """MD5 of each table's rows in key order, so equal digests mean equal contents."""
    with duckdb.connect(str(path), read_only=True) as connection:
        digests = {}
        for table, key in ORDER_KEYS.items():
            name = table if table in APP_TABLES else prefix + table
            digests[table] = connection.execute(
                f"SELECT md5(string_agg(md5(t::VARCHAR), ',' ORDER BY {key})) FROM {name} AS t"
            ).fetchone()[0]
        return digests


def reject_constant(constant: str):
    raise ValueError(f"{constant} is not strict JSON")


def parse_json(text: str):
    """Parse strict JSON (no NaN or Infinity); return None when the text is not valid."""
    try:
        return json.loads(text, parse_constant=reject_constant)
    except ValueError:
        return None


def test_same_seed_same_contents(tmp_path):
    # Another process (with another str hash seed) and another chunk size give the same rows.
    first, again = tmp_path / "first.duckdb", tmp_path / "again.duckdb"
    generate(first, events=12_000, seed=SEED, chunk_rows=2_500)
    subprocess.run(
        [sys.executable, "-m", "generator", "--events", "12000", "--seed", str(SEED),
         "--output", str(again), "--chunk-rows", "25000"],
        cwd=REPO, check=True, capture_output=True,
    )

    assert table_digests(again) == table_digests(first)


def test_other_seed_other_contents(tmp_path):
    generate(tmp_path / "first.duckdb", events=3_000, seed=SEED)
    generate(tmp_path / "second.duckdb", events=3_000, seed=SEED + 1)

    first, second = table_digests(tmp_path / "first.duckdb"), table_digests(tmp_path / "second.duckdb")
    for table in ("log_link_visit_action", "log_visit", "log_action", "hybrid_games_links"):
        assert first[table] != second[table], table


def test_row_counts_scale_with_events(con, tmp_path):
    small = tmp_path / "small.duckdb"
    counts = generate(small, events=2_000, seed=SEED)
    large_visits = con.execute("SELECT count(*) FROM log_visit").fetchone()[0]

    assert counts["log_link_visit_action"] == 2_000
    assert con.execute("SELECT count(*) FROM log_link_visit_action").fetchone()[0] == EVENTS
    assert 0 < counts["log_visit"] < large_visits
    assert counts["hybrid_game_completions"] < con.execute("SELECT count(*) FROM hybrid_game_completions").fetchone()[0]


def test_one_event_is_one_row(tmp_path):
    counts = generate(tmp_path / "one.duckdb", events=1, seed=SEED)

    assert counts["log_link_visit_action"] == 1
    assert counts["log_visit"] == 1


def test_rerun_replaces_only_own_tables(tmp_path):
    path = tmp_path / "shared.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE model_output AS SELECT 42 AS answer")
    generate(path, events=1_500, seed=SEED)
    counts = generate(path, events=1_000, seed=SEED)
    with duckdb.connect(str(path), read_only=True) as connection:
        other_rows = connection.execute("SELECT answer FROM model_output").fetchall()
        events = connection.execute("SELECT count(*) FROM log_link_visit_action").fetchone()[0]

    assert other_rows == [(42,)]
    assert events == 1_000
    assert counts["log_link_visit_action"] == 1_000


def test_every_event_name_used(con):
    used = {
        name.strip()
        for (name,) in con.execute(
            "SELECT DISTINCT a.name FROM log_link_visit_action l "
            "JOIN log_action a ON a.idaction = l.idaction_name WHERE a.type = 4"
        ).fetchall()
    }

    assert EVENT_NAMES <= used
    assert {"Home", "Profile"} <= used


def test_page_views_and_nameless_actions(con):
    nameless = con.execute("SELECT count(*) FROM log_link_visit_action WHERE idaction_name IS NULL").fetchone()[0]
    page_views = con.execute(
        "SELECT count(*) FROM log_link_visit_action l JOIN log_action a ON a.idaction = l.idaction_name "
        "WHERE a.name IN ('Home', 'Profile', 'Settings') AND l.idaction_event_category IS NULL"
    ).fetchone()[0]

    assert nameless > 0
    assert page_views > 0


def test_duplicate_action_names_used(con):
    duplicated = con.execute(
        "SELECT a.name, count(DISTINCT a.idaction) FROM log_action a "
        "JOIN log_link_visit_action l ON l.idaction_name = a.idaction "
        "WHERE a.type = 4 GROUP BY a.name HAVING count(DISTINCT a.idaction) > 1"
    ).fetchall()

    assert "hybrid_game_completed" in {name for name, _ in duplicated}
    assert len(duplicated) >= len(EVENT_NAMES)


def test_escaped_and_padded_names(con):
    names = {name for (name,) in con.execute("SELECT name FROM log_action").fetchall()}

    assert "Shapes &amp; Colours" in names
    assert "Teacher&#039;s Quiz" in names
    assert "Parent&#039;s Corner" in names
    assert "hybrid_game_started " in names
    assert " hybrid_game_completed" in names
    assert "hybrid_game_question_completed\t" in names


def test_action_ids_unique_and_hashed(con):
    rows = con.execute("SELECT idaction, name, hash FROM log_action").fetchall()

    assert len({idaction for idaction, _, _ in rows}) == len(rows)
    assert all(hash_value == zlib.crc32(name.encode("utf-8")) for _, name, hash_value in rows)


def test_idvisitor_is_eight_bytes(con):
    for table in ("log_link_visit_action", "log_visit"):
        lengths = con.execute(f"SELECT DISTINCT octet_length(idvisitor) FROM {table}").fetchall()
        assert lengths == [(8,)], table


def test_action_visitor_differs_from_visit_sometimes(con):
    changed, total = con.execute(
        "SELECT count(*) FILTER (WHERE l.idvisitor <> v.idvisitor), count(*) "
        "FROM log_link_visit_action l JOIN log_visit v USING (idvisit)"
    ).fetchone()

    assert total == EVENTS
    assert 0 < changed < 0.05 * total


def test_visitors_return_and_user_ids(con):
    returning = con.execute(
        "SELECT count(*) FROM (SELECT idvisitor FROM log_visit GROUP BY idvisitor "
        "HAVING date_diff('day', min(visit_first_action_time), max(visit_first_action_time)) >= 14)"
    ).fetchone()[0]
    with_user, blank_user, visits = con.execute(
        "SELECT count(*) FILTER (WHERE trim(user_id) NOT IN ('', 'null', 'undefined')), "
        "count(*) FILTER (WHERE trim(user_id) IN ('', 'null', 'undefined')), count(*) FROM log_visit"
    ).fetchone()

    assert returning > 0
    assert 0.4 * visits < with_user < visits
    assert blank_user > 0


def test_visits_cross_local_midnight(con):
    crossing = con.execute(
        "SELECT count(*) FROM log_visit WHERE CAST(visit_first_action_time + INTERVAL 330 MINUTE AS DATE) "
        "<> CAST(visit_last_action_time + INTERVAL 330 MINUTE AS DATE)"
    ).fetchone()[0]

    assert crossing > 0


def test_visit_times_match_actions(con):
    mismatches = con.execute(
        "SELECT count(*) FROM log_visit v JOIN (SELECT idvisit, min(server_time) AS first_time, "
        "max(server_time) AS last_time FROM log_link_visit_action GROUP BY idvisit) a USING (idvisit) "
        "WHERE v.visit_first_action_time <> a.first_time OR v.visit_last_action_time <> a.last_time"
    ).fetchone()[0]

    assert mismatches == 0


def test_dates_span_months_in_ist(con):
    first, last = con.execute(
        "SELECT min(CAST(server_time + INTERVAL 330 MINUTE AS DATE)), "
        "max(CAST(server_time + INTERVAL 330 MINUTE AS DATE)) FROM log_link_visit_action"
    ).fetchone()
    site = con.execute("SELECT idsite, timezone FROM site").fetchall()

    assert first == dt.date(2025, 6, 28)
    assert dt.date(2025, 11, 1) <= last <= dt.date(2025, 11, 30)
    assert site == [(1, "Asia/Kolkata")]


def test_start_date_moves_the_data(tmp_path):
    path = tmp_path / "later.duckdb"
    generate(path, events=3_000, seed=SEED, start_date=dt.date(2026, 1, 1))
    with duckdb.connect(str(path), read_only=True) as connection:
        first = connection.execute(
            "SELECT min(CAST(server_time + INTERVAL 330 MINUTE AS DATE)) FROM log_link_visit_action"
        ).fetchone()[0]

    assert first == dt.date(2025, 12, 29)


def test_activity_dimension_values(con):
    rows = con.execute("SELECT DISTINCT custom_dimension_2 FROM log_link_visit_action").fetchall()
    values = {value for (value,) in rows}
    catalogue_ids = {game.activity_id for game in CATALOGUE_GAMES}

    assert catalogue_ids <= values
    assert any(value is not None and value != value.strip() and value.strip() in catalogue_ids for value in values)
    assert {"", "null", "undefined"} & values
    assert None in values
    assert {"999", "0101"} & values
    assert {"401", "113"} <= values


def test_all_payload_shapes_present(payloads):
    parsed = [value for value in (parse_json(text) for text in payloads) if isinstance(value, dict)]

    def present(check) -> bool:
        return any(check(value) for value in parsed)

    assert present(lambda p: isinstance(p.get("score"), int) and not isinstance(p.get("score"), bool))
    assert present(lambda p: isinstance(p.get("totalScore"), str))
    assert present(lambda p: "correctSelections" in p)
    assert present(lambda p: isinstance(p.get("jsonData"), dict) and "totalScore" in p["jsonData"])
    assert present(lambda p: isinstance(p.get("action_level"), dict) and "totalScore" in p["action_level"])
    assert present(
        lambda p: isinstance(p.get("gameData"), list)
        and any(isinstance(level, dict) and "gameData" in level for level in p["gameData"])
        and "statistics" in json.dumps(p)
    )
    assert present(lambda p: p.get("section") == "Action" and isinstance(p.get("jsonData"), list))
    assert present(
        lambda p: isinstance(p.get("gameData"), list)
        and any(isinstance(item, dict) and item.get("section") == "Action" for item in p["gameData"])
    )
    assert present(lambda p: "options" in p and "chosenOption" in p)  # a multiple-choice answer as the root
    assert present(
        lambda p: isinstance(p.get("gameData"), list)
        and any(isinstance(item, dict) and "chosenOption" in item for item in p["gameData"])
    )


def test_percentage_scores_present(payloads):
    scores = [
        value["score"]
        for value in (parse_json(text) for text in payloads)
        if isinstance(value, dict) and isinstance(value.get("score"), int) and not isinstance(value["score"], bool)
    ]

    assert any(50 < score <= 100 for score in scores)
    assert any(score > 100 for score in scores)
    assert any(score < 0 for score in scores)


def test_payload_faults_present(payloads, con):
    escaped = [text for text in payloads if "&quot;" in text]
    full_length = [text for text in payloads if len(text) == MAX_DIMENSION_LENGTH]
    truncated = [text for text in full_length if parse_json(html.unescape(text)) is None]
    shorter_plain = [text for text in payloads if "&quot;" not in text and len(text) < MAX_DIMENSION_LENGTH]
    malformed = [text for text in shorter_plain if parse_json(text) is None]
    blank = con.execute(
        "SELECT count(*) FROM log_link_visit_action l JOIN log_action a ON a.idaction = l.idaction_name "
        "WHERE trim(a.name) IN ('hybrid_game_completed', 'mcq_completed') "
        "AND (l.custom_dimension_1 IS NULL OR trim(l.custom_dimension_1) IN ('', 'null', 'undefined'))"
    ).fetchone()[0]

    assert 0.01 * len(payloads) < len(escaped) < 0.1 * len(payloads)
    assert 0.01 * len(payloads) < len(truncated) < 0.1 * len(payloads)
    assert any(text.startswith("{'score'") for text in malformed)
    assert any("NaN" in text for text in malformed)
    assert any(text.startswith("score=") for text in malformed)
    assert any(text.rstrip("}").endswith(",") for text in malformed)
    assert blank > 0


def test_escaped_payloads_decode(payloads):
    escaped = [text for text in payloads if "&quot;" in text and len(text) < MAX_DIMENSION_LENGTH]
    decoded = [parse_json(html.unescape(text)) for text in escaped]

    assert decoded
    assert any(isinstance(value, dict) for value in decoded)


def test_payload_length_at_most_250(con):
    longest = con.execute("SELECT max(length(custom_dimension_1)) FROM log_link_visit_action").fetchone()[0]

    assert longest == MAX_DIMENSION_LENGTH


def test_payloads_only_on_completed_events(con):
    names = con.execute(
        "SELECT DISTINCT trim(a.name) FROM log_link_visit_action l JOIN log_action a ON a.idaction = l.idaction_name "
        "WHERE l.custom_dimension_1 IS NOT NULL"
    ).fetchall()

    assert {name for (name,) in names} == {"hybrid_game_completed", "mcq_completed"}


def test_app_database_consistent(con):
    orphan_completions = con.execute(
        "SELECT count(*) FROM hybrid_game_completions c LEFT JOIN hybrid_games_links l ON l.id = c.hybrid_game_link_id "
        "WHERE l.id IS NULL"
    ).fetchone()[0]
    orphan_links = con.execute(
        "SELECT count(*) FROM hybrid_games_links l LEFT JOIN hybrid_games g ON g.id = l.hybrid_game_id WHERE g.id IS NULL"
    ).fetchone()[0]
    completed_events, completions = con.execute(
        "SELECT (SELECT count(*) FROM log_link_visit_action l JOIN log_action a ON a.idaction = l.idaction_name "
        "WHERE trim(a.name) IN ('hybrid_game_completed', 'mcq_completed')), "
        "(SELECT count(*) FROM hybrid_game_completions)"
    ).fetchone()
    game_names = {name for (name,) in con.execute("SELECT game_name FROM hybrid_games").fetchall()}

    assert orphan_completions == 0
    assert orphan_links == 0
    assert 0.4 * completed_events < completions < completed_events
    assert {game.name for game in GAMES} <= game_names


def test_app_links_map_extra_activities(con):
    links = con.execute(
        "SELECT trim(l.activity_id), g.id, g.game_name FROM hybrid_games_links l "
        "JOIN hybrid_games g ON g.id = l.hybrid_game_id WHERE trim(l.activity_id) IN ('105', '113', '401')"
    ).fetchall()
    names_by_activity: dict[str, set[str]] = {}
    for activity_id, _, game_name in links:
        names_by_activity.setdefault(activity_id, set()).add(game_name)

    assert names_by_activity["113"] == {"Shapes & Colours"}
    assert names_by_activity["401"] == {"Puzzle Parade", "Puzzle Parade (copy)"}
    assert names_by_activity["105"] == {"Letter Hunt", "Shapes & Colours"}
    assert any(activity_id != activity_id.strip() for (activity_id,) in con.execute(
        "SELECT activity_id FROM hybrid_games_links").fetchall())


def test_completions_follow_completed_events(con):
    # Each completion comes 1 to 6 seconds after a completed event of a visit whose user_id is
    # the profile of the completion's link, or blank.
    unmatched = con.execute(
        """
        SELECT count(*) FROM hybrid_game_completions c
        JOIN hybrid_games_links k ON k.id = c.hybrid_game_link_id
        WHERE NOT EXISTS (
            SELECT 1 FROM log_link_visit_action l
            JOIN log_action a ON a.idaction = l.idaction_name
            JOIN log_visit v ON v.idvisit = l.idvisit
            WHERE trim(a.name) IN ('hybrid_game_completed', 'mcq_completed')
              AND c.created_at BETWEEN l.server_time + INTERVAL 1 SECOND AND l.server_time + INTERVAL 6 SECOND
              AND (v.user_id IS NULL OR trim(v.user_id) IN ('', 'null', 'undefined')
                   OR trim(v.user_id) = CAST(k.hybrid_profile_id AS VARCHAR))
        )
        """
    ).fetchone()[0]

    assert unmatched == 0


def test_catalogue_seed_matches_generator(tmp_path):
    written = tmp_path / "game_catalogue.csv"
    subprocess.run(
        [sys.executable, "-m", "generator", "--write-catalogue", str(written)],
        cwd=REPO, check=True, capture_output=True,
    )
    committed = (REPO / "seeds" / "game_catalogue.csv").read_bytes()

    assert committed == catalogue_csv().encode("utf-8")
    assert written.read_bytes() == committed
    assert len(CATALOGUE_GAMES) == 25
    assert committed.startswith(b"activity_id,game_name,game_code\n")
    assert b"Shapes & Colours" in committed
    assert b"Teacher's Quiz" in committed


def test_cli_prefix_without_app_db(tmp_path):
    path = tmp_path / "prefixed.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--events", "1500", "--seed", "3", "--output", str(path),
         "--prefix", "matomo_", "--no-app-db"],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = {name for (name,) in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        events = connection.execute("SELECT count(*) FROM matomo_log_link_visit_action").fetchone()[0]

    assert tables == {f"matomo_{table}" for table in MATOMO_TABLES}
    assert events == 1500
    assert "matomo_log_link_visit_action\t1500" in result.stdout


def test_prefix_keeps_contents(tmp_path):
    generate(tmp_path / "plain.duckdb", events=3_000, seed=SEED)
    generate(tmp_path / "prefixed.duckdb", events=3_000, seed=SEED, prefix="matomo_")

    assert table_digests(tmp_path / "prefixed.duckdb", prefix="matomo_") == table_digests(tmp_path / "plain.duckdb")


def test_cli_rejects_missing_events(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--output", str(tmp_path / "x.duckdb")],
        cwd=REPO, capture_output=True, text=True,
    )

    assert result.returncode == 2
    assert "--events" in result.stderr


def test_create_tables_and_insert_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "fixture.duckdb")) as connection:
        created = create_tables(connection, prefix="matomo_")
        insert_rows(connection, "log_visit", [
            {"idvisit": 1, "idsite": 1, "idvisitor": "aaaa000000000001", "user_id": "u1",
             "visit_first_action_time": "2025-07-01 10:00:00"},
        ], prefix="matomo_")
        insert_rows(connection, "hybrid_games", [{"id": 1, "game_name": "Shapes & Colours", "game_code": "SC"}],
                    prefix="matomo_")
        visit = connection.execute(
            "SELECT hex(idvisitor), user_id, visit_first_action_time, visit_last_action_time FROM matomo_log_visit"
        ).fetchone()
        games = connection.execute("SELECT game_name FROM hybrid_games").fetchall()

    assert set(created) == {f"matomo_{table}" for table in MATOMO_TABLES} | set(APP_TABLES)
    assert visit == ("AAAA000000000001", "u1", dt.datetime(2025, 7, 1, 10, 0), None)
    assert games == [("Shapes & Colours",)]


def test_insert_rows_rejects_bad_input(tmp_path):
    with duckdb.connect(str(tmp_path / "fixture.duckdb")) as connection:
        create_tables(connection, app_db=False)
        with pytest.raises(ValueError, match="16 hex digits"):
            insert_rows(connection, "log_visit", [{"idvisit": 1, "idvisitor": "abcd"}])
        with pytest.raises(ValueError, match="unknown columns"):
            insert_rows(connection, "log_visit", [{"idvisit": 1, "visitor": "aaaa000000000001"}])
        with pytest.raises(ValueError, match="unknown table"):
            insert_rows(connection, "log_visits", [{"idvisit": 1}])
