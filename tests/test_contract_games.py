"""Games from a custom dimension and a catalogue, the app database, and repeatability.

Unless a test states otherwise: site 1 in UTC, start_date 2000-01-01, every event its own
visit. Expected values are worked out by hand in each test.
"""

from __future__ import annotations

from harness import MatomoDataset, standard_case_dataset

V1 = "aaaa000000000001"
V2 = "aaaa000000000002"
V3 = "aaaa000000000003"
V4 = "aaaa000000000004"
V5 = "aaaa000000000005"
V6 = "aaaa000000000006"
V7 = "aaaa000000000007"
NOON = "2024-01-08 12:00:00"

# The production tracking plan: event type from the action name with the default rules,
# game from custom dimension 2 through the catalogue.
DIMENSION_VARS = {
    "event_type_source": "action_name",
    "event_type_rules": None,
    "game_source": "dimension",
    "game_dimension_index": 2,
}
STARTED = "hybrid_game_started"
COMPLETED = "hybrid_game_completed"


def _one(rows, **criteria):
    matches = [row for row in rows if all(row[key] == value for key, value in criteria.items())]
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def _quality(result, check_name: str, game_name: str = "") -> str:
    return _one(result.rows("data_quality.csv"), check_name=check_name, game_name=game_name)["value"]


def _game_names(result) -> list[str]:
    names = [row["game_name"] for row in result.rows("conversion_funnel_games.csv")]
    return list(dict.fromkeys(names))


def _add_dimension_event(dataset: MatomoDataset, name: str, activity_id: str | None, visitor: str,
                         server_time: str = NOON, **extra) -> None:
    # The event category is `Decoy`, so reading the wrong source shows.
    dimensions = {2: activity_id, **extra.pop("dimensions", {})}
    dataset.add_event(server_time, "Decoy", visitor=visitor, category="Decoy", name=name,
                      dimensions=dimensions, **extra)


CATALOGUE = [
    {"activity_id": "12", "game_name": "Shapes", "game_code": "shapes"},
    {"activity_id": " 13 ", "game_name": " &lt;Colours&gt; ", "game_code": "colours"},
    {"activity_id": "15", "game_name": "Shapes", "game_code": "shapes"},
    {"activity_id": "14", "game_name": "Numbers", "game_code": "numbers"},
]


def _catalogue_dataset() -> MatomoDataset:
    dataset = standard_case_dataset()
    _add_dimension_event(dataset, STARTED, "12", V1)
    _add_dimension_event(dataset, STARTED, " 12 ", V2)
    _add_dimension_event(dataset, STARTED, "13", V1)
    _add_dimension_event(dataset, COMPLETED, "\t12\n", V1)
    _add_dimension_event(dataset, COMPLETED, "15", V3)
    _add_dimension_event(dataset, COMPLETED, "13", V1)
    # Not in the catalogue: the id must match as trimmed text, and dimension 3 is not read.
    for activity_id in ["012", "99", None, "", "null", "12.0", "Shapes"]:
        _add_dimension_event(dataset, STARTED, activity_id, V5, dimensions={3: "12"})
    _add_dimension_event(dataset, COMPLETED, "99", V4)
    return dataset


def test_dimension_catalogue_mapping(case_runner):
    result = case_runner(_catalogue_dataset(), game_catalogue=CATALOGUE, **DIMENSION_VARS)
    games = result.rows("conversion_funnel_games.csv")
    total = result.rows("conversion_funnel_total.csv")

    assert _game_names(result) == ["<Colours>", "Shapes"]
    assert _one(total, event_type="started")["events"] == "10"
    assert _one(total, event_type="completed")["events"] == "4"
    assert _quality(result, "events_without_game") == "8"
    shapes_started = _one(games, game_name="Shapes", event_type="started")
    assert (shapes_started["events"], shapes_started["users"]) == ("2", "2")
    shapes_completed = _one(games, game_name="Shapes", event_type="completed")
    assert (shapes_completed["events"], shapes_completed["users"]) == ("2", "2")
    assert _one(games, game_name="<Colours>", event_type="started")["events"] == "1"
    assert _one(games, game_name="<Colours>", event_type="completed")["events"] == "1"


