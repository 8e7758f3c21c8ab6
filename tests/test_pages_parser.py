"""Parsing of report pages: front matter, SQL blocks, components, attributes and inline values."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from reportpages.parser import (  # noqa: E402
    Component,
    Expression,
    PageError,
    Prose,
    parse_expression,
    parse_page,
    read_front_matter,
)


def components(page) -> list[Component]:
    return [block for block in page.blocks if isinstance(block, Component)]


def errors(page) -> list[PageError]:
    found = list(page.header_errors)
    for block in page.blocks:
        if isinstance(block, PageError):
            found.append(block)
        elif isinstance(block, Prose):
            found.extend(part for part in block.parts if isinstance(part, PageError))
        elif isinstance(block, Component):
            found.extend(block.errors)
    return found


def prose_text(page) -> str:
    return "".join(
        part for block in page.blocks if isinstance(block, Prose) for part in block.parts if isinstance(part, str)
    )


# -- front matter ---------------------------------------------------------------------------


def test_front_matter_title_and_order():
    page = parse_page("---\ntitle: Funnel\norder: 2\n---\nText.\n", "funnel.md")
    assert page.title == "Funnel"
    assert page.order == 2
    assert page.header_errors == []


def test_title_defaults_to_file_name():
    page = parse_page("Text only.\n", "x.md", default_title="Data quality")
    assert page.title == "Data quality"
    assert page.order == float("inf")


def test_invalid_yaml_reports_its_line():
    page = parse_page("---\ntitle: Funnel\norder: [2\n---\nText.\n", "funnel.md")
    assert len(page.header_errors) == 1
    assert page.header_errors[0].line in (3, 4)
    assert "not valid YAML" in page.header_errors[0].message
    assert "Text." in prose_text(page)


def test_order_must_be_a_number():
    page = parse_page("---\norder: first\n---\n", "a.md")
    assert page.header_errors == [PageError(1, "front matter 'order' must be a number; got 'first'")]


def test_sql_file_queries_are_an_error():
    page = parse_page("---\nqueries:\n  - orders.sql\n---\n", "a.md")
    assert "'queries' (SQL file queries) is not supported" in page.header_errors[0].message


def test_unclosed_front_matter_is_an_error():
    page = parse_page("---\ntitle: A\n", "a.md")
    assert "not closed" in page.header_errors[0].message


def test_read_front_matter_of_file(tmp_path):
    path = tmp_path / "03_time-series.md"
    path.write_text("---\norder: 3\n---\n", encoding="utf-8")
    assert read_front_matter(path) == ("Time series", 3.0)


# -- SQL blocks -----------------------------------------------------------------------------


def test_sql_block_name_text_and_lines():
    text = "---\ntitle: A\n---\nIntro.\n\n```sql users_by_day\nselect *\nfrom timeseries_total\n```\n"
    page = parse_page(text, "a.md")
    query = page.queries["users_by_day"]
    assert query.sql == "select *\nfrom timeseries_total"
    assert query.line == 6
    assert query.first_sql_line == 7


def test_sql_block_without_name_is_an_error():
    page = parse_page("```sql\nselect 1\n```\n", "a.md")
    assert page.queries == {}
    assert errors(page) == [PageError(1, "```sql block has no name; write ```sql query_name")]


def test_duplicate_query_name_is_an_error():
    page = parse_page("```sql q\nselect 1\n```\n\n```sql q\nselect 2\n```\n", "a.md")
    assert page.queries["q"].sql == "select 1"
    assert errors(page) == [PageError(5, "query 'q' is already defined on line 1")]


def test_invalid_query_name_is_an_error():
    page = parse_page("```sql my-query\nselect 1\n```\n", "a.md")
    assert page.queries == {}
    assert "is invalid" in errors(page)[0].message


def test_unclosed_sql_block_is_an_error():
    page = parse_page("```sql q\nselect 1\n", "a.md")
    assert page.queries["q"].sql == "select 1"
    assert errors(page)[0].line == 1
    assert "not closed" in errors(page)[0].message


def test_other_code_blocks_are_prose():
    text = "```markdown\n<BarChart data={q} x=a y=b/>\n```\n"
    page = parse_page(text, "a.md")
    assert components(page) == []
    assert "<BarChart data={q} x=a y=b/>" in prose_text(page)


# -- components and attributes --------------------------------------------------------------


def test_attribute_kinds():
    page = parse_page('<BarChart data={q} x=event_type y="users" title=\'A title\' labels swapXY=false/>\n', "a.md")
    (chart,) = components(page)
    assert chart.name == "BarChart"
    assert chart.attributes["data"].value == Expression("q")
    assert chart.attributes["x"].value == "event_type"
    assert chart.attributes["y"].value == "users"
    assert chart.attributes["title"].value == "A title"
    assert chart.attributes["labels"].value is True
    assert chart.attributes["swapXY"].value == "false"


def test_quoted_brace_value_is_an_expression():
    page = parse_page('<Value data="{q}"/>\n', "a.md")
    value = page.blocks[0].parts[0]
    assert value.attributes["data"].value == Expression("q")


def test_multiline_tag_attribute_lines():
    text = "Intro.\n\n<LineChart\n    data={daily}\n    x=day\n    y={['users', 'events']}\n/>\n"
    page = parse_page(text, "a.md")
    (chart,) = components(page)
    assert chart.line == 3
    assert chart.attributes["data"].line == 4
    assert chart.attributes["x"].line == 5
    assert chart.attributes["y"].line == 6
    assert chart.attributes["y"].value == Expression("['users', 'events']")


def test_children_of_dropdown():
    text = '<Dropdown name=period>\n    <DropdownOption value=day valueLabel="Day"/>\n    <DropdownOption value=week/>\n</Dropdown>\nAfter.\n'
    page = parse_page(text, "a.md")
    (dropdown,) = components(page)
    assert [child.name for child in dropdown.children] == ["DropdownOption", "DropdownOption"]
    assert dropdown.children[0].line == 2
    assert dropdown.children[1].attributes["value"].value == "week"
    assert "After." in prose_text(page)


def test_text_inside_component_is_an_error():
    page = parse_page("<Dropdown name=a>\nsome text\n</Dropdown>\n", "a.md")
    (dropdown,) = components(page)
    assert dropdown.errors[0].line == 2
    assert "text inside <Dropdown>" in dropdown.errors[0].message


def test_unclosed_tag_reports_line_and_page_continues():
    text = "Before.\n\n<BarChart data={q} x=a\n\nAfter the chart.\n\n<Value data={q}/> here.\n"
    page = parse_page(text, "a.md")
    found = errors(page)
    assert found[0].line == 3
    assert "<BarChart" in found[0].message
    assert "After the chart." in prose_text(page)
    values = [part for block in page.blocks if isinstance(block, Prose) for part in block.parts if isinstance(part, Component)]
    assert [value.name for value in values] == ["Value"]


def test_unclosed_component_with_children_is_an_error():
    page = parse_page("<Dropdown name=a>\n<DropdownOption value=x/>\n", "a.md")
    assert "is not closed" in errors(page)[0].message
    assert errors(page)[0].line == 1


def test_duplicate_attribute_is_an_error():
    page = parse_page("<BarChart x=a x=b/>\n", "a.md")
    assert "given twice" in errors(page)[0].message


def test_stray_closing_tag_is_an_error():
    page = parse_page("Text.\n</Dropdown>\n", "a.md")
    assert errors(page) == [PageError(2, "closing tag </Dropdown> has no matching <Dropdown>")]


def test_two_components_on_one_line():
    page = parse_page("<BigValue data={q} value=a/> <BigValue data={q} value=b/>\n", "a.md")
    assert [component.attributes["value"].value for component in components(page)] == ["a", "b"]


# -- prose and inline values ----------------------------------------------------------------


def test_inline_value_splits_prose():
    page = parse_page("We had <Value data={q} column=users/> users.\n", "a.md")
    (prose,) = page.blocks
    assert prose.parts[0] == "We had "
    assert prose.parts[1].name == "Value"
    assert prose.parts[1].inline is True
    assert prose.parts[1].line == 1
    assert prose.parts[2] == " users.\n"


def test_value_at_line_start_stays_inline():
    page = parse_page("Intro\n<Value data={q}/> users started.\n", "a.md")
    assert len(page.blocks) == 1
    assert isinstance(page.blocks[0], Prose)
    assert page.blocks[0].parts[1].line == 2


def test_value_spanning_lines_inside_sentence():
    page = parse_page("We had <Value\n  data={q}\n  column=users/> users.\n", "a.md")
    value = page.blocks[0].parts[1]
    assert value.attributes["column"].line == 3
    assert page.blocks[0].parts[2] == " users.\n"


def test_block_component_inside_sentence_is_an_error():
    page = parse_page("Look: <BarChart data={q} x=a y=b/> here.\n", "a.md")
    (error,) = errors(page)
    assert error.line == 1
    assert "<BarChart> must start on its own line" in error.message


def test_inline_code_is_not_parsed():
    page = parse_page("Write `<Value data={q}/>` in a sentence.\n", "a.md")
    assert prose_text(page) == "Write `<Value data={q}/>` in a sentence.\n"


def test_html_comments_are_dropped():
    page = parse_page("Shown <!-- hidden <Value data={q}/> --> text.\n<!--\nblock comment\n-->\nEnd.\n", "a.md")
    text = prose_text(page)
    assert "hidden" not in text
    assert "block comment" not in text
    assert "Shown  text." in text
    assert "End." in text


def test_value_with_children_inline_is_an_error():
    page = parse_page("A <Value data={q}>x</Value> b.\n", "a.md")
    assert "must be self-closing" in errors(page)[0].message


# -- expressions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("funnel", Expression("funnel")),
        ("true", True),
        ("false", False),
        ("12", 12),
        ("'Sinister Toys'", "Sinister Toys"),
        ("['users', \"events\"]", ["users", "events"]),
    ],
)
def test_parse_expression_values(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize("text", ["a + b", "{'a': 1}", "__import__('os')", "[x]"])
def test_parse_expression_rejects_code(text):
    with pytest.raises(ValueError, match="unsupported expression"):
        parse_expression(text)


FRAGMENTS = [
    "<", ">", "/>", "<Value", "<BarChart", "<Dropdown name=a>", "</Dropdown>", "<DropdownOption value=x/>",
    " data={q}", " x=a", " y={['a', 'b']}", "{", "}", "[", "'", '"', "```sql q\n", "```\n", "~~~\n", "---\n",
    "title: A\n", "\n", "\n\n", "  ", "<!--", "-->", "`", "${", "text", "\\", "=",
]


def test_parser_never_raises_on_random_pages():
    generator = random.Random(20250701)
    for _ in range(3000):
        text = "".join(generator.choice(FRAGMENTS) for _ in range(generator.randint(1, 40)))
        page = parse_page(text, "random.md")
        assert page.source == "random.md"
        for error in errors(page):
            assert 1 <= error.line <= text.count("\n") + 1, (text, error)
