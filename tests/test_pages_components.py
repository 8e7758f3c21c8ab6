"""Checks of component tags against the supported subset: names, attributes and their values."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reportpages.components import COMPONENTS, check_component  # noqa: E402
from reportpages.parser import Component, Prose, parse_page  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def check(tag: str, queries: set[str] = frozenset({"q"})):
    page = parse_page(tag + "\n", "a.md")
    block = page.blocks[0]
    component = block.parts[0] if isinstance(block, Prose) else block
    assert isinstance(component, Component), page.blocks
    return check_component(component, set(queries))


def messages(checked) -> list[str]:
    return [error.message for error in checked.errors]


def test_valid_chart_settings():
    checked = check("<BarChart data={q} x=event_type y=users sort=false yFmt=pct1 chartAreaHeight=240/>")
    assert checked.errors == []
    assert checked.settings["data"] == "q"
    assert checked.settings["y"] == ["users"]
    assert checked.settings["sort"] is False
    assert checked.settings["chartAreaHeight"] == 240.0
    assert checked.settings["xAxisTitle"] is True


def test_list_of_y_columns():
    checked = check("<LineChart data={q} x=day y={['users', 'events']}/>")
    assert checked.settings["y"] == ["users", "events"]


def test_unknown_component_names_the_supported_ones():
    checked = check("<PieChart data={q}/>")
    (message,) = messages(checked)
    assert message.startswith("unknown component <PieChart>")
    assert message.endswith(
        "expected one of: <AreaChart>, <BarChart>, <BigValue>, <DataTable>, <DateRange>, <Dropdown>, "
        "<LineChart>, <Value>"
    )
    assert checked.errors[0].line == 1


def test_unknown_component_suggests_a_near_name():
    (message,) = messages(check("<Linechart data={q} x=a y=b/>"))
    assert "(did you mean 'LineChart'?)" in message


def test_unknown_attribute_suggests_a_near_name():
    checked = check("<LineChart data={q} x=a y=b xaxistitle=Day/>")
    (message,) = messages(checked)
    assert message.startswith("unknown attribute 'xaxistitle' on <LineChart> (did you mean 'xAxisTitle'?)")
    assert "supported attributes: " in message


def test_unknown_attribute_line_is_its_own():
    page = parse_page("<BarChart\n  data={q}\n  x=a\n  y=b\n  colour=red\n/>\n", "a.md")
    checked = check_component(page.blocks[0], {"q"})
    assert [error.line for error in checked.errors] == [5]


def test_missing_required_attribute():
    assert messages(check("<BarChart data={q} x=a/>")) == ["<BarChart> is missing the required attribute 'y'"]


def test_missing_query():
    (message,) = messages(check("<DataTable data={nowhere}/>", queries={"funnel", "games"}))
    assert message == (
        "<DataTable> reads query 'nowhere', which is not defined on this page; expected a ```sql nowhere "
        "block (defined queries: funnel, games)"
    )


def test_data_needs_braces():
    (message,) = messages(check("<DataTable data=q/>"))
    assert "expected a query name in braces such as data={q}" in message


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("<BarChart data={q} x=a y=b sort=maybe/>", "attribute 'sort' of <BarChart>: expected true or false; got 'maybe'"),
        ("<DataTable data={q} rows=ten/>", "attribute 'rows' of <DataTable>: expected a number; got 'ten'"),
        ("<DataTable data={q} rows=2.5/>", "attribute 'rows' of <DataTable>: expected a whole number of 0 or more; got '2.5'"),
        ("<DateRange name=d start=2025-13-01 end=2025-12-01/>", "attribute 'start' of <DateRange>: expected a date written YYYY-MM-DD; got '2025-13-01'"),
        ("<BarChart data={q} x=a y=b type=pie/>", "attribute 'type' of <BarChart>: expected one of stacked, grouped, stacked100; got 'pie'"),
        ("<Dropdown name=my-game/>", "attribute 'name' of <Dropdown>: expected a name of letters, digits and underscores; got 'my-game'"),
        ("<Value data={q} agg=count/>", "attribute 'agg' of <Value>: expected one of sum, avg, min, median, max; got 'count'"),
    ],
)
def test_invalid_attribute_values(tag, expected):
    assert messages(check(tag)) == [expected]


def test_unsupported_format_lists_supported_ones():
    (message,) = messages(check("<Value data={q} fmt=usd0/>"))
    assert message.startswith("attribute 'fmt' of <Value>: unsupported format 'usd0'; expected num0-num4")


def test_javascript_expression_is_rejected():
    (message,) = messages(check("<BarChart data={q} x=a y={cols.map(c => c)}/>"))
    assert "unsupported expression" in message


def test_dropdown_with_options_and_children():
    tag = '<Dropdown name=game data={q} value=game_name title="Game">\n<DropdownOption value="" valueLabel="All games"/>\n</Dropdown>'
    checked = check(tag)
    assert checked.errors == []
    assert checked.children[0].settings == {"value": "", "valueLabel": "All games"}


def test_dropdown_data_needs_value_column():
    (message,) = messages(check("<Dropdown name=game data={q}/>"))
    assert message == "<Dropdown>: attribute 'value' is required with 'data': name the column that contains the options"


def test_dropdown_list_default_needs_multiple():
    (message,) = messages(check("<Dropdown name=g data={q} value=v defaultValue={['a', 'b']}/>"))
    assert message == "<Dropdown>: a list as defaultValue needs multiple=true"


def test_date_range_needs_dates_or_bounds():
    (message,) = messages(check("<DateRange name=d/>"))
    assert "give data={query} and dates=column" in message


def test_date_range_with_bounds():
    checked = check("<DateRange name=d start=2025-07-01 end=2025-07-31/>")
    assert checked.errors == []
    assert checked.settings["start"] == dt.date(2025, 7, 1)


def test_option_outside_dropdown_is_an_error():
    (message,) = messages(check("<DropdownOption value=a/>"))
    assert message == "<DropdownOption> is only allowed inside <Dropdown>"


def test_wrong_child_is_an_error():
    tag = "<DataTable data={q}>\n<DropdownOption value=a/>\n</DataTable>"
    checked = check(tag)
    assert [(error.line, error.message) for error in checked.errors] == [
        (2, "<DropdownOption> is not allowed inside <DataTable>; expected <Column>")
    ]


def test_column_children_of_table():
    tag = "<DataTable data={q}>\n<Column id=users title=Users fmt=num0/>\n<Column id=rate fmt=pct1/>\n</DataTable>"
    checked = check(tag)
    assert checked.errors == []
    assert [child.settings["id"] for child in checked.children] == ["users", "rate"]


def test_docs_list_every_component_and_attribute():
    docs = (REPO_ROOT / "docs" / "report-pages.md").read_text(encoding="utf-8")
    for name, spec in COMPONENTS.items():
        assert f"### <{name}>" in docs, name
        section = docs.split(f"### <{name}>", 1)[1].split("\n### ", 1)[0]
        for attribute in spec.attributes:
            assert f"| `{attribute}` |" in section, f"{name}.{attribute}"
