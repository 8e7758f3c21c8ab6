"""Exported files byte for byte, the manifest, and the rows of data_quality.csv.

Expected files are worked out by hand from the events listed with each dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from harness import OUTPUT_FILES, MatomoDataset, standard_case_dataset

V1 = "aaaa000000000001"
V2 = "aaaa000000000002"
V3 = "aaaa000000000003"
NOON = "2024-01-08 12:00:00"
GAME = 'Shapes, "big"'


def _small_dataset() -> MatomoDataset:
    """Build seven actions in Asia/Kolkata (UTC+05:30). start_date 2025-07-01 is a Tuesday.

    | UTC         | local       | action    | game   | visitor      | payload |
    |-------------|-------------|-----------|--------|--------------|---------|
    | 07-01 04:00 | 07-01 09:30 | started   | GAME   | V1 (visit 1) |         |
    | 07-01 05:00 | 07-01 10:30 | completed | GAME   | V1 (visit 1) | 7       |
    | 07-01 20:00 | 07-02 01:30 | started   | alpha  | V2           |         |
    | 07-02 19:00 | 07-03 00:30 | completed | alpha  | V2           | 3       |
    | 07-02 10:00 | 07-02 15:30 | started   | GAME   | V2           |         |
    | 07-01 06:00 | 07-01 11:30 | started   | (none) | V3           |         |
    | 07-01 07:00 | 07-01 12:30 | viewed    | (none) | V1           |         |

    GAME is `Shapes, "big"`, stored HTML-escaped as Matomo does. `viewed` matches no rule.
    """
    dataset = MatomoDataset()
    dataset.add_site(1, "Asia/Kolkata")
    stored_game = "Shapes, &quot;big&quot;"
    visit = dataset.add_visit(V1)
    dataset.add_event("2025-07-01 04:00:00", "started", category=stored_game, visit=visit)
    dataset.add_event("2025-07-01 05:00:00", "completed", category=stored_game, visit=visit,
                      payload='{"score": 7}')
    dataset.add_event("2025-07-01 20:00:00", "started", category="alpha", visitor=V2)
    dataset.add_event("2025-07-02 19:00:00", "completed", category="alpha", visitor=V2,
                      payload="{&quot;score&quot;: 3}")
    dataset.add_event("2025-07-02 10:00:00", "started", category=stored_game, visitor=V2)
    dataset.add_event("2025-07-01 06:00:00", "started", category=None, visitor=V3)
    dataset.add_event("2025-07-01 07:00:00", "viewed", category=None, visitor=V1)
    return dataset


SMALL_SETTINGS = {
    "start_date": "2025-07-01",
    "score_ranges": [
        {"score_range": "low", "range_start": 0, "range_end": 5},
        {"score_range": "high", "range_start": 5, "range_end": 10},
    ],
}
QUOTED_GAME = '"Shapes, ""big"""'

SMALL_EXPECTED = {
    "conversion_funnel_total.csv": (
        "stage_order,event_type,events,users,visits,instances,conversion_from_start,conversion_from_previous\n"
        "1,started,4,3,4,4,1.000000,\n"
        "2,completed,2,2,2,2,0.666667,0.666667\n"
    ),
    "conversion_funnel_games.csv": (
        "game_name,stage_order,event_type,events,users,visits,instances,"
        "conversion_from_start,conversion_from_previous\n"
        f"{QUOTED_GAME},1,started,2,2,2,2,1.000000,\n"
        f"{QUOTED_GAME},2,completed,1,1,1,1,0.500000,0.500000\n"
        "alpha,1,started,1,1,1,1,1.000000,\n"
        "alpha,2,completed,1,1,1,1,1.000000,1.000000\n"
    ),
    "timeseries_total.csv": (
        "period_type,period_start,event_type,events,users,visits,instances\n"
        "day,2025-07-01,started,2,2,2,2\n"
        "day,2025-07-01,completed,1,1,1,1\n"
        "day,2025-07-02,started,2,1,2,2\n"
        "day,2025-07-02,completed,0,0,0,0\n"
        "day,2025-07-03,started,0,0,0,0\n"
        "day,2025-07-03,completed,1,1,1,1\n"
        "week,2025-06-30,started,4,3,4,4\n"
        "week,2025-06-30,completed,2,2,2,2\n"
        "month,2025-07-01,started,4,3,4,4\n"
        "month,2025-07-01,completed,2,2,2,2\n"
    ),
    "timeseries_games.csv": (
        "period_type,period_start,game_name,event_type,events,users,visits,instances\n"
        f"day,2025-07-01,{QUOTED_GAME},started,1,1,1,1\n"
        f"day,2025-07-01,{QUOTED_GAME},completed,1,1,1,1\n"
        "day,2025-07-01,alpha,started,0,0,0,0\n"
        "day,2025-07-01,alpha,completed,0,0,0,0\n"
        f"day,2025-07-02,{QUOTED_GAME},started,1,1,1,1\n"
        f"day,2025-07-02,{QUOTED_GAME},completed,0,0,0,0\n"
        "day,2025-07-02,alpha,started,1,1,1,1\n"
        "day,2025-07-02,alpha,completed,0,0,0,0\n"
        f"day,2025-07-03,{QUOTED_GAME},started,0,0,0,0\n"
        f"day,2025-07-03,{QUOTED_GAME},completed,0,0,0,0\n"
        "day,2025-07-03,alpha,started,0,0,0,0\n"
        "day,2025-07-03,alpha,completed,1,1,1,1\n"
        f"week,2025-06-30,{QUOTED_GAME},started,2,2,2,2\n"
        f"week,2025-06-30,{QUOTED_GAME},completed,1,1,1,1\n"
        "week,2025-06-30,alpha,started,1,1,1,1\n"
        "week,2025-06-30,alpha,completed,1,1,1,1\n"
        f"month,2025-07-01,{QUOTED_GAME},started,2,2,2,2\n"
        f"month,2025-07-01,{QUOTED_GAME},completed,1,1,1,1\n"
        "month,2025-07-01,alpha,started,1,1,1,1\n"
        "month,2025-07-01,alpha,completed,1,1,1,1\n"
    ),
    "repeatability_data.csv": (
        "games_played,user_count,user_share,source\n"
        "1,2,1.000000,matomo\n"
    ),
    "score_distribution.csv": (
        "game_name,score_range,range_start,range_end,attempts,users\n"
        f"{QUOTED_GAME},low,0,5,0,0\n"
        f"{QUOTED_GAME},high,5,10,1,1\n"
        "alpha,low,0,5,1,1\n"
        "alpha,high,5,10,0,0\n"
    ),
    "data_quality.csv": (
        "check_name,game_name,value\n"
        "events_without_game,,1\n"
        "blank_user_keys,,0\n"
        "missing_scores,,0\n"
        f"missing_scores,{QUOTED_GAME},0\n"
        "missing_scores,alpha,0\n"
        "invalid_scores,,0\n"
        f"invalid_scores,{QUOTED_GAME},0\n"
        "invalid_scores,alpha,0\n"
        "out_of_range_scores,,0\n"
        f"out_of_range_scores,{QUOTED_GAME},0\n"
        "out_of_range_scores,alpha,0\n"
        "unmatched_actions,,1\n"
    ),
}


