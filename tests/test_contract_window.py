"""Reporting window, site selection and timezones.

Unless a test states otherwise: event type read from the event action (stages `started` and
`completed`), game from the event category, every event its own visit. Expected values are
worked out by hand in each test; Asia/Kolkata is UTC+05:30 all year.
"""

from __future__ import annotations

import pytest

from harness import MatomoDataset, PipelineError

TIMESERIES_HEADER = "period_type,period_start,event_type,events,users,visits,instances\n"
TIMESERIES_GAMES_HEADER = "period_type,period_start,game_name,event_type,events,users,visits,instances\n"


def _select(rows, **criteria):
    return [row for row in rows if all(row[key] == value for key, value in criteria.items())]


def _one(rows, **criteria):
    matches = _select(rows, **criteria)
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def _events_by_period(result, period_type: str, event_type: str = "started") -> dict[str, str]:
    rows = _select(result.rows("timeseries_total.csv"), period_type=period_type, event_type=event_type)
    return {row["period_start"]: row["events"] for row in rows}


def _dbt_output(error: PipelineError) -> str:
    """Return the command output of a failed run, without the command line and its vars."""
    return str(error).split("--- stdout ---", 1)[1]


def _window_dataset() -> MatomoDataset:
    dataset = MatomoDataset()
    dataset.add_site(1, "Asia/Kolkata")
    for server_time in [
        "2025-06-30 10:00:00",  # local 06-30: before the window, in its first week
        "2025-07-01 18:29:59",  # local 07-01 23:59:59: before the window
        "2025-07-01 18:30:00",  # local 07-02 00:00:00: first moment of the window
        "2025-08-01 18:29:59",  # local 08-01 23:59:59: last moment of the window
        "2025-08-01 18:30:00",  # local 08-02: after the window
    ]:
        dataset.add_event(server_time, "started")
    dataset.add_event("2025-07-01 10:00:00", "viewed")  # local 07-01: outside
    dataset.add_event("2025-07-10 10:00:00", "viewed")  # inside
    return dataset


def test_window_start_in_local_date(case_runner):
    # Without end_date the series ends with the newest event, local 08-02 00:00.
    result = case_runner(_window_dataset(), start_date="2025-07-02")
    days = _events_by_period(result, "day")

    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["events"] == "3"
    assert min(days) == "2025-07-02"
    assert max(days) == "2025-08-02"
    assert days["2025-07-02"] == "1"
    assert _events_by_period(result, "week")["2025-06-30"] == "1"
    assert _events_by_period(result, "month") == {"2025-07-01": "1", "2025-08-01": "2"}
    assert result.manifest()["last_event_at"] == "2025-08-02T00:00:00"


def test_window_bounds_in_local_dates(case_runner):
    result = case_runner(_window_dataset(), start_date="2025-07-02", end_date="2025-08-01")
    days = _events_by_period(result, "day")

    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["events"] == "2"
    assert len(days) == 31
    assert min(days) == "2025-07-02"
    assert max(days) == "2025-08-01"
    assert days["2025-07-02"] == "1"
    assert days["2025-08-01"] == "1"
    assert _events_by_period(result, "week") == {
        "2025-06-30": "1",
        "2025-07-07": "0",
        "2025-07-14": "0",
        "2025-07-21": "0",
        "2025-07-28": "1",
    }
    assert _events_by_period(result, "month") == {"2025-07-01": "1", "2025-08-01": "1"}
    assert _one(result.rows("data_quality.csv"), check_name="unmatched_actions")["value"] == "1"


def test_window_bounds_in_manifest(case_runner):
    result = case_runner(_window_dataset(), start_date="2025-07-02", end_date="2025-08-01")
    manifest = result.manifest()

    assert manifest["start_date"] == "2025-07-02"
    assert manifest["end_date"] == "2025-08-01"
    assert manifest["last_event_at"] == "2025-08-01T23:59:59"


