"""Field cases: small Matomo inputs from real pipeline failures, with values worked out by hand.

Unless a test says otherwise: site 1 in UTC, start_date 2000-01-01, standard Matomo event
tracking (event action = event type, event category = game `A`), stages `started` and
`completed`, every event its own visit with one visitor.
"""

from __future__ import annotations

from harness import MatomoDataset, standard_case_dataset

V1 = "aaaa000000000001"
V2 = "aaaa000000000002"
V3 = "aaaa000000000003"


def _select(rows, **criteria):
    return [row for row in rows if all(row[key] == value for key, value in criteria.items())]


def _one(rows, **criteria):
    matches = _select(rows, **criteria)
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def test_users_not_additive_across_days(case_runner):
    dataset = standard_case_dataset()
    dataset.add_event("2024-01-01 10:00:00", "started", visitor=V1)
    dataset.add_event("2024-01-02 10:00:00", "started", visitor=V1)
    dataset.add_event("2024-01-02 11:00:00", "started", visitor=V2)

    result = case_runner(dataset, start_date="2024-01-01")
    rows = result.rows("timeseries_total.csv")

    started = dict(event_type="started")
    assert _one(rows, period_type="day", period_start="2024-01-01", **started)["users"] == "1"
    assert _one(rows, period_type="day", period_start="2024-01-02", **started)["users"] == "2"
    week = _one(rows, period_type="week", period_start="2024-01-01", **started)
    assert week["users"] == "2"
    assert week["events"] == "3"
    assert _one(rows, period_type="month", period_start="2024-01-01", **started)["users"] == "2"


def test_blank_instance_keys_not_counted(case_runner):
    dataset = standard_case_dataset()
    visit = dataset.add_visit(V1)
    for event_name in ["g1", "g1", None, "", "   ", "0", "null"]:
        name_id = dataset.add_log_action(event_name, 12) if event_name is not None else None
        dataset.add_event("2024-01-01 10:00:00", "started", visit=visit, name_id=name_id)

    result = case_runner(dataset, instance_key="event_name")
    started = _one(result.rows("conversion_funnel_total.csv"), event_type="started")

    assert started["events"] == "7"
    assert started["instances"] == "2"
    assert started["visits"] == "1"


def test_duplicate_log_action_rows(case_runner):
    dataset = standard_case_dataset()
    dataset.add_log_action("started", 11, idaction=501)
    dataset.add_log_action("started", 11, idaction=502)
    dataset.add_log_action("started", 10, idaction=503)
    dataset.add_log_action("other", 11, idaction=504)
    category = dataset.add_log_action("A", 10)
    dataset.add_event("2024-01-01 10:00:00", None, action_id=501, category_id=category)
    dataset.add_event("2024-01-01 10:00:00", None, action_id=502, category_id=category)
    dataset.add_event("2024-01-01 10:00:00", None, action_id=504, category_id=503)

    result = case_runner(dataset)
    started = _one(result.rows("conversion_funnel_total.csv"), event_type="started")

    assert started["visits"] == "2"
    assert started["events"] == "2"
    unmatched = _one(result.rows("data_quality.csv"), check_name="unmatched_actions")
    assert unmatched["value"] == "1"


def test_daylight_saving_named_zone(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "Europe/Paris")
    for server_time in ["2024-03-30 23:30:00", "2024-03-31 21:59:59", "2024-03-31 22:30:00"]:
        dataset.add_event(server_time, "completed")

    result = case_runner(dataset, start_date="2024-03-30")
    days = _select(result.rows("timeseries_total.csv"), period_type="day", event_type="completed")

    assert {row["period_start"]: row["events"] for row in days} == {
        "2024-03-30": "0",
        "2024-03-31": "2",
        "2024-04-01": "1",
    }


