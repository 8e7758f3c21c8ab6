"""Score payloads: rule precedence, numeric text, strict JSON, missing payloads and ranges.

Unless a test states otherwise: site 1 in UTC, start_date 2000-01-01, stages `started` and
`completed` from the event action, payloads in custom dimension 1 of `completed` events.
Payload tables give each payload its own game, so the outcome of every payload can be read
from the per-game rows: the range of its one attempt, or the data-quality check counting it.
"""

from __future__ import annotations

from harness import standard_case_dataset

NOON = "2024-01-08 12:00:00"

# One range per integer up to 10, with 0.5 split out, so that each score shows exactly.
FINE_RANGES = (
    [{"score_range": "0", "range_start": 0, "range_end": 0.5},
     {"score_range": "0.5", "range_start": 0.5, "range_end": 1}]
    + [{"score_range": str(value), "range_start": value, "range_end": value + 1} for value in range(1, 11)]
    + [{"score_range": "11-1000", "range_start": 11, "range_end": 1000}]
)
QUALITY_OUTCOMES = {
    "missing_scores": "missing",
    "invalid_scores": "invalid",
    "out_of_range_scores": "out_of_range",
}


def _one(rows, **criteria):
    matches = [row for row in rows if all(row[key] == value for key, value in criteria.items())]
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def _game(number: int) -> str:
    return f"p{number:02d}"


def _run_payloads(case_runner, payloads, **overrides):
    """Run one `completed` event per payload, each in its own game and with its own visitor."""
    # Matomo cuts dimension values at 250 characters, and its varchar(255) column rejects more.
    too_long = [payload for payload in payloads if payload is not None and len(payload) > 250]
    assert too_long == []
    dataset = standard_case_dataset()
    for number, payload in enumerate(payloads):
        dataset.add_event(NOON, "completed", visitor=f"{number + 1:016x}", category=_game(number),
                          payload=payload)
    return case_runner(dataset, **{"score_ranges": FINE_RANGES, **overrides})


def _outcomes(result) -> dict[str, str]:
    """Return per game the range of its attempts, or the data-quality checks that count it."""
    outcomes: dict[str, list[str]] = {}
    for row in result.rows("score_distribution.csv"):
        outcomes.setdefault(row["game_name"], [])
        outcomes[row["game_name"]] += [row["score_range"]] * int(row["attempts"])
    for row in result.rows("data_quality.csv"):
        if row["check_name"] in QUALITY_OUTCOMES and row["game_name"]:
            outcomes.setdefault(row["game_name"], [])
            outcomes[row["game_name"]] += [QUALITY_OUTCOMES[row["check_name"]]] * int(row["value"])
    return {game: "+".join(values) or "none" for game, values in outcomes.items()}


def _expected(cases) -> dict[str, str]:
    return {_game(number): outcome for number, (_, outcome) in enumerate(cases)}


PRECEDENCE_CASES = [
    ('{"score": 7, "totalScore": 3}', "7"),
    ('{"score": null, "totalScore": 3}', "3"),
    ('{"score": {"v": 1}, "totalScore": 3}', "3"),
    ('{"score": true, "totalScore": 3}', "3"),
    ('{"score": "abc", "totalScore": 3}', "3"),
    ('{"score": [4], "totalScore": 3}', "3"),
    ('{"totalScore": null, "correctSelections": 4}', "4"),
    ('{"score": false, "totalScore": "", "correctSelections": "2"}', "2"),
    ('{"score": null, "jsonData": {"totalScore": 5}, "action_level": {"totalScore": 9}}', "5"),
    ('{"jsonData": {"totalScore": null}, "action_level": {"totalScore": 6}}', "6"),
    ('{"jsonData": {"totalScore": "x"}, "action_level": {"totalScore": "8"}}', "8"),
    ('{"correctSelections": 1, "jsonData": {"totalScore": 9}}', "1"),
    ('{"action_level": {"totalScore": 2}, "gameData": [{"gameData": [{"statistics": {"correctSelections": 9}}]}]}',
     "2"),
    # Rule 3 sums the numeric values only: 2 + " 3 ".
    ('{"gameData":[{"gameData":[{"statistics":{"correctSelections":2}},'
     '{"statistics":{"correctSelections":null}},{"statistics":{"correctSelections":"x"}},'
     '{"statistics":{}}]},{"gameData":[{"statistics":{"correctSelections":" 3 "}}]},{"other":1}]}',
     "5"),
    # Rule 3 yields 0 before rule 4 could count 1.
    ('{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": true}]}], '
     '"gameData": [{"gameData": [{"statistics": {"correctSelections": 0}}]}]}',
     "0"),
    # No numeric correctSelections, so rule 4 counts the Action element's answers.
    ('{"gameData": [{"section": "Action", "gameData": [{"statistics": {"correctSelections": null}}], '
     '"jsonData": [{"userResponse": [{"isCorrect": true}]}, {"userResponse": [{"isCorrect": true}]}]}]}',
     "2"),
    # A negative score is a value: invalid, not a reason to try totalScore.
    ('{"score": -1, "totalScore": 5}', "invalid"),
    ('{"score": "-2", "totalScore": 5}', "invalid"),
    ('{"data": {"score": 5}}', "invalid"),
    ("{}", "invalid"),
    ('{"Score": 5}', "invalid"),
    ('{"jsonData": {"totalScore": 3}, "section": "Action"}', "3"),
]


