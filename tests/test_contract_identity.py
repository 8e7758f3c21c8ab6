"""User keys, instance keys and game names: blank values, trimming and exact text comparison.

Unless a test states otherwise: site 1 in UTC, start_date 2000-01-01, event type read from the
event action (stages `started` and `completed`), game from the event category, every event
its own visit. Expected values are worked out by hand in each test.
"""

from __future__ import annotations

import csv
import io

from harness import standard_case_dataset

V1 = "aaaa000000000001"
V2 = "aaaa000000000002"
V3 = "aaaa000000000003"
V4 = "aaaa000000000004"
V5 = "aaaa000000000005"
V7 = "aaaa000000000007"
V8 = "aaaa000000000008"
V9 = "aaaa000000000009"
NOON = "2024-01-08 12:00:00"

BLANK_TEXTS = [None, "", "   ", "\t\x0b\x0c\r\n", "null", "NULL", "Undefined", "uNDEFINED"]


def _one(rows, **criteria):
    matches = [row for row in rows if all(row[key] == value for key, value in criteria.items())]
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def _quality(result, check_name: str) -> str:
    return _one(result.rows("data_quality.csv"), check_name=check_name, game_name="")["value"]


def _users_by_game(result, event_type: str = "started") -> dict[str, str]:
    return {
        row["game_name"]: row["users"]
        for row in result.rows("conversion_funnel_games.csv")
        if row["event_type"] == event_type
    }


def test_user_id_then_visitor_keys(case_runner):
    dataset = standard_case_dataset()

    # Blank user ids fall back to the visitor, so all eight are the user V1.
    for user_id in BLANK_TEXTS:
        visit = dataset.add_visit(V1, user_id=user_id)
        dataset.add_event(NOON, "started", category="blank_ids", visit=visit)
    # `0` is a user id, distinct from the visitor V1 of the same visit.
    for user_id in ["0", None]:
        visit = dataset.add_visit(V1, user_id=user_id)
        dataset.add_event(NOON, "started", category="zero", visit=visit)
    # User ids are trimmed, so three visitors are one user `u1`.
    for visitor, user_id in [(V2, " u1 "), (V3, "u1"), (V4, "\tu1\n")]:
        visit = dataset.add_visit(visitor, user_id=user_id)
        dataset.add_event(NOON, "started", category="trimmed", visit=visit)
    # Case and accents make distinct users.
    for category, user_ids in [("case", ["Player1", "player1"]), ("accent", ["Zo\u00eb", "Zoe"])]:
        for user_id in user_ids:
            visit = dataset.add_visit(V2, user_id=user_id)
            dataset.add_event(NOON, "started", category=category, visit=visit)

    result = case_runner(dataset, user_identity="user_id_then_visitor")

    assert _users_by_game(result) == {
        "accent": "2",
        "blank_ids": "1",
        "case": "2",
        "trimmed": "1",
        "zero": "2",
    }
    # V1, 0, u1, Player1, player1, Zoë, Zoe
    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["users"] == "7"
    assert _quality(result, "blank_user_keys") == "0"


def test_outputs_hold_no_user_or_visitor_ids(case_runner):
    dataset = standard_case_dataset()
    for visitor, user_id in [(V1, "Player1"), (V2, None)]:
        visit = dataset.add_visit(visitor, user_id=user_id)
        dataset.add_event(NOON, "started", category="A", visit=visit, payload='{"score": 1}')
        dataset.add_event(NOON, "completed", category="A", visit=visit, payload='{"score": 1}')

    result = case_runner(dataset, user_identity="user_id_then_visitor")
    text = "".join(result.files.values())

    assert "Player1" not in text
    assert V2 not in text
    assert V2.upper() not in text


def test_action_without_visit_row(case_runner):
    dataset = standard_case_dataset()
    dataset.add_event(NOON, "started", visitor=V1)
    # The action rows carry a visitor id, but without a log_visit row the user key is blank.
    dataset.add_event(NOON, "started", visitor=V5, visit=998)
    dataset.add_event(NOON, "started", visitor=V5, visit=999)
    dataset.add_event(NOON, "completed", visitor=V5, visit=999)
    # Not an event, so not counted among blank user keys.
    dataset.add_event(NOON, "viewed", visitor=V5, visit=999)

    result = case_runner(dataset)
    total = result.rows("conversion_funnel_total.csv")

    started = _one(total, event_type="started")
    assert started["events"] == "3"
    assert started["users"] == "1"
    assert started["visits"] == "3"
    assert _one(total, event_type="completed")["users"] == "0"
    assert _quality(result, "blank_user_keys") == "3"