def test_small_dataset_files_byte_exact(case_runner):
    result = case_runner(_small_dataset(), **SMALL_SETTINGS)

    # The harness decodes each file's bytes as UTF-8 and keeps every CR, LF and BOM.
    assert sorted(result.files) == sorted(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        assert (name, result.files[name]) == (name, SMALL_EXPECTED[name])


def test_small_dataset_manifest(case_runner):
    result = case_runner(_small_dataset(), **SMALL_SETTINGS)
    manifest = result.manifest()

    assert manifest["start_date"] == "2025-07-01"
    assert manifest["end_date"] is None
    assert manifest["last_event_at"] == "2025-07-03T00:30:00"
    generated_at = dt.datetime.strptime(manifest["generated_at"], "%Y-%m-%dT%H:%M:%SZ")
    age = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - generated_at
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=30)
    assert "target" in manifest
    assert sorted(manifest["files"]) == sorted(OUTPUT_FILES)
    rows = {name: entry["rows"] for name, entry in manifest["files"].items()}
    assert rows == {name: text.count("\n") - 1 for name, text in SMALL_EXPECTED.items()}
    for name, entry in manifest["files"].items():
        digest = hashlib.sha256((result.output_dir / name).read_bytes()).hexdigest()
        assert (name, entry["sha256"]) == (name, digest)


def test_data_quality_rows_and_order(case_runner):
    # Games `A`, `C` and `b` in code-point order. Scored `completed` events:
    #   A: valid 5, missing, out of range 500, invalid. So missing 1, invalid 1, out of range 1.
    #   b: two invalid.
    #   no game: one invalid, one missing without a log_visit row.
    # Blank user keys: that missing event and a started event of A without a log_visit row.
    # The unmatched action without a log_visit row is not an event. Before start_date
    # (2024-01-01) nothing counts.
    dataset = standard_case_dataset()
    dataset.add_event(NOON, "completed", visitor=V1, category="A", payload='{"score": 5}')
    dataset.add_event(NOON, "completed", visitor=V2, category="A", payload=None)
    dataset.add_event(NOON, "completed", visitor=V1, category="A", payload='{"score": 500}')
    dataset.add_event(NOON, "completed", visitor=V1, category="A", payload="oops")
    dataset.add_event(NOON, "started", category="A", visit=901)
    dataset.add_event(NOON, "completed", visitor=V1, category="b", payload="bad")
    dataset.add_event(NOON, "completed", visitor=V2, category="b", payload="bad too")
    dataset.add_event(NOON, "started", visitor=V3, category="b")
    dataset.add_event(NOON, "started", visitor=V1, category="C")
    dataset.add_event(NOON, "completed", visitor=V1, category=None, payload="bad")
    dataset.add_event(NOON, "completed", category=None, payload=None, visit=902)
    dataset.add_event(NOON, "viewed", category=None)
    dataset.add_event(NOON, "viewed", category=None, visit=903)
    dataset.add_event(NOON, None, category=None)
    dataset.add_event("2023-12-31 12:00:00", "completed", category="A", payload="bad")
    dataset.add_event("2023-12-31 12:00:00", "viewed", category="A")
    dataset.add_event("2023-12-31 12:00:00", "completed", category="E", payload="bad")

    result = case_runner(dataset, start_date="2024-01-01")

    assert result.files["data_quality.csv"] == (
        "check_name,game_name,value\n"
        "events_without_game,,2\n"
        "blank_user_keys,,2\n"
        "missing_scores,,2\n"
        "missing_scores,A,1\n"
        "missing_scores,C,0\n"
        "missing_scores,b,0\n"
        "invalid_scores,,4\n"
        "invalid_scores,A,1\n"
        "invalid_scores,C,0\n"
        "invalid_scores,b,2\n"
        "out_of_range_scores,,1\n"
        "out_of_range_scores,A,1\n"
        "out_of_range_scores,C,0\n"
        "out_of_range_scores,b,0\n"
        "unmatched_actions,,3\n"
    )