def test_score_rule_precedence(case_runner):
    result = _run_payloads(case_runner, [payload for payload, _ in PRECEDENCE_CASES])

    assert _outcomes(result) == _expected(PRECEDENCE_CASES)


NUMERIC_TEXT_CASES = [
    ('{"score": " 7 "}', "7"),
    ('{"score": "+3"}', "3"),
    ('{"score": "1."}', "1"),
    ('{"score": ".5"}', "0.5"),
    ('{"score": "1e1"}', "10"),
    ('{"score": "2E0"}', "2"),
    ('{"score": "5e-1"}', "0.5"),
    ('{"score": " +.5e1 "}', "5"),
    ('{"score": "\\t8\\n"}', "8"),  # JSON escapes for a tab and a line feed
    ('{"score": "-0"}', "0"),
    ('{"score": -0}', "0"),
    ('{"score": 1E+1}', "10"),
    ('{"score": 2.5}', "2"),
    ('{"score": 1e-400}', "0"),
    ('{"score": "0x10"}', "invalid"),
    ('{"score": "7a"}', "invalid"),
    ('{"score": "\\u00a05"}', "invalid"),  # a no-break space is not ASCII whitespace
    ('{"score": "\\u0663"}', "invalid"),  # ARABIC-INDIC DIGIT THREE is not [0-9]
    ('{"score": "1_0"}', "invalid"),
    ('{"score": "1 0"}', "invalid"),
    ('{"score": "."}', "invalid"),
    ('{"score": "1e"}', "invalid"),
    ('{"score": ""}', "invalid"),
    ('{"score": "NaN"}', "invalid"),
    ('{"score": "Infinity"}', "invalid"),
    ('{"score": "inf"}', "invalid"),
    ('{"score": "1e400"}', "invalid"),
    ('{"score": 1e400}', "invalid"),
]


def test_score_numeric_text_forms(case_runner):
    result = _run_payloads(case_runner, [payload for payload, _ in NUMERIC_TEXT_CASES])

    assert _outcomes(result) == _expected(NUMERIC_TEXT_CASES)