def _quiet_dataset() -> MatomoDataset:
    # Only an action that matches no rule and an event before the window.
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_event("2025-07-03 10:00:00", "viewed")
    dataset.add_event("2025-07-01 10:00:00", "started")
    return dataset


def test_no_events_without_end_date(case_runner):
    result = case_runner(_quiet_dataset(), start_date="2025-07-02")

    assert result.files["timeseries_total.csv"] == TIMESERIES_HEADER
    assert result.files["timeseries_games.csv"] == TIMESERIES_GAMES_HEADER
    assert result.files["conversion_funnel_total.csv"] == (
        "stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
        "1,started,0,0,0,0,,\n"
        "2,completed,0,0,0,0,,\n"
    )
    assert result.files["conversion_funnel_games.csv"] == (
        "game_name,stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
    )
    assert result.files["score_distribution.csv"] == (
        "game_name,score_range,range_start,range_end,attempts,users\n"
    )
    assert result.files["repeatability_data.csv"] == "games_played,user_count,user_share,source\n"
    assert result.files["data_quality.csv"] == (
        "check_name,game_name,value\n"
        "events_without_game,,0\n"
        "blank_user_keys,,0\n"
        "missing_scores,,0\n"
        "invalid_scores,,0\n"
        "out_of_range_scores,,0\n"
        "unmatched_actions,,1\n"
    )
    assert result.manifest()["last_event_at"] is None


def test_no_events_gap_filled_to_end_date(case_runner):
    result = case_runner(_quiet_dataset(), start_date="2025-07-02", end_date="2025-07-04")

    assert result.files["timeseries_total.csv"] == TIMESERIES_HEADER + (
        "day,2025-07-02,started,0,0,0,0\n"
        "day,2025-07-02,completed,0,0,0,0\n"
        "day,2025-07-03,started,0,0,0,0\n"
        "day,2025-07-03,completed,0,0,0,0\n"
        "day,2025-07-04,started,0,0,0,0\n"
        "day,2025-07-04,completed,0,0,0,0\n"
        "week,2025-06-30,started,0,0,0,0\n"
        "week,2025-06-30,completed,0,0,0,0\n"
        "month,2025-07-01,started,0,0,0,0\n"
        "month,2025-07-01,completed,0,0,0,0\n"
    )
    assert result.files["timeseries_games.csv"] == TIMESERIES_GAMES_HEADER


def test_end_date_extends_gap_filling(case_runner):
    # The last event is on Wednesday 07-02, and end_date on Monday 07-07 adds days and a week.
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_event("2025-07-01 10:00:00", "started", category="A")
    dataset.add_event("2025-07-02 10:00:00", "completed", category="A")

    result = case_runner(dataset, start_date="2025-07-01", end_date="2025-07-07")
    games = result.rows("timeseries_games.csv")

    assert _events_by_period(result, "day", "completed") == {
        "2025-07-01": "0",
        "2025-07-02": "1",
        "2025-07-03": "0",
        "2025-07-04": "0",
        "2025-07-05": "0",
        "2025-07-06": "0",
        "2025-07-07": "0",
    }
    assert _events_by_period(result, "week", "completed") == {"2025-06-30": "1", "2025-07-07": "0"}
    assert len(_select(games, period_type="day", game_name="A")) == 14
    assert len(_select(games, period_type="week", game_name="A")) == 4


def _three_site_dataset(site_47_row: bool = False) -> MatomoDataset:
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_site(2, "Asia/Kolkata")
    if site_47_row:
        dataset.add_site(47, "UTC")
    dataset.add_event("2025-06-30 19:00:00", "started", idsite=1)  # local 06-30: outside
    dataset.add_event("2025-06-30 19:00:00", "started", idsite=2)  # local 07-01 00:30
    dataset.add_event("2025-07-01 10:00:00", "started", idsite=1)  # local 07-01
    dataset.add_event("2025-07-01 20:00:00", "started", idsite=1)  # local 07-01
    dataset.add_event("2025-07-01 20:00:00", "started", idsite=2)  # local 07-02 01:30
    dataset.add_event("2025-07-01 11:00:00", "viewed", idsite=1)
    for hour in range(10, 15):
        dataset.add_event(f"2025-07-01 {hour}:00:00", "started", idsite=47)
    dataset.add_event("2025-07-01 11:00:00", "viewed", idsite=47)
    return dataset


