"""Evaluation of a whole page without a browser: inputs, queries, values and their errors."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reportpages.database import DataProblem, LoadedData, open_database, run_query  # noqa: E402
from reportpages.page_run import PageProblem, PageRun, widget_key  # noqa: E402
from reportpages.parser import Component, Prose, parse_page  # noqa: E402

TABLES = {
    "games": pa.table(
        {
            "game_name": ["Beta, the Game", "Alpha Quest", "<script>alert(1)</script>"],
            "position": [1, 2, 3],
            "users": [2, 3, 1],
        }
    ),
    "days": pa.table({"day": pa.array([dt.date(2025, 7, 1), dt.date(2025, 7, 3), dt.date(2025, 7, 2)], pa.date32())}),
}


def make_run(text: str, widget_values: dict | None = None, problems: list[DataProblem] | None = None) -> PageRun:
    page = parse_page(text, "reports/test.md")
    loaded = LoadedData(tables=dict(TABLES), problems=problems or [])
    if problems:
        for problem in problems:
            for table in problem.tables:
                loaded.tables.pop(table, None)
    connection = open_database(loaded.tables)
    return PageRun(
        page,
        loaded,
        lambda compiled: run_query(connection, compiled),
        widget_values or {},
        table_names=frozenset(TABLES),
        fix_hint="Run `make demo`.",
    )


def component(run: PageRun, name: str) -> Component:
    for block in run.page.blocks:
        if isinstance(block, Component) and block.name == name:
            return block
        if isinstance(block, Prose):
            for part in block.parts:
                if isinstance(part, Component) and part.name == name:
                    return part
    raise AssertionError(f"no <{name}> on the page")


GAME_PAGE = """\
```sql games_list
select game_name, position from games
```

<Dropdown name=game data={games_list} value=game_name>
    <DropdownOption value="" valueLabel="All games"/>
</Dropdown>

```sql chosen
select coalesce(sum(users), 0) as users from games
where '${inputs.game.value}' = '' or game_name = '${inputs.game.value}'
```

Users: <Value data={chosen} column=users/>.
"""


def test_dropdown_options_fixed_first_then_sorted_labels():
    run = make_run(GAME_PAGE)
    state = run.dropdown(run.check(component(run, "Dropdown")))
    assert state.values == ["", "<script>alert(1)</script>", "Alpha Quest", "Beta, the Game"]
    assert state.label("") == "All games"
    assert state.current == ""


def test_dropdown_value_reaches_query():
    run = make_run(GAME_PAGE)
    assert run.value_text(run.check(component(run, "Value"))) == "6"
    key = widget_key(run.page, "game")
    chosen = make_run(GAME_PAGE, {key: "Beta, the Game"})
    assert chosen.value_text(chosen.check(component(chosen, "Value"))) == "2"


def test_unknown_widget_value_falls_back_to_default():
    run = make_run(GAME_PAGE, {widget_key(parse_page("", "reports/test.md"), "game"): "Removed game"})
    state = run.dropdown(run.check(component(run, "Dropdown")))
    assert state.current == ""


def test_dropdown_order_column():
    text = "```sql g\nselect game_name, position from games\n```\n<Dropdown name=game data={g} value=game_name order='position desc'/>\n"
    run = make_run(text)
    state = run.dropdown(run.check(component(run, "Dropdown")))
    assert state.values == ["<script>alert(1)</script>", "Alpha Quest", "Beta, the Game"]


def test_default_value_not_an_option():
    text = "```sql g\nselect game_name from games\n```\n<Dropdown\n  name=game\n  data={g}\n  value=game_name\n  defaultValue=\"Gamma\"\n/>\n"
    run = make_run(text)
    state = run.dropdown(run.check(component(run, "Dropdown")))
    assert state.current == "<script>alert(1)</script>"
    assert [(problem.line, problem.message) for problem in state.problems] == [
        (8, "<Dropdown name=game>: defaultValue 'Gamma' is not one of its options")
    ]


def test_multiple_choice_dropdown():
    text = (
        "```sql g\nselect game_name from games\n```\n"
        "<Dropdown name=games data={g} value=game_name multiple=true selectAllByDefault=true/>\n"
        "```sql chosen\nselect count(*) as n from games where game_name in ${inputs.games.value}\n```\n"
        "<Value data={chosen}/>\n"
    )
    run = make_run(text)
    assert run.value_text(run.check(component(run, "Value"))) == "3"
    narrowed = make_run(text, {widget_key(run.page, "games"): ["Alpha Quest"]})
    assert narrowed.value_text(narrowed.check(component(narrowed, "Value"))) == "1"


DATE_PAGE = """\
```sql all_days
select day from days
```

<DateRange name=range data={all_days} dates=day/>

```sql in_range
select count(*) as n from days where day between '${inputs.range.start}' and '${inputs.range.end}'
```