ACTION_SECTION_CASES = [
    # Root 1 and the Action element 1, because "True" is not exactly "true".
    ('{"section":"Action","jsonData":[{"userResponse":[{"isCorrect":true}]}],"gameData":['
     '{"section":"Action","jsonData":[{"userResponse":[{"isCorrect":"true"}]},'
     '{"userResponse":[{"isCorrect":"True"}]}]}]}',
     "2"),
    # The Intro element is ignored.
    ('{"gameData":[{"section":"Intro","jsonData":[{"userResponse":[{"isCorrect":true}]}]},'
     '{"section":"Action","jsonData":[{"userResponse":[{"isCorrect":true}]}]}]}',
     "1"),
    ('{"section": "Action", "jsonData": []}', "0"),
    # Only userResponse[0] counts.
    ('{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": false}, {"isCorrect": true}]}, '
     '{"userResponse": [{"isCorrect": true}, {"isCorrect": false}]}]}',
     "1"),
    ('{"section": "action", "jsonData": [{"userResponse": [{"isCorrect": true}]}]}', "invalid"),
    ('{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": 1}]}, '
     '{"userResponse": [{"isCorrect": " true"}]}, {"userResponse": [{"isCorrect": "TRUE"}]}, '
     '{"userResponse": []}, {"other": 1}]}',
     "0"),
    ('{"gameData": [{"section": "Action", "jsonData": []}, '
     '{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": true}]}]}]}',
     "1"),
    ('{"gameData": [{"section": "Intro", "jsonData": [{"userResponse": [{"isCorrect": true}]}]}]}', "invalid"),
    # jsonData must be a list.
    ('{"section": "Action", "jsonData": {"userResponse": [{"isCorrect": true}]}}', "invalid"),
    # userResponse must be a list: an object has no element 0.
    ('{"section": "Action", "jsonData": [{"userResponse": {"isCorrect": true}}]}', "0"),
    ('{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": true}]}], '
     '"gameData": [{"section": "Action"}]}',
     "1"),
    # Rule 4 comes before the multiple-choice rule.
    ('{"section": "Action", "jsonData": [{"userResponse": [{"isCorrect": "true"}]}, '
     '{"userResponse": [{"isCorrect": true}]}, {"userResponse": [{"isCorrect": true}]}], '
     '"options": [{"isCorrect": true}], "chosenOption": 0}',
     "3"),
]


def test_score_action_section_answers(case_runner):
    result = _run_payloads(case_runner, [payload for payload, _ in ACTION_SECTION_CASES])

    assert _outcomes(result) == _expected(ACTION_SECTION_CASES)


MULTIPLE_CHOICE_CASES = [
    ('{"options": [{"isCorrect": false}, {"isCorrect": true}], "chosenOption": 1.0}', "1"),
    ('{"options": [{"isCorrect": true}, {"isCorrect": true}, {"isCorrect": true}], "chosenOption": 2.5}', "0"),
    ('{"options": [{"isCorrect": true}], "chosenOption": -1}', "0"),
    ('{"options": [{"isCorrect": true}, {"isCorrect": true}], "chosenOption": 2}', "0"),
    ('{"options": [{"isCorrect": false}, {"isCorrect": true}], "chosenOption": "1"}', "0"),
    ('{"options": [{"isCorrect": false}, {"isCorrect": true}], "chosenOption": 1e0}', "1"),
    ('{"options": [{"isCorrect": true}], "chosenOption": true}', "0"),
    ('{"options": [], "chosenOption": 0}', "0"),
    ('{"options": [{"isCorrect": true}], "chosenOption": null}', "0"),
    # Answers as gameData elements: 1 + 1 ("true" text). The last element has no
    # chosenOption, so it is no answer.
    ('{"gameData":[{"options":[{"isCorrect":true},{"isCorrect":false}],"chosenOption":0},'
     '{"options":[{"isCorrect":false},{"isCorrect":"true"}],"chosenOption":1},'
     '{"options":[{"isCorrect":true}]}]}',
     "2"),
    # 1 (0.0 is integral) + 0 ("TRUE" is not exactly "true").
    ('{"gameData":[{"options":[{"isCorrect":true}],"chosenOption":0.0},'
     '{"options":[{"isCorrect":"TRUE"}],"chosenOption":0}]}',
     "1"),
    ('{"options": [{"isCorrect": true}, {"isCorrect": false}], "chosenOption": 0, "score": null}', "1"),
    ('{"options": [{"isCorrect": true}]}', "invalid"),
    ('{"chosenOption": 0}', "invalid"),
    ('{"options": {"0": {"isCorrect": true}}, "chosenOption": 0}', "invalid"),
    # Answers nested below a gameData element's own gameData are not read.
    ('{"gameData": [{"gameData": [{"options": [{"isCorrect": true}], "chosenOption": 0}]}]}', "invalid"),
]


def test_score_multiple_choice_answers(case_runner):
    result = _run_payloads(case_runner, [payload for payload, _ in MULTIPLE_CHOICE_CASES])

    assert _outcomes(result) == _expected(MULTIPLE_CHOICE_CASES)