def test_site_ids_and_own_site_zones(case_runner):
    # Site 47 has no `site` row but is not selected, so the build runs without it.
    result = case_runner(_three_site_dataset(), start_date="2025-07-01", site_ids=[1, 2])

    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["events"] == "4"
    assert _events_by_period(result, "day") == {"2025-07-01": "3", "2025-07-02": "1"}
    assert _one(result.rows("data_quality.csv"), check_name="unmatched_actions")["value"] == "1"


def test_site_without_row_fails(case_runner):
    with pytest.raises(PipelineError) as caught:
        case_runner(_three_site_dataset(), start_date="2025-07-01")
    output = _dbt_output(caught.value)

    assert "47" in output
    assert "reporting_timezone" in output


def test_site_without_row_uses_reporting_timezone(case_runner):
    # Every site is read in Asia/Kolkata: the 06-30 19:00 UTC events of sites 1 and 2 fall
    # on 07-01, the 07-01 20:00 UTC events on 07-02, and site 47's five events on 07-01.
    result = case_runner(_three_site_dataset(), start_date="2025-07-01",
                         reporting_timezone="Asia/Kolkata")

    assert _one(result.rows("conversion_funnel_total.csv"), event_type="started")["events"] == "10"
    assert _events_by_period(result, "day") == {"2025-07-01": "8", "2025-07-02": "2"}
    assert _one(result.rows("data_quality.csv"), check_name="unmatched_actions")["value"] == "2"


def test_unknown_site_timezone_fails(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "Mars/Olympus_Mons")
    dataset.add_event("2025-07-01 10:00:00", "started")

    with pytest.raises(PipelineError) as caught:
        case_runner(dataset, start_date="2025-07-01")
    output = _dbt_output(caught.value)

    assert "Mars/Olympus_Mons" in output
    assert "reporting_timezone" in output


def test_unknown_reporting_timezone_fails(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_event("2025-07-01 10:00:00", "started")

    with pytest.raises(PipelineError) as caught:
        case_runner(dataset, start_date="2025-07-01", reporting_timezone="Europe/Atlantis")
    output = _dbt_output(caught.value)

    assert "Europe/Atlantis" in output
    assert "reporting_timezone" in output


def test_blank_site_timezone_fails(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_site(4711, None)
    dataset.add_event("2025-07-01 10:00:00", "started", idsite=1)
    dataset.add_event("2025-07-01 10:00:00", "started", idsite=4711)

    with pytest.raises(PipelineError) as caught:
        case_runner(dataset, start_date="2025-07-01")
    output = _dbt_output(caught.value)

    assert "4711" in output
    assert "reporting_timezone" in output


def test_app_repeatability_mixed_zones_need_reporting_timezone(case_runner):
    dataset = MatomoDataset()
    dataset.add_site(1, "UTC")
    dataset.add_site(2, "Asia/Kolkata")
    dataset.add_event("2025-07-01 10:00:00", "completed", idsite=1)
    dataset.add_event("2025-07-01 10:00:00", "completed", idsite=2)
    dataset.tables["hybrid_games"].append({"id": 1, "game_name": "Alpha", "game_code": "alpha"})
    dataset.tables["hybrid_games_links"].append(
        {"id": 1, "hybrid_game_id": 1, "activity_id": "a1", "hybrid_profile_id": 100}
    )
    dataset.tables["hybrid_game_completions"].append(
        {"id": 1, "hybrid_game_link_id": 1, "created_at": "2025-07-01 10:00:00"}
    )

    with pytest.raises(PipelineError) as caught:
        case_runner(dataset, app_db=True, app_database_enabled=True, start_date="2025-07-01")
    output = _dbt_output(caught.value)

    assert "reporting_timezone" in output