def test_manual_utc_offset_zone(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC+5.5")
    dataset.add_event("2025-07-01 18:29:59", "completed")
    dataset.add_event("2025-07-01 18:30:00", "completed")

    result = case_runner(dataset, start_date="2025-07-01")
    days = _select(result.rows("timeseries_total.csv"), period_type="day", event_type="completed")

    assert {row["period_start"]: row["events"] for row in days} == {
        "2025-07-01": "1",
        "2025-07-02": "1",
    }


def test_negative_fractional_offset_zone(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC-3.5")
    dataset.add_event("2025-07-02 03:29:59", "completed")
    dataset.add_event("2025-07-02 03:30:00", "completed")

    result = case_runner(dataset, start_date="2025-07-01")
    days = _select(result.rows("timeseries_total.csv"), period_type="day", event_type="completed")

    assert {row["period_start"]: row["events"] for row in days} == {
        "2025-07-01": "1",
        "2025-07-02": "1",
    }


def test_week_start_and_gap_filling(case_runner):
    dataset = standard_case_dataset()
    for day in ["2020-12-27", "2020-12-28", "2021-01-01", "2021-01-03", "2021-01-04"]:
        dataset.add_event(f"{day} 12:00:00", "started")

    result = case_runner(dataset, start_date="2020-12-14")
    rows = result.rows("timeseries_total.csv")

    weeks = _select(rows, period_type="week", event_type="started")
    assert {row["period_start"]: row["events"] for row in weeks} == {
        "2020-12-14": "0",
        "2020-12-21": "1",
        "2020-12-28": "3",
        "2021-01-04": "1",
    }
    months = _select(rows, period_type="month", event_type="started")
    assert {row["period_start"]: row["events"] for row in months} == {
        "2020-12-01": "2",
        "2021-01-01": "3",
    }
    days = _select(rows, period_type="day", event_type="started")
    assert len(days) == 22
    assert days[0]["period_start"] == "2020-12-14"
    assert days[-1]["period_start"] == "2021-01-04"

    completed = _select(rows, event_type="completed")
    assert [(row["period_type"], row["period_start"]) for row in completed] == [
        (row["period_type"], row["period_start"]) for row in _select(rows, event_type="started")
    ]
    assert {row["events"] for row in completed} == {"0"}
    assert [row["period_type"] for row in rows] == sorted(
        (row["period_type"] for row in rows), key=["day", "week", "month"].index
    )


def _conversion_dataset() -> MatomoDataset:
    dataset = standard_case_dataset()
    noon = "2024-01-08 12:00:00"
    for visitor in [V1, V2, V3]:
        dataset.add_event(noon, "started", visitor=visitor, category="A")
    for visitor in [V1, V2]:
        dataset.add_event(noon, "completed", visitor=visitor, category="A")
    dataset.add_event(noon, "completed", visitor=V1, category="B")
    return dataset


def test_conversion_rates_and_empty_denominators(case_runner):
    result = case_runner(_conversion_dataset())

    total = result.rows("conversion_funnel_total.csv")
    assert _one(total, event_type="started")["users"] == "3"
    completed = _one(total, event_type="completed")
    assert completed["users"] == "2"
    assert completed["conversion_from_start"] == "0.666667"
    assert completed["conversion_from_previous"] == "0.666667"

    games = result.rows("conversion_funnel_games.csv")
    game_b_started = _one(games, game_name="B", event_type="started")
    assert game_b_started["users"] == "0"
    assert game_b_started["conversion_from_start"] == ""
    assert game_b_started["conversion_from_previous"] == ""
    game_b_completed = _one(games, game_name="B", event_type="completed")
    assert game_b_completed["users"] == "1"
    assert game_b_completed["conversion_from_start"] == ""
    assert game_b_completed["conversion_from_previous"] == ""
    game_a_completed = _one(games, game_name="A", event_type="completed")
    assert game_a_completed["conversion_from_start"] == "0.666667"


def test_zero_rate_is_real_rate(case_runner):
    dataset = standard_case_dataset()
    dataset.add_event("2024-01-08 12:00:00", "started", visitor=V1)

    result = case_runner(dataset)
    completed = _one(result.rows("conversion_funnel_total.csv"), event_type="completed")

    assert completed["conversion_from_start"] == "0.000000"
    assert completed["conversion_from_previous"] == "0.000000"


def test_rate_rounds_half_away_from_zero(case_runner):
    # 1 user of 128 at stage 2: 1/128 = 0.0078125, which rounds to 0.007813.
    dataset = standard_case_dataset()
    for number in range(128):
        dataset.add_event("2024-01-08 12:00:00", "started", visitor=f"{number:016x}")
    dataset.add_event("2024-01-08 13:00:00", "completed", visitor=f"{0:016x}")

    result = case_runner(dataset)
    completed = _one(result.rows("conversion_funnel_total.csv"), event_type="completed")

    assert completed["conversion_from_start"] == "0.007813"


SCORE_RANGES = [
    {"score_range": "0-20", "range_start": 0, "range_end": 21},
    {"score_range": "21-40", "range_start": 21, "range_end": 41},
    {"score_range": "41-60", "range_start": 41, "range_end": 61},
    {"score_range": "61-80", "range_start": 61, "range_end": 81},
    {"score_range": "81-100", "range_start": 81, "range_end": 100},
]

# (payload, expected outcome): a number is the score, else the data-quality bucket.
SCORE_PAYLOADS = [
    ('{"score": 85}', 85),
    ('{"score": "85"}', 85),
    ('{"score": 100}', 100),
    ('{"score": 0}', 0),
    ("{&quot;score&quot;: 42}", 42),
    (
        '{"gameData":[{"gameData":[{"statistics":{"correctSelections":3}},'
        '{"statistics":{"correctSelections":"2"}}]}]}',
        5,
    ),
    (
        '{"section":"Action","jsonData":[{"userResponse":[{"isCorrect":true}]},'
        '{"userResponse":[{"isCorrect":"true"}]},{"userResponse":[{"isCorrect":false}]}]}',
        2,
    ),
    (
        '{"options":[{"path":"o1.png","isCorrect":false},{"path":"o2.png","isCorrect":true}],'
        '"chosenOption":1,"totalTaps":2}',
        1,
    ),
    ('{"options":[{"isCorrect":true}],"chosenOption":null}', 0),
    ('{"score": 150}', "out_of_range"),
    ('{"score": {"value": 70}}', "invalid"),
    ('{"score": NaN}', "invalid"),
    ('{"score": -5}', "invalid"),
    ("{'score': 50}", "invalid"),
    ('{"score": 50,}', "invalid"),
    ("score=50", "invalid"),
    ('{"score": 7', "invalid"),
    ("", "missing"),
]


def test_score_payloads(case_runner):
    dataset = standard_case_dataset()
    for number, (payload, _) in enumerate(SCORE_PAYLOADS):
        dataset.add_event("2024-01-08 12:00:00", "completed", visitor=f"{number + 1:016x}", payload=payload)

    result = case_runner(dataset, score_ranges=SCORE_RANGES)

    distribution = {
        row["score_range"]: row for row in _select(result.rows("score_distribution.csv"), game_name="A")
    }
    assert {name: row["attempts"] for name, row in distribution.items()} == {
        "0-20": "5",
        "21-40": "0",
        "41-60": "1",
        "61-80": "0",
        "81-100": "3",
    }
    assert distribution["81-100"]["users"] == "3"
    assert (distribution["81-100"]["range_start"], distribution["81-100"]["range_end"]) == ("81", "100")

    quality = result.rows("data_quality.csv")
    assert _one(quality, check_name="invalid_scores", game_name="")["value"] == "7"
    assert _one(quality, check_name="missing_scores", game_name="")["value"] == "1"
    assert _one(quality, check_name="out_of_range_scores", game_name="")["value"] == "1"
    assert _one(quality, check_name="invalid_scores", game_name="A")["value"] == "7"


def test_csv_formatting_bytes(case_runner):
    dataset = _conversion_dataset()
    dataset.add_event("2024-01-10 12:00:00", "completed", visitor=V1, category="A")

    result = case_runner(dataset, start_date="2024-01-08")

    assert result.files["conversion_funnel_total.csv"] == (
        "stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
        "1,started,3,3,3,3,1.000000,\n"
        "2,completed,4,2,4,4,0.666667,0.666667\n"
    )
    timeseries_lines = result.files["timeseries_total.csv"].splitlines()
    assert "day,2024-01-09,started,0,0,0,0" in timeseries_lines
    assert "day,2024-01-08,started,3,3,3,3" in timeseries_lines
    assert timeseries_lines[0] == "period_type,period_start,event_type,events,users,visits,instances"
