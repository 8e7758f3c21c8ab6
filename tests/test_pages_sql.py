"""SQL templating of pages: query composition, inputs as bound parameters, and the locked database."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reportpages.database import QueryFailure, open_database, run_query  # noqa: E402
from reportpages.parser import parse_page  # noqa: E402
from reportpages.sql import (  # noqa: E402
    CompiledQuery,
    InputState,
    QueryError,
    compile_query,
    split_sql,
    strip_trailing_semicolon,
)

INJECTIONS = ["x' OR '1'='1", "'); DROP TABLE games; --", "Alpha Quest'; SELECT * FROM games; --", "$$ or 1=1 $$"]


def page_queries(text: str):
    return parse_page(text, "a.md").queries


def inputs(**states):
    def resolve(name, line):
        return states.get(name)

    return resolve


def dropdown(name, value, label=None, multiple=False):
    return InputState(name, "Dropdown", {"value": value, "label": label if label is not None else value}, multiple)


def date_range(name, start, end):
    return InputState(name, "DateRange", {"start": start, "end": end})


@pytest.fixture()
def database():
    games = pa.table(
        {
            "game_name": ["Alpha Quest", "Beta, the Game", "<script>alert(1)</script>"],
            "users": [3, 2, 1],
            "day": [dt.date(2025, 7, 1), dt.date(2025, 7, 2), dt.date(2025, 7, 3)],
        }
    )
    connection = open_database({"games": games})
    yield connection
    connection.close()


# -- inputs ---------------------------------------------------------------------------------


def test_quoted_input_becomes_parameter():
    queries = page_queries("```sql q\nselect * from games where game_name = '${inputs.game.value}'\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", "Alpha Quest")))
    assert compiled.sql == "select * from games where game_name = $input_game_value"
    assert compiled.parameters == {"input_game_value": "Alpha Quest"}


def test_bare_input_becomes_parameter():
    queries = page_queries("```sql q\nselect * from games where users > ${inputs.minimum.value}\n```\n")
    compiled = compile_query("q", queries, inputs(minimum=dropdown("minimum", 1)))
    assert compiled.sql == "select * from games where users > $input_minimum_value"
    assert compiled.parameters == {"input_minimum_value": 1}


def test_input_inside_longer_literal_is_concatenated():
    queries = page_queries("```sql q\nselect * from games where game_name like '%${inputs.game.value}%'\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", "Quest")))
    assert compiled.sql == (
        "select * from games where game_name like ('%' || CAST($input_game_value AS VARCHAR) || '%')"
    )


def test_dropdown_without_property_reads_value():
    queries = page_queries("```sql q\nselect '${inputs.game}' as g\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", "A")))
    assert compiled.parameters == {"input_game_value": "A"}


def test_label_property():
    queries = page_queries("```sql q\nselect '${inputs.game.label}' as g\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", "", label="All games")))
    assert compiled.parameters == {"input_game_label": "All games"}


def test_date_range_properties(database):
    queries = page_queries(
        "```sql q\nselect game_name from games\nwhere day between '${inputs.dates.start}' and '${inputs.dates.end}'\n```\n"
    )
    state = date_range("dates", dt.date(2025, 7, 2), dt.date(2025, 7, 3))
    compiled = compile_query("q", queries, inputs(dates=state))
    assert compiled.parameters == {"input_dates_start": dt.date(2025, 7, 2), "input_dates_end": dt.date(2025, 7, 3)}
    result = run_query(database, compiled)
    assert result.frame["game_name"].tolist() == ["Beta, the Game", "<script>alert(1)</script>"]


def test_multiple_choice_input_reads_as_list(database):
    queries = page_queries("```sql q\nselect game_name from games where game_name in ${inputs.games.value} order by 1\n```\n")
    state = dropdown("games", ["Alpha Quest", "Beta, the Game"], multiple=True)
    compiled = compile_query("q", queries, inputs(games=state))
    assert "(SELECT unnest($input_games_value))" in compiled.sql
    assert run_query(database, compiled).frame["game_name"].tolist() == ["Alpha Quest", "Beta, the Game"]


def test_multiple_choice_input_inside_quotes_is_an_error():
    queries = page_queries("```sql q\nselect 1 where 'a' = '${inputs.games.value}'\n```\n")
    with pytest.raises(QueryError, match="cannot sit inside quotes"):
        compile_query("q", queries, inputs(games=dropdown("games", ["a"], multiple=True)))


def test_unknown_input_names_line():
    queries = page_queries("Intro.\n\n```sql q\nselect 1\nwhere x = '${inputs.gmae.value}'\n```\n")
    with pytest.raises(QueryError) as raised:
        compile_query("q", queries, inputs(game=dropdown("game", "A")))
    assert raised.value.line == 5
    assert raised.value.message == (
        "query 'q' reads input 'gmae', but the page has no <Dropdown name=gmae> or <DateRange name=gmae>"
    )


def test_unknown_property_is_an_error():
    queries = page_queries("```sql q\nselect '${inputs.dates.value}'\n```\n")
    with pytest.raises(QueryError, match=r"has no property 'value'; expected \$\{inputs.dates.start\} or \$\{inputs.dates.end\}"):
        compile_query("q", queries, inputs(dates=date_range("dates", dt.date(2025, 7, 1), dt.date(2025, 7, 2))))


def test_references_in_comments_are_ignored():
    queries = page_queries("```sql q\nselect 1 -- ${inputs.old.value}\n/* ${missing_query} */\n```\n")
    compiled = compile_query("q", queries, inputs())
    assert compiled.parameters == {}
    assert "${inputs.old.value}" in compiled.sql


def test_reference_in_quoted_identifier_is_an_error():
    queries = page_queries('```sql q\nselect 1 as "${inputs.game.value}"\n```\n')
    with pytest.raises(QueryError, match="double-quoted identifier"):
        compile_query("q", queries, inputs(game=dropdown("game", "A")))


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_are_data(database, value):
    queries = page_queries("```sql q\nselect count(*) as n from games where game_name = '${inputs.game.value}'\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", value)))
    assert value not in compiled.sql
    assert run_query(database, compiled).frame["n"].tolist() == [0]
    assert database.execute("select count(*) from games").fetchone() == (3,)


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_inside_like_pattern_is_data(database, value):
    queries = page_queries("```sql q\nselect count(*) as n from games where game_name like '%${inputs.game.value}%'\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", value)))
    assert run_query(database, compiled).frame["n"].tolist() == [0]
    assert database.execute("select count(*) from games").fetchone() == (3,)


def test_script_name_matches_as_data(database):
    queries = page_queries("```sql q\nselect users from games where game_name = '${inputs.game.value}'\n```\n")
    compiled = compile_query("q", queries, inputs(game=dropdown("game", "<script>alert(1)</script>")))
    assert run_query(database, compiled).frame["users"].tolist() == [1]


# -- composition ----------------------------------------------------------------------------


def test_query_reference_becomes_subquery(database):
    queries = page_queries(
        "```sql base\nselect * from games where users > 1;\n```\n\n"
        "```sql total\nselect sum(users) as users from ${base}\n```\n"
    )
    compiled = compile_query("total", queries, inputs())
    assert compiled.sql == "select sum(users) as users from (\nselect * from games where users > 1\n)"
    assert compiled.dependencies == ("base",)
    assert run_query(database, compiled).frame["users"].tolist() == [5]


def test_nested_references_share_parameters(database):
    queries = page_queries(
        "```sql chosen\nselect * from games where game_name = '${inputs.game.value}'\n```\n"
        "```sql doubled\nselect users * 2 as users from ${chosen}\n```\n"
        "```sql final\nselect users, '${inputs.game.value}' as game from ${doubled} -- last\n```\n"
    )
    compiled = compile_query("final", queries, inputs(game=dropdown("game", "Beta, the Game")))
    assert compiled.parameters == {"input_game_value": "Beta, the Game"}
    assert compiled.dependencies == ("chosen", "doubled")
    frame = run_query(database, compiled).frame
    assert frame.to_dict("list") == {"users": [4], "game": ["Beta, the Game"]}


def test_reference_to_query_with_trailing_comment(database):
    queries = page_queries("```sql base\nselect 1 as a; -- the end\n```\n```sql top\nselect a from ${base}\n```\n")
    compiled = compile_query("top", queries, inputs())
    assert run_query(database, compiled).frame["a"].tolist() == [1]


def test_circular_reference_is_detected():
    queries = page_queries(
        "```sql a\nselect * from ${b}\n```\n\n```sql b\nselect * from ${c}\n```\n\n```sql c\nselect * from ${a}\n```\n"
    )
    with pytest.raises(QueryError) as raised:
        compile_query("a", queries, inputs())
    assert raised.value.message == "circular query reference: a -> b -> c -> a"
    assert raised.value.line == 10


def test_self_reference_is_detected():
    queries = page_queries("```sql a\nselect * from ${a}\n```\n")
    with pytest.raises(QueryError, match="circular query reference: a -> a"):
        compile_query("a", queries, inputs())


def test_missing_query_reference():
    queries = page_queries("```sql a\nselect *\nfrom ${games}\n```\n")
    with pytest.raises(QueryError) as raised:
        compile_query("a", queries, inputs(), table_names=frozenset({"games"}))
    assert raised.value.line == 3
    assert "no query of that name is defined on this page (defined queries: a)" in raised.value.message
    assert "to read the table games, write its name without ${ }" in raised.value.message


def test_query_reference_inside_string_is_an_error():
    queries = page_queries("```sql a\nselect 1\n```\n```sql b\nselect '${a}'\n```\n")
    with pytest.raises(QueryError, match="sits inside a quoted string"):
        compile_query("b", queries, inputs())


# -- SQL text helpers -----------------------------------------------------------------------


def test_split_sql_kinds():
    sql = "select 'it''s ${x}', E'a\\'b', \"col\", $$raw ${y}$$ -- note\n/* block */ from t"
    kinds = [segment.kind for segment in split_sql(sql)]
    assert kinds == ["code", "string", "code", "string", "code", "identifier", "code", "dollar", "code", "comment", "code", "comment", "code"]


def test_strip_trailing_semicolon_keeps_strings():
    assert strip_trailing_semicolon("select ';'  ;  -- done\n") == "select ';'    -- done\n"
    assert strip_trailing_semicolon("select ';'") == "select ';'"


# -- the locked database --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from glob('/etc/*')",
        "select * from 'https://example.com/data.csv'",
    ],
)
def test_file_and_network_access_fails(database, sql):
    with pytest.raises(QueryFailure) as raised:
        run_query(database, CompiledQuery("leak", sql))
    message = raised.value.message
    assert "disabled by configuration" in message or "does not exist" in message


def test_read_csv_failure_names_the_limit(database):
    with pytest.raises(QueryFailure) as raised:
        run_query(database, CompiledQuery("leak", "select * from read_csv('/etc/passwd')"))
    assert raised.value.message.startswith('Permission Error: Cannot access file "/etc/passwd"')
    assert raised.value.message.endswith("(page queries can read only the loaded tables)")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("drop table games", "a query must be a SELECT statement; found DROP"),
        ("copy games to '/tmp/games.csv'", "a query must be a SELECT statement; found COPY"),
        ("attach '/tmp/other.duckdb'", "a query must be a SELECT statement; found ATTACH"),
        ("set enable_external_access = true", "a query must be a SELECT statement; found SET"),
        ("install httpfs", "a query must be a SELECT statement; found LOAD"),
        ("select 1; drop table games", "a query must be one SELECT statement; found 2 statements"),
        ("create table t as select 1", "a query must be a SELECT statement; found CREATE"),
    ],
)
def test_only_one_select_runs(database, sql, expected):
    with pytest.raises(QueryFailure) as raised:
        run_query(database, CompiledQuery("bad", sql))
    assert raised.value.message.startswith(expected)
    assert database.execute("select count(*) from games").fetchone() == (3,)


def test_configuration_is_locked(database):
    with pytest.raises(Exception, match="configuration has been locked"):
        database.execute("set enable_external_access = true")


def test_syntax_error_names_sql_line(database):
    with pytest.raises(QueryFailure) as raised:
        run_query(database, CompiledQuery("bad", "select *\nfrom games\nwhere and users"))
    assert raised.value.message == 'Parser Error: syntax error at or near "and"'
    assert raised.value.sql_line == 3


def test_unknown_column_error_keeps_candidates(database):
    with pytest.raises(QueryFailure) as raised:
        run_query(database, CompiledQuery("bad", "select userz from games"))
    assert raised.value.message.startswith('Binder Error: Referenced column "userz" not found in FROM clause!')
    assert "Candidate bindings" in raised.value.message
    assert raised.value.sql_line == 1


def test_integer_sums_stay_integers(database):
    result = run_query(database, CompiledQuery("total", "select sum(users) as users from games"))
    assert result.kinds == {"users": "integer"}
    assert result.frame["users"].tolist() == [6]