def test_dimension_games_in_scores_and_repeatability(case_runner):
    # Completed events have no payload: 4 missing scores in total, of which 2 are Shapes
    # and 1 <Colours>. V1 played Shapes and <Colours>, V3 Shapes. V4's game is unmapped.
    result = case_runner(_catalogue_dataset(), game_catalogue=CATALOGUE, **DIMENSION_VARS)

    assert [row["check_name"] + "/" + row["game_name"] for row in result.rows("data_quality.csv")
            if row["check_name"] == "missing_scores"] == [
        "missing_scores/", "missing_scores/<Colours>", "missing_scores/Shapes",
    ]
    assert _quality(result, "missing_scores") == "4"
    assert _quality(result, "missing_scores", "Shapes") == "2"
    assert _quality(result, "missing_scores", "<Colours>") == "1"
    assert {row["game_name"] for row in result.rows("score_distribution.csv")} == {"<Colours>", "Shapes"}
    assert result.files["repeatability_data.csv"] == (
        "games_played,user_count,user_share,source\n"
        "1,1,0.500000,matomo\n"
        "2,1,0.500000,matomo\n"
    )


def _add_app_rows(dataset: MatomoDataset, games, links, completions) -> None:
    for game_id, game_name in games:
        dataset.tables["hybrid_games"].append(
            {"id": game_id, "game_name": game_name, "game_code": None if game_name is None else game_name.lower()}
        )
    for link_id, game_id, activity_id, profile_id in links:
        dataset.tables["hybrid_games_links"].append(
            {"id": link_id, "hybrid_game_id": game_id, "activity_id": activity_id,
             "hybrid_profile_id": profile_id}
        )
    for completion_id, link_id, created_at in completions:
        dataset.tables["hybrid_game_completions"].append(
            {"id": completion_id, "hybrid_game_link_id": link_id, "created_at": created_at}
        )


def test_app_links_extend_catalogue(case_runner):
    # Link 1 maps `12` to Override, but the configured catalogue wins. Activity `20` has
    # links to Puzzles (id 5, lower link id) and Memory (id 3): the lower game id wins.
    dataset = standard_case_dataset()
    _add_app_rows(
        dataset,
        games=[(7, "Override"), (5, "Puzzles"), (3, "Memory")],
        links=[(1, 7, "12", 100), (2, 5, "20", 100), (3, 3, " 20 ", 101), (4, 5, "21", 102)],
        completions=[],
    )
    for activity_id in ["12", "20", "21", " 21", "22"]:
        _add_dimension_event(dataset, STARTED, activity_id, V1)

    result = case_runner(
        dataset, app_db=True, app_database_enabled=True,
        game_catalogue=[{"activity_id": "12", "game_name": "Shapes", "game_code": "shapes"}],
        **DIMENSION_VARS,
    )
    games = result.rows("conversion_funnel_games.csv")

    assert _game_names(result) == ["Memory", "Puzzles", "Shapes"]
    assert _one(games, game_name="Memory", event_type="started")["events"] == "1"
    assert _one(games, game_name="Puzzles", event_type="started")["events"] == "2"
    assert _one(games, game_name="Shapes", event_type="started")["events"] == "1"
    assert _quality(result, "events_without_game") == "1"


def test_app_repeatability_by_profile_and_window(case_runner):
    # Window 2025-07-01..2025-07-31 in Asia/Kolkata (UTC+05:30). Games per profile:
    #   100: Alpha, Beta (game 6 is another Alpha) -> 2
    #   101: Gamma at local 07-01 00:00, the blank name does not count -> 1
    #   102: alpha at local 07-31 23:59:59, Alpha falls on 08-01 -> 1
    #   103: only before the window; 104: four games; 105: only blank names
    dataset = standard_case_dataset()
    _add_app_rows(
        dataset,
        games=[(1, "Alpha"), (2, "Beta"), (3, "Gamma"), (4, "   "), (5, "alpha"), (6, "Alpha"),
               (7, "Delta"), (8, None)],
        links=[(10, 1, "a1", 100), (11, 2, "a2", 100), (12, 6, "a6", 100), (13, 3, "a3", 101),
               (14, 4, "a4", 101), (15, 5, "a5", 102), (16, 1, "a1", 102), (17, 2, "a2", 103),
               (18, 1, "a1", 104), (19, 2, "a2", 104), (20, 3, "a3", 104), (21, 7, "a7", 104),
               (22, 8, "a8", 105), (23, 4, "a4", 105)],
        completions=[
            (1, 10, "2025-07-05 10:00:00"), (2, 11, "2025-07-06 10:00:00"),
            (3, 12, "2025-07-07 10:00:00"), (4, 10, "2025-07-08 10:00:00"),
            (5, 13, "2025-06-30 18:30:00"), (6, 14, "2025-07-10 10:00:00"),
            (7, 15, "2025-07-31 18:29:59"), (8, 16, "2025-07-31 18:30:00"),
            (9, 17, "2025-06-30 18:29:59"),
            (10, 18, "2025-07-15 10:00:00"), (11, 19, "2025-07-15 10:00:00"),
            (12, 20, "2025-07-15 10:00:00"), (13, 21, "2025-07-15 10:00:00"),
            (14, 22, "2025-07-15 10:00:00"), (15, 23, "2025-07-15 10:00:00"),
        ],
    )
    # Matomo shows one user with three games, but the app database takes precedence.
    for activity_id in ["a1", "a2", "a3"]:
        _add_dimension_event(dataset, COMPLETED, activity_id, V1, server_time="2025-07-10 10:00:00")

    result = case_runner(
        dataset, app_db=True, app_database_enabled=True,
        game_catalogue=[{"activity_id": "x0", "game_name": "Unused", "game_code": "unused"}],
        start_date="2025-07-01", end_date="2025-07-31", reporting_timezone="Asia/Kolkata",
        **DIMENSION_VARS,
    )

    assert result.files["repeatability_data.csv"] == (
        "games_played,user_count,user_share,source\n"
        "1,2,0.500000,app_db\n"
        "2,1,0.250000,app_db\n"
        "3,0,0.000000,app_db\n"
        "4,1,0.250000,app_db\n"
    )