_PREFIX = '{"score": 5, "padding": "'
PAYLOAD_250 = _PREFIX + "x" * (250 - len(_PREFIX) - 2) + '"}'
PAYLOAD_CUT = (_PREFIX + "x" * 300 + '"}')[:250]

STRICT_JSON_CASES = [
    ('{"score": Infinity}', "invalid"),
    ('{"score": -Infinity}', "invalid"),
    ('{"score": +1}', "invalid"),
    ('{"score": 01}', "invalid"),
    ('{"score": .5}', "invalid"),
    ('{"score": 5.}', "invalid"),
    ('{"score": 0x10}', "invalid"),
    ('{"score": 5, "x": [1, 2,]}', "invalid"),
    ('{"score": 5, "x": {"a": 1,}}', "invalid"),
    ('{score: 5}', "invalid"),
    ('{"score": 5, /* note */ "x": 1}', "invalid"),
    ('{"score": 5, "note": "a\tb"}', "invalid"),  # raw control character inside a string
    ('{"score": 5}{"score": 6}', "invalid"),
    ('{"score": 5} x', "invalid"),
    ('[{"score": 5}]', "invalid"),
    ('"5"', "invalid"),
    ("5", "invalid"),
    ("true", "invalid"),
    (PAYLOAD_CUT, "invalid"),
    (PAYLOAD_250, "5"),
    ('  {"score": 5}\n', "5"),
    ("{&quot;score&quot;: &quot;4&quot;}", "4"),
    # One pass of unescaping leaves &quot; inside the string, which stays valid JSON.
    ('{"score": 3, "t": "&amp;quot;"}', "3"),
    ('{"score": 6, "t": "&lt;b&gt; &#039;x&#039;"}', "6"),
]


def test_score_payload_strict_json(case_runner):
    assert len(PAYLOAD_250) == 250
    assert len(PAYLOAD_CUT) == 250
    result = _run_payloads(case_runner, [payload for payload, _ in STRICT_JSON_CASES])

    assert _outcomes(result) == _expected(STRICT_JSON_CASES)


MISSING_CASES = [
    (None, "missing"),
    ("", "missing"),
    ("   ", "missing"),
    ("\t\r\n\x0b\x0c", "missing"),
    ("null", "missing"),
    ("NULL", "missing"),
    (" null ", "missing"),
    ("Undefined", "missing"),
    ("{}", "invalid"),
    ("0", "invalid"),
]


def test_score_missing_payloads(case_runner):
    dataset = standard_case_dataset()
    for number, (payload, _) in enumerate(MISSING_CASES):
        dataset.add_event(NOON, "completed", visitor=f"{number + 1:016x}", category=_game(number),
                          payload=payload)
    # Payloads of event types that are not scored count nowhere.
    dataset.add_event(NOON, "started", category="s", payload="{bad")
    dataset.add_event(NOON, "started", category="s", payload=None)
    dataset.add_event(NOON, "started", category=None, payload="{bad")

    result = case_runner(dataset, score_ranges=FINE_RANGES)
    quality = result.rows("data_quality.csv")

    assert _outcomes(result) == {**_expected(MISSING_CASES), "s": "none"}
    assert _one(quality, check_name="missing_scores", game_name="")["value"] == "8"
    assert _one(quality, check_name="invalid_scores", game_name="")["value"] == "2"
    assert _one(quality, check_name="out_of_range_scores", game_name="")["value"] == "0"


# Given out of order. Sorted by range_start they are r1, r2, r2b, r3, r4, and r2b overlaps
# r2 and r3, so the first match by range_start wins.
BOUND_RANGES = [
    {"score_range": "r3", "range_start": 2.25, "range_end": 10.0},
    {"score_range": "r1", "range_start": 0, "range_end": 0.1},
    {"score_range": "r4", "range_start": 10, "range_end": 12.5},
    {"score_range": "r2b", "range_start": 2, "range_end": 3},
    {"score_range": "r2", "range_start": 0.1, "range_end": 2.25},
]
BOUND_RULES = [
    {"event_type": "started", "stage_order": 1, "pattern": "started", "priority": 1},
    {"event_type": "validation", "stage_order": 2, "pattern": "validation", "priority": 2},
    {"event_type": "completed", "stage_order": 3, "pattern": "completed", "priority": 3},
]


