"""Event type rules: priority, ties, LIKE matching and the names they are matched against.

Unless a test states otherwise: site 1 in UTC, start_date 2000-01-01, event type read from the
event action, game `A` from the event category, every event its own visit. Expected values
are worked out by hand from the rules in each test.
"""

from __future__ import annotations

from harness import standard_case_dataset

V1 = "aaaa000000000001"
V2 = "aaaa000000000002"
NOON = "2024-01-08 12:00:00"


def _rule(event_type: str, stage_order: int, pattern: str, priority: int) -> dict:
    return {"event_type": event_type, "stage_order": stage_order, "pattern": pattern, "priority": priority}


def _one(rows, **criteria):
    matches = [row for row in rows if all(row[key] == value for key, value in criteria.items())]
    assert len(matches) == 1, f"expected one row for {criteria}, found {matches}"
    return matches[0]


def _events_by_type(result) -> dict[str, str]:
    return {row["event_type"]: row["events"] for row in result.rows("conversion_funnel_total.csv")}


def _unmatched(result) -> str:
    return _one(result.rows("data_quality.csv"), check_name="unmatched_actions")["value"]


# Rules are listed out of stage order on purpose: output rows follow stage_order.
PRIORITY_RULES = [
    _rule("tie_late", 70, "%tie%", 6),
    _rule("completed", 30, "%completed%", 3),
    _rule("started", 10, "%started%", 1),
    _rule("later_stage", 50, "%both%", 4),
    _rule("middle", 20, "%mid%", 2),
    _rule("earlier_stage", 40, "%both%", 5),
    _rule("tie_early", 60, "%tie%", 6),
]


def test_priority_then_stage_order(case_runner):
    dataset = standard_case_dataset()
    dataset.add_event(NOON, "started_completed", visitor=V1)  # started (priority 1)
    dataset.add_event(NOON, "mid_started", visitor=V2)  # started, not middle (priority 2)
    dataset.add_event(NOON, "mid_completed", visitor=V1)  # middle, not completed
    dataset.add_event(NOON, "completed", visitor=V1)
    dataset.add_event(NOON, "both", visitor=V1)  # priority 4 wins over an earlier stage
    dataset.add_event(NOON, "tie", visitor=V1)  # equal priority: stage_order 60 before 70

    result = case_runner(dataset, event_type_rules=PRIORITY_RULES)
    rows = result.rows("conversion_funnel_total.csv")

    assert [row["event_type"] for row in rows] == [
        "started", "middle", "completed", "earlier_stage", "later_stage", "tie_early", "tie_late",
    ]
    assert [row["stage_order"] for row in rows] == ["10", "20", "30", "40", "50", "60", "70"]
    assert _events_by_type(result) == {
        "started": "2",
        "middle": "1",
        "completed": "1",
        "earlier_stage": "0",
        "later_stage": "1",
        "tie_early": "1",
        "tie_late": "0",
    }


def test_conversion_from_lowest_stage_order(case_runner):
    # Same input as above. Users: started {V1, V2}, then 1, 1, 0, 1, 1, 0.
    dataset = standard_case_dataset()
    dataset.add_event(NOON, "started_completed", visitor=V1)
    dataset.add_event(NOON, "mid_started", visitor=V2)
    dataset.add_event(NOON, "mid_completed", visitor=V1)
    dataset.add_event(NOON, "completed", visitor=V1)
    dataset.add_event(NOON, "both", visitor=V1)
    dataset.add_event(NOON, "tie", visitor=V1)

    result = case_runner(dataset, event_type_rules=PRIORITY_RULES)
    rates = {
        row["event_type"]: (row["conversion_from_start"], row["conversion_from_previous"])
        for row in result.rows("conversion_funnel_total.csv")
    }

    assert rates == {
        "started": ("1.000000", ""),
        "middle": ("0.500000", "0.500000"),
        "completed": ("0.500000", "1.000000"),
        "earlier_stage": ("0.000000", "0.000000"),
        "later_stage": ("0.500000", ""),
        "tie_early": ("0.500000", "1.000000"),
        "tie_late": ("0.000000", "0.000000"),
    }


def test_equal_stage_order_ties_by_code_point(case_runner):
    # `Zeta` sorts before `alpha` by code point (Z is 0x5A, a is 0x61).
    rules = [
        _rule("started", 1, "%started%", 1),
        _rule("alpha", 2, "q%", 2),
        _rule("Zeta", 2, "q%", 2),
    ]
    dataset = standard_case_dataset()
    dataset.add_event(NOON, "started")
    dataset.add_event(NOON, "q1")

    result = case_runner(dataset, event_type_rules=rules)
    events = _events_by_type(result)

    assert events["Zeta"] == "1"
    assert events["alpha"] == "0"


LIKE_RULES = [
    _rule("percent", 1, r"play25\%", 1),
    _rule("single", 2, "a_c", 2),
    _rule("underscore", 3, r"x\_y", 3),
    _rule("backslash", 4, "back\\\\slash", 4),  # pattern text: back\\slash
    _rule("capital", 5, "Started", 5),
    _rule("exact", 6, "done", 6),
    _rule("prefix", 7, "go%", 7),
]