def test_table_prefix_spares_app_tables(case_runner):
    # Matomo tables carry the prefix `matomo_`, but the app database tables never do.
    dataset = MatomoDataset(prefix="matomo_")
    dataset.add_site(1, "UTC")
    _add_app_rows(dataset, games=[(1, "Alpha")], links=[(1, 1, "a1", 100)],
                  completions=[(1, 1, "2024-01-08 10:00:00")])
    _add_dimension_event(dataset, COMPLETED, "a1", V1)

    result = case_runner(dataset, app_db=True, app_database_enabled=True, matomo_table_prefix="matomo_",
                         game_catalogue=[{"activity_id": "x0", "game_name": "Unused", "game_code": "unused"}],
                         **DIMENSION_VARS)

    assert _game_names(result) == ["Alpha"]
    assert result.files["repeatability_data.csv"] == (
        "games_played,user_count,user_share,source\n"
        "1,1,1.000000,app_db\n"
    )


def _matomo_repeatability_dataset() -> MatomoDataset:
    dataset = standard_case_dataset()
    for category in ["A", "B", "C"]:
        dataset.add_event(NOON, "completed", visitor=V1, category=category)
    dataset.add_event(NOON, "started", visitor=V1, category="D")
    dataset.add_event(NOON, "completed", visitor=V2, category="A")
    dataset.add_event(NOON, "completed", visitor=V2, category="A")
    dataset.add_event("2023-12-20 12:00:00", "completed", visitor=V2, category="B")  # before the window
    dataset.add_event(NOON, "completed", visitor=V3, category="A")
    dataset.add_event(NOON, "completed", visitor=V3, category=None)
    dataset.add_event(NOON, "started", visitor=V4, category="A")
    dataset.add_event(NOON, "started", visitor=V4, category="B")
    dataset.add_event(NOON, "completed", visitor=V5, category="a")
    dataset.add_event(NOON, "completed", visitor=V5, category="A")
    dataset.add_event(NOON, "completed", visitor=V5, category="A", visit=999)  # no log_visit row
    for category in ["A", "B", "C", "D", "E"]:
        dataset.add_event(NOON, "completed", visitor=V6, category=category)
    dataset.add_event(NOON, "started", visitor=V7, category="A")
    return dataset


def test_matomo_repeatability_gap_filled(case_runner):
    # Played games: V1 3, V2 1, V3 1 (blank game ignored), V5 2 (`a` and `A`), V6 5.
    result = case_runner(_matomo_repeatability_dataset(), start_date="2024-01-01")

    assert result.files["repeatability_data.csv"] == (
        "games_played,user_count,user_share,source\n"
        "1,2,0.400000,matomo\n"
        "2,1,0.200000,matomo\n"
        "3,1,0.200000,matomo\n"
        "4,0,0.000000,matomo\n"
        "5,1,0.200000,matomo\n"
    )


def test_matomo_repeatability_played_type(case_runner):
    # Started games: V1 D, V4 A and B, V7 A.
    result = case_runner(_matomo_repeatability_dataset(), start_date="2024-01-01",
                         played_event_type="started")

    assert result.files["repeatability_data.csv"] == (
        "games_played,user_count,user_share,source\n"
        "1,2,0.666667,matomo\n"
        "2,1,0.333333,matomo\n"
    )