def test_score_ranges_bounds_and_users(case_runner):
    v1, v2, v3, v4 = (f"{number:016x}" for number in range(1, 5))
    dataset = standard_case_dataset()
    # (visitor, event type, score): the payload is in dimension 4, and dimension 1 contains junk.
    scored = [
        (v1, "completed", "0"),  # r1
        (v1, "completed", "0.1"),  # r2
        (v2, "completed", "2.2"),  # r2, also inside r2b
        (v1, "completed", "2.25"),  # r2b, also inside r3
        (v3, "validation", "3"),  # r3
        (v3, "completed", "9.999"),  # r3
        (v1, "completed", "10"),  # r4
        (v2, "completed", "12.5"),  # r4: the last range takes its end
        (v2, "completed", "12.5000001"),  # out of range
        (v3, "completed", "13"),  # out of range
        (v4, "started", "2.0"),  # not a scored event type
    ]
    for visitor, action, score in scored:
        dataset.add_event(NOON, action, visitor=visitor, category="A", payload="{bad",
                          dimensions={4: '{"score": ' + score + "}"})
    dataset.add_event(NOON, "started", category="B")
    dataset.add_event(NOON, "completed", category="C", payload='{"score": 1}')  # dimension 4 empty
    dataset.add_event("2023-12-01 12:00:00", "completed", category="D",
                      dimensions={4: '{"score": 1}'})  # before the window

    result = case_runner(
        dataset, start_date="2024-01-01", event_type_rules=BOUND_RULES, score_ranges=BOUND_RANGES,
        score_dimension_index=4, scored_event_types=["completed", "validation"],
    )
    quality = result.rows("data_quality.csv")

    zeros = (
        "{game},r1,0,0.1,0,0\n{game},r2,0.1,2.25,0,0\n{game},r2b,2,3,0,0\n"
        "{game},r3,2.25,10,0,0\n{game},r4,10,12.5,0,0\n"
    )
    assert result.files["score_distribution.csv"] == (
        "game_name,score_range,range_start,range_end,attempts,users\n"
        "A,r1,0,0.1,1,1\n"
        "A,r2,0.1,2.25,2,2\n"
        "A,r2b,2,3,1,1\n"
        "A,r3,2.25,10,2,1\n"
        "A,r4,10,12.5,2,2\n"
        + zeros.format(game="B")
        + zeros.format(game="C")
    )
    assert _one(quality, check_name="out_of_range_scores", game_name="")["value"] == "2"
    assert _one(quality, check_name="out_of_range_scores", game_name="A")["value"] == "2"
    assert _one(quality, check_name="missing_scores", game_name="C")["value"] == "1"
    assert _one(quality, check_name="invalid_scores", game_name="")["value"] == "0"


def test_default_score_ranges(case_runner):
    # Seeded ranges: 0.5 in `0`, 5.99 in `5`, 6 and 10.5 in `6-10`, 50.5 in `21-50` (which
    # ends at 51), 100 in `51-100` (the last range takes its end), 100.5 out of range.
    dataset = standard_case_dataset()
    for number, score in enumerate(["0.5", "5.99", "6", "10.5", "50.5", "100", "100.5"]):
        dataset.add_event(NOON, "completed", visitor=f"{number + 1:016x}", category="A",
                          payload='{"score": ' + score + "}")

    result = case_runner(dataset)
    rows = result.rows("score_distribution.csv")
    quality = result.rows("data_quality.csv")

    assert [(row["score_range"], row["range_start"], row["range_end"], row["attempts"]) for row in rows] == [
        ("0", "0", "1", "1"),
        ("1", "1", "2", "0"),
        ("2", "2", "3", "0"),
        ("3", "3", "4", "0"),
        ("4", "4", "5", "0"),
        ("5", "5", "6", "1"),
        ("6-10", "6", "11", "2"),
        ("11-20", "11", "21", "0"),
        ("21-50", "21", "51", "1"),
        ("51-100", "51", "100", "1"),
    ]
    assert _one(quality, check_name="out_of_range_scores", game_name="A")["value"] == "1"