def test_final_visitor_of_visit_counts(case_runner):
    # The action rows of both visits carry V7 and V8, but log_visit stores V9 as the final
    # visitor of each, so there is one user. Blank user ids fall back to that visitor.
    dataset = standard_case_dataset()
    first = dataset.add_visit(V9)
    dataset.add_event(NOON, "started", visitor=V7, visit=first)
    dataset.add_event(NOON, "completed", visitor=V8, visit=first)
    second = dataset.add_visit(V9, user_id="  ")
    dataset.add_event(NOON, "started", visitor=V8, visit=second)
    dataset.add_event(NOON, "completed", visitor=V7, visit=second)

    result = case_runner(dataset, user_identity="user_id_then_visitor")
    total = result.rows("conversion_funnel_total.csv")

    assert _one(total, event_type="started")["users"] == "1"
    assert _one(total, event_type="completed")["users"] == "1"
    assert _one(total, event_type="completed")["conversion_from_start"] == "1.000000"


def test_blank_instance_keys_and_shared_names(case_runner):
    # Instance key is the event name: `0`, `g1` and `G1` are the only keys. `g1` in games
    # A and B is one instance in the totals and one in each game.
    dataset = standard_case_dataset()
    visit = dataset.add_visit(V1)
    for event_name in ["\t\x0b\x0c\r\n", "NULL", "Undefined", "  undefined\t", "0", "g1", "G1"]:
        dataset.add_event(NOON, "started", category="A", name=event_name, visit=visit)
    dataset.add_event(NOON, "started", category="B", name="g1", visit=visit)

    result = case_runner(dataset, instance_key="event_name")
    games = result.rows("conversion_funnel_games.csv")

    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["instances"] == "3"
    assert _one(games, game_name="A", event_type="started")["instances"] == "3"
    assert _one(games, game_name="B", event_type="started")["instances"] == "1"


def test_blank_event_categories_have_no_game(case_runner):
    dataset = standard_case_dataset()
    for category in [None, "", "  ", "\t", "null", "Undefined", "NULL"]:
        dataset.add_event(NOON, "started", category=category)
    dataset.add_event(NOON, "started", category=None, category_id=9999)  # no log_action row
    for category in ["0", "A", " A\t"]:
        dataset.add_event(NOON, "started", category=category)

    result = case_runner(dataset)
    games = result.rows("conversion_funnel_games.csv")

    assert _quality(result, "events_without_game") == "8"
    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["events"] == "11"
    assert [row["game_name"] for row in games if row["event_type"] == "started"] == ["0", "A"]
    assert _one(games, game_name="A", event_type="started")["events"] == "2"


# Game names as Matomo stores them (HTML-escaped) and as written, in code-point order.
STORED_GAME_NAMES = [
    "a", "B", " a ", "Zo\u00eb", "Zoe", "Player1", "player1", "Comma, &quot;quoted&quot;",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "\u00c9clair", "Line\nbreak", "Carriage\rreturn",
    "semi;colon it&#039;s",
]
EXPECTED_GAME_ORDER = [
    "<script>alert(1)</script>",
    "B",
    "Carriage\rreturn",
    'Comma, "quoted"',
    "Line\nbreak",
    "Player1",
    "Zoe",
    "Zo\u00eb",
    "a",
    "player1",
    "semi;colon it's",
    "\u00c9clair",
]


def test_game_names_exact_and_code_point_order(case_runner):
    dataset = standard_case_dataset()
    for category in STORED_GAME_NAMES:
        dataset.add_event(NOON, "started", category=category, visitor=V1)

    result = case_runner(dataset)
    text = result.files["conversion_funnel_games.csv"]
    records = list(csv.reader(io.StringIO(text, newline="")))

    assert [record[0] for record in records[1:] if record[2] == "started"] == EXPECTED_GAME_ORDER
    assert [record[3] for record in records[1:] if record[0] == "a" and record[2] == "started"] == ["2"]


def test_game_names_minimal_csv_quoting(case_runner):
    dataset = standard_case_dataset()
    for category in STORED_GAME_NAMES:
        dataset.add_event(NOON, "started", category=category, visitor=V1)

    result = case_runner(dataset)
    lines = result.files["conversion_funnel_games.csv"].split("\n")

    assert '"Comma, ""quoted""",1,started,1,1,1,1,1.000000,' in lines
    assert "<script>alert(1)</script>,1,started,1,1,1,1,1.000000," in lines
    assert "semi;colon it's,1,started,1,1,1,1,1.000000," in lines
    assert "Zo\u00eb,1,started,1,1,1,1,1.000000," in lines
    assert "\u00c9clair,1,started,1,1,1,1,1.000000," in lines
    assert '"Line' in lines
    assert 'break",1,started,1,1,1,1,1.000000,' in lines
    assert '"Carriage\rreturn",1,started,1,1,1,1,1.000000,' in lines