<Value data={in_range}/>
"""


def test_date_range_bounds_and_choice():
    run = make_run(DATE_PAGE)
    state = run.date_range(run.check(component(run, "DateRange")))
    assert (state.first, state.last) == (dt.date(2025, 7, 1), dt.date(2025, 7, 3))
    assert state.current == (dt.date(2025, 7, 1), dt.date(2025, 7, 3))
    assert run.value_text(run.check(component(run, "Value"))) == "3"

    key = widget_key(run.page, "range")
    chosen = make_run(DATE_PAGE, {key: (dt.date(2025, 7, 2), dt.date(2025, 7, 9))})
    assert chosen.date_range(chosen.check(component(chosen, "DateRange"))).current == (dt.date(2025, 7, 2), dt.date(2025, 7, 3))
    assert chosen.value_text(chosen.check(component(chosen, "Value"))) == "2"

    half_chosen = make_run(DATE_PAGE, {key: (dt.date(2025, 7, 3),)})
    assert half_chosen.value_text(half_chosen.check(component(half_chosen, "Value"))) == "1"


def test_input_whose_options_read_itself_is_circular():
    text = (
        "```sql options\nselect game_name from games where game_name <> '${inputs.game.value}'\n```\n"
        "<Dropdown name=game data={options} value=game_name/>\n"
    )
    run = make_run(text)
    with pytest.raises(PageProblem) as raised:
        run.dropdown(run.check(component(run, "Dropdown")))
    assert "circular reference between inputs and queries: game -> game" in raised.value.message


def test_duplicate_input_name_is_an_error():
    text = "<Dropdown name=a>\n<DropdownOption value=x/>\n</Dropdown>\n\n<Dropdown name=a>\n<DropdownOption value=y/>\n</Dropdown>\n"
    run = make_run(text)
    second = [block for block in run.page.blocks if isinstance(block, Component)][1]
    assert [(error.line, error.message) for error in run.check(second).errors] == [
        (5, "an input named 'a' is already defined on line 1")
    ]


def test_value_errors_are_precise():
    text = "```sql q\nselect users from games\n```\n<Value data={q} column=userz/> and <Value data={q} row=9/>\n"
    run = make_run(text)
    values = [part for part in run.page.blocks[0].parts if isinstance(part, Component)]
    with pytest.raises(PageProblem) as missing_column:
        run.value_text(run.check(values[0]))
    assert missing_column.value.line == 4
    assert missing_column.value.message == "<Value>: column 'userz' is not in the result of query 'q'; its columns are: users"
    with pytest.raises(PageProblem, match=r"row=9 is past the last row of query 'q', which has 3 rows"):
        run.value_text(run.check(values[1]))


def test_value_aggregate_and_empty_result():
    text = "```sql q\nselect users from games\n```\n```sql none\nselect users from games where false\n```\n<Value data={q} column=users agg=avg fmt=num1/> <Value data={none} emptyMessage=\"nothing yet\"/>\n"
    run = make_run(text)
    values = [part for part in run.page.blocks[0].parts if isinstance(part, Component)]
    assert run.value_text(run.check(values[0])) == "2.0"
    assert run.value_text(run.check(values[1])) == "nothing yet"


def test_broken_sql_points_at_its_page_line():
    text = "Intro.\n\n```sql q\nselect users\nfrom games\nwhere and users\n```\n<Value data={q}/>\n"
    run = make_run(text)
    with pytest.raises(PageProblem) as raised:
        run.result("q")
    assert raised.value.line == 6
    assert raised.value.message == "query 'q' failed: Parser Error: syntax error at or near \"and\""


def test_missing_table_names_file_and_fix():
    problem = DataProblem(("games",), "games.csv", "/data/games.csv is missing")
    run = make_run("```sql q\nselect * from games\n```\n<Value data={q}/>\n", problems=[problem])
    with pytest.raises(PageProblem) as raised:
        run.result("q")
    assert raised.value.line == 1
    assert raised.value.message == (
        "query 'q' reads games, which could not be loaded: /data/games.csv is missing. Run `make demo`."
    )


def test_big_value_with_comparison():
    text = "```sql q\nselect 0.5 as rate, -0.1 as change\n```\n<BigValue data={q} value=rate fmt=pct0 comparison=change comparisonFmt=pct1 comparisonTitle=\"vs. last week\"/>\n"
    run = make_run(text)
    assert run.big_value(run.check(component(run, "BigValue"))) == ("Rate", "50%", "-10.0% vs. last week")


def test_date_range_without_dates_reads_null():
    text = (
        "```sql no_days\nselect day from days where false\n```\n"
        "<DateRange name=range data={no_days} dates=day/>\n"
        "```sql in_range\nselect count(*) as n from days where day >= '${inputs.range.start}'\n```\n"
        "<Value data={in_range}/>\n"
    )
    run = make_run(text)
    state = run.date_range(run.check(component(run, "DateRange")))
    assert (state.first, state.last, state.current) == (None, None, (None, None))
    assert run.value_text(run.check(component(run, "Value"))) == "0"