# (action name, expected event type or None when no rule matches)
LIKE_NAMES = [
    ("play25%", "percent"),
    ("play250", None),
    ("play25", None),
    ("xplay25%", None),
    ("abc", "single"),
    ("a_c", "single"),
    ("a%c", "single"),
    ("ac", None),
    ("abbc", None),
    ("x_y", "underscore"),
    ("xzy", None),
    ("back\\slash", "backslash"),  # one backslash
    ("backslash", None),
    ("back\\\\slash", None),  # two backslashes
    ("Started", "capital"),
    ("started", None),
    ("STARTED", None),
    ("done", "exact"),
    ("done!", None),
    ("undone", None),
    ("go", "prefix"),
    ("gone", "prefix"),
    ("Go", None),
    ("ago", None),
]


def test_like_wildcards_escapes_and_case(case_runner):
    dataset = standard_case_dataset()
    for name, _ in LIKE_NAMES:
        dataset.add_event(NOON, name)

    result = case_runner(dataset, event_type_rules=LIKE_RULES)

    expected = {rule["event_type"]: 0 for rule in LIKE_RULES}
    for _, event_type in LIKE_NAMES:
        if event_type is not None:
            expected[event_type] += 1
    assert _events_by_type(result) == {key: str(value) for key, value in expected.items()}
    assert _unmatched(result) == "14"


NAME_RULES = [
    _rule("exact", 1, "done", 1),
    _rule("less", 2, "<", 2),
    _rule("entity", 3, "&lt;", 3),
    _rule("apostrophe", 4, "it's", 4),
    _rule("quoted", 5, '"q"', 5),
    _rule("greater", 6, "a>b", 6),
    _rule("ampersand", 7, "&amp;", 7),
    _rule("tom", 8, "Tom & Jerry", 8),
]

# Names as Matomo stores them, and the event type after one pass of unescaping and trimming.
STORED_NAMES = [
    ("done", "exact"),
    ("  done  ", "exact"),
    ("\tdone\n", "exact"),
    ("\x0b\x0cdone\r", "exact"),
    ("\u00a0done", None),  # a no-break space is not ASCII whitespace
    ("do ne", None),
    ("&lt;", "less"),
    (" &lt; ", "less"),
    ("&amp;lt;", "entity"),  # one pass: &amp;lt; becomes &lt;, never <
    ("it&#039;s", "apostrophe"),
    ("&quot;q&quot;", "quoted"),
    ("a&gt;b", "greater"),
    ("&amp;amp;", "ampersand"),
    ("Tom &amp; Jerry", "tom"),
    ("&lt ;", None),
]


def test_names_unescaped_once_and_trimmed(case_runner):
    dataset = standard_case_dataset()
    for name, _ in STORED_NAMES:
        dataset.add_event(NOON, name)

    result = case_runner(dataset, event_type_rules=NAME_RULES)

    assert _events_by_type(result) == {
        "exact": "4",
        "less": "2",
        "entity": "1",
        "apostrophe": "1",
        "quoted": "1",
        "greater": "1",
        "ampersand": "1",
        "tom": "1",
    }
    assert _unmatched(result) == "3"


def test_blank_names_never_match(case_runner):
    # `%` matches any text, the empty text included, so only the blank check keeps blank
    # names out of the events.
    rules = [_rule("anything", 1, "%", 1)]
    dataset = standard_case_dataset()
    for name in [None, "", "   ", "\t\r\n\x0b\x0c", "null", "NULL", "Undefined", "uNdEfInEd"]:
        dataset.add_event(NOON, name)
    dataset.add_event(NOON, None, action_id=9999)  # no log_action row with this id
    for name in ["0", "x", "null value"]:
        dataset.add_event(NOON, name)

    result = case_runner(dataset, event_type_rules=rules)

    assert _events_by_type(result) == {"anything": "3"}
    assert _unmatched(result) == "9"


def test_default_rules_read_action_name(case_runner):
    # Event names carry the type. Every event action is `started`, which shows a wrong source.
    names = [
        ("hybrid_game_started", "started"),
        ("mcq_started", "started"),
        ("mid_introduction_started", "started"),
        ("introduction_completed", "introduction"),
        ("mid_introduction_completed", "mid_introduction"),
        ("action_completed", "questions"),
        ("question_completed", "validation"),
        ("parent_poll_completed", "parent_poll"),
        ("reward_completed", "rewards"),
        ("hybrid_game_completed", "completed"),
        ("hybrid_game_Started", None),
        ("Completed", None),
    ]
    dataset = standard_case_dataset()
    for name, _ in names:
        dataset.add_event(NOON, "started", name=name)

    result = case_runner(dataset, event_type_source="action_name", event_type_rules=None)
    rows = result.rows("conversion_funnel_total.csv")

    assert [row["event_type"] for row in rows] == [
        "started", "introduction", "questions", "mid_introduction",
        "validation", "parent_poll", "rewards", "completed",
    ]
    assert _events_by_type(result) == {
        "started": "3",
        "introduction": "1",
        "questions": "1",
        "mid_introduction": "1",
        "validation": "1",
        "parent_poll": "1",
        "rewards": "1",
        "completed": "1",
    }
    assert _unmatched(result) == "2"
