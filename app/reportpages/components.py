"""The supported components, their attributes, and the checks that turn tags into settings.

``COMPONENTS`` is the single list of what pages may use; docs/report-pages.md documents the same
subset and a test keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Callable

from .formatting import check_format
from .parser import IDENTIFIER, Attribute, Component, Expression, PageError, parse_expression


class AttributeValueError(ValueError):
    """An attribute value that does not fit its kind."""


@dataclass(frozen=True)
class AttributeSpec:
    kind: str
    description: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    description: str
    attributes: dict[str, AttributeSpec]
    children: tuple[str, ...] = ()
    inline: bool = False
    parents: tuple[str, ...] = ()
    # Extra checks across attributes; each returns an error message or None.
    rules: tuple[Callable[[dict[str, Any]], str | None], ...] = field(default=())


def _query(description: str = "query whose rows the component shows", required: bool = True):
    return AttributeSpec("query", description, required=required)


_CHART_ATTRIBUTES = {
    "data": _query(),
    "x": AttributeSpec("column", "column for the x axis", required=True),
    "y": AttributeSpec("columns", "column, or list of columns such as {['users', 'events']}, for the y axis", required=True),
    "series": AttributeSpec("column", "column whose values split the data into coloured series"),
    "title": AttributeSpec("text", "chart title"),
    "subtitle": AttributeSpec("text", "line under the title"),
    "xAxisTitle": AttributeSpec("axis_title", "x axis title; true uses the formatted column name, false hides it", default=True),
    "yAxisTitle": AttributeSpec("axis_title", "y axis title; true uses the formatted column name, false hides it", default=True),
    "xFmt": AttributeSpec("format", "format of x values in axis labels and tooltips"),
    "yFmt": AttributeSpec("format", "format of y values in axis labels and tooltips"),
    "sort": AttributeSpec("bool", "sort the rows: x ascending for date and number axes, y descending for text axes; false keeps the query's order", default=True),
    "yMin": AttributeSpec("number", "lowest value of the y axis"),
    "yMax": AttributeSpec("number", "highest value of the y axis"),
    "legend": AttributeSpec("bool", "show the legend when there are several series", default=True),
    "chartAreaHeight": AttributeSpec("number", "height of the plot in pixels", default=300),
    "emptyMessage": AttributeSpec("text", "text shown when the query returns no rows", default="No records"),
}


def _dropdown_source(settings: dict[str, Any]) -> str | None:
    if "data" in settings and "value" not in settings:
        return "attribute 'value' is required with 'data': name the column that contains the options"
    if "value" in settings and "data" not in settings:
        return "attribute 'value' needs 'data', the query that contains the options"
    if "label" in settings and "data" not in settings:
        return "attribute 'label' needs 'data', the query that contains the options"
    if "order" in settings and "data" not in settings:
        return "attribute 'order' needs 'data', the query that contains the options"
    if settings.get("selectAllByDefault") and not settings.get("multiple"):
        return "attribute 'selectAllByDefault' needs multiple=true"
    if isinstance(settings.get("defaultValue"), list) and not settings.get("multiple"):
        return "a list as defaultValue needs multiple=true"
    return None


def _date_range_source(settings: dict[str, Any]) -> str | None:
    if "data" in settings and "dates" not in settings:
        return "attribute 'dates' is required with 'data': name the column that contains the dates"
    if "dates" in settings and "data" not in settings:
        return "attribute 'dates' needs 'data', the query that contains the dates"
    if "data" not in settings and not ("start" in settings and "end" in settings):
        return "give data={query} and dates=column, or both start=YYYY-MM-DD and end=YYYY-MM-DD"
    if "start" in settings and "end" in settings and settings["start"] > settings["end"]:
        return f"start {settings['start']} is after end {settings['end']}"
    return None


COMPONENTS: dict[str, ComponentSpec] = {
    spec.name: spec
    for spec in (
        ComponentSpec(
            "LineChart",
            "line chart of one or more y columns over x",
            {**_CHART_ATTRIBUTES, "markers": AttributeSpec("bool", "draw a point at each value", default=False)},
        ),
        ComponentSpec(
            "AreaChart",
            "stacked area chart of one or more y columns over x",
            {
                **_CHART_ATTRIBUTES,
                "type": AttributeSpec("choice", "stacking of the series", default="stacked", choices=("stacked", "stacked100")),
            },
        ),
        ComponentSpec(
            "BarChart",
            "bar chart of one or more y columns per x value",
            {
                **_CHART_ATTRIBUTES,
                "type": AttributeSpec("choice", "layout of several series", default="stacked", choices=("stacked", "grouped", "stacked100")),
                "swapXY": AttributeSpec("bool", "draw horizontal bars", default=False),
                "labels": AttributeSpec("bool", "write each bar's value next to it", default=False),
            },
        ),
        ComponentSpec(
            "DataTable",
            "table of a query's rows",
            {
                "data": _query(),
                "title": AttributeSpec("text", "title above the table"),
                "rows": AttributeSpec("integer", "number of rows visible before the table scrolls", default=10),
                "rowNumbers": AttributeSpec("bool", "show row numbers", default=False),
                "formatColumnTitles": AttributeSpec("bool", "turn column names such as user_count into titles such as User Count", default=True),
                "emptyMessage": AttributeSpec("text", "text shown when the query returns no rows", default="No records"),
            },
            children=("Column",),
        ),
        ComponentSpec(
            "Column",
            "one column of a DataTable; when a table has Column tags it shows only those columns, in that order",
            {
                "id": AttributeSpec("column", "column of the query", required=True),
                "title": AttributeSpec("text", "column title"),
                "fmt": AttributeSpec("format", "format of the values"),
            },
            parents=("DataTable",),
        ),
        ComponentSpec(
            "BigValue",
            "one large figure from the first row of a query, with an optional comparison",
            {
                "data": _query(),
                "value": AttributeSpec("column", "column of the figure", required=True),
                "title": AttributeSpec("text", "label above the figure; defaults to the formatted column name"),
                "fmt": AttributeSpec("format", "format of the figure"),
                "comparison": AttributeSpec("column", "column of a comparison figure shown under the value"),
                "comparisonTitle": AttributeSpec("text", "text after the comparison figure"),
                "comparisonFmt": AttributeSpec("format", "format of the comparison figure"),
                "comparisonDelta": AttributeSpec("bool", "colour the comparison green when positive and red when negative", default=True),
                "downIsGood": AttributeSpec("bool", "colour negative comparisons green and positive ones red", default=False),
                "emptyMessage": AttributeSpec("text", "text shown when the query returns no rows", default="No records"),
            },
        ),
        ComponentSpec(
            "Value",
            "one value inside a sentence",
            {
                "data": _query(),
                "column": AttributeSpec("column", "column of the value; defaults to the first column"),
                "row": AttributeSpec("integer", "row of the value, counted from 0", default=0),
                "agg": AttributeSpec("choice", "aggregate the whole column instead of reading one row", choices=("sum", "avg", "min", "median", "max")),
                "fmt": AttributeSpec("format", "format of the value"),
                "placeholder": AttributeSpec("text", "text shown instead of the value, for drafts; the query is not run"),
                "emptyMessage": AttributeSpec("text", "text shown when the query returns no rows", default="No records"),
            },
            inline=True,
        ),
        ComponentSpec(
            "Dropdown",
            "select box whose choice queries read as ${inputs.name.value} (and ${inputs.name.label})",
            {
                "name": AttributeSpec("identifier", "input name used in queries", required=True),
                "data": _query("query that contains the options", required=False),
                "value": AttributeSpec("column", "column of the option values"),
                "label": AttributeSpec("column", "column of the option labels shown in the list; defaults to the values"),
                "title": AttributeSpec("text", "label above the select box"),
                "defaultValue": AttributeSpec("value", "option selected first; a list with multiple=true; defaults to the first option"),
                "order": AttributeSpec("order", "column of the options query to sort by, optionally followed by asc or desc; defaults to the label"),
                "multiple": AttributeSpec("bool", "allow several choices; use it in SQL as column in ${inputs.name.value}", default=False),
                "selectAllByDefault": AttributeSpec("bool", "select every option first (with multiple=true)", default=False),
            },
            children=("DropdownOption",),
            rules=(_dropdown_source,),
        ),
        ComponentSpec(
            "DropdownOption",
            "fixed option of a Dropdown, listed before the options of its query",
            {
                "value": AttributeSpec("text", "value passed to queries", required=True),
                "valueLabel": AttributeSpec("text", "text shown in the list; defaults to the value"),
            },
            parents=("Dropdown",),
        ),
        ComponentSpec(
            "DateRange",
            "date range picker whose dates queries read as ${inputs.name.start} and ${inputs.name.end}",
            {
                "name": AttributeSpec("identifier", "input name used in queries", required=True),
                "data": _query("query that contains the dates", required=False),
                "dates": AttributeSpec("column", "date column of the query; its first and last dates bound the range"),
                "start": AttributeSpec("date", "first date (YYYY-MM-DD); overrides the first date of the query"),
                "end": AttributeSpec("date", "last date (YYYY-MM-DD); overrides the last date of the query"),
                "title": AttributeSpec("text", "label above the picker"),
            },
            rules=(_date_range_source,),
        ),
    )
}

INPUT_COMPONENTS = frozenset({"Dropdown", "DateRange"})


@dataclass
class CheckedComponent:
    """A component with its attributes converted to Python values, or the reasons it cannot render."""

    component: Component
    settings: dict[str, Any]
    errors: list[PageError]
    children: list["CheckedComponent"]

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def line(self) -> int:
        return self.component.line


def check_component(component: Component, query_names: set[str], parent: str | None = None) -> CheckedComponent:
    """Check a component tag against its spec and convert its attribute values."""
    spec = COMPONENTS.get(component.name)
    errors: list[PageError] = list(component.errors)
    settings: dict[str, Any] = {}
    children: list[CheckedComponent] = []
    if spec is None or (spec.parents and parent is None):
        if spec is None:
            message = f"unknown component <{component.name}>{_suggestion(component.name, _top_level_names())}; expected one of: " + ", ".join(
                f"<{name}>" for name in _top_level_names()
            )
        else:
            message = f"<{component.name}> is only allowed inside " + " or ".join(f"<{name}>" for name in spec.parents)
        errors.append(PageError(component.line, message))
        return CheckedComponent(component, settings, errors, children)
    if parent is not None and parent not in spec.parents:
        errors.append(PageError(component.line, f"<{component.name}> is not allowed inside <{parent}>"))
        return CheckedComponent(component, settings, errors, children)

    for name, attribute in component.attributes.items():
        attribute_spec = spec.attributes.get(name)
        if attribute_spec is None:
            supported = sorted(spec.attributes, key=str.lower)
            errors.append(
                PageError(
                    attribute.line,
                    f"unknown attribute '{name}' on <{component.name}>{_suggestion(name, supported)}; "
                    f"supported attributes: {', '.join(supported)}",
                )
            )
            continue
        try:
            settings[name] = convert_attribute(attribute, attribute_spec)
        except AttributeValueError as error:
            errors.append(PageError(attribute.line, f"attribute '{name}' of <{component.name}>: {error}"))
            continue
        if attribute_spec.kind == "query" and settings[name] not in query_names:
            defined = ", ".join(sorted(query_names)) or "none"
            errors.append(
                PageError(
                    attribute.line,
                    f"<{component.name}> reads query '{settings[name]}', which is not defined on this "
                    f"page; expected a ```sql {settings[name]} block (defined queries: {defined})",
                )
            )
            del settings[name]

    for name, attribute_spec in spec.attributes.items():
        if attribute_spec.required and name not in component.attributes:
            errors.append(
                PageError(component.line, f"<{component.name}> is missing the required attribute '{name}'")
            )
    if not errors:
        for rule in spec.rules:
            message = rule(settings)
            if message:
                errors.append(PageError(component.line, f"<{component.name}>: {message}"))

    for child in component.children:
        if child.name not in spec.children:
            allowed = ", ".join(f"<{name}>" for name in spec.children) or "no child tags"
            errors.append(
                PageError(child.line, f"<{child.name}> is not allowed inside <{component.name}>; expected {allowed}")
            )
            continue
        checked_child = check_component(child, query_names, parent=component.name)
        errors.extend(checked_child.errors)
        children.append(checked_child)

    for name, attribute_spec in spec.attributes.items():
        if name not in settings and attribute_spec.default is not None and name not in component.attributes:
            settings[name] = attribute_spec.default
    return CheckedComponent(component, settings, errors, children)


def convert_attribute(attribute: Attribute, spec: AttributeSpec) -> Any:
    """Convert an attribute's written value to the Python value its kind calls for."""
    raw = attribute.value
    if isinstance(raw, Expression):
        if spec.kind == "query":
            if IDENTIFIER.fullmatch(raw.text):
                return raw.text
            raise AttributeValueError(f"expected a query name in braces such as data={{funnel}}; got {{{raw.text}}}")
        try:
            raw = parse_expression(raw.text)
        except ValueError as error:
            raise AttributeValueError(str(error)) from None
        if isinstance(raw, Expression):
            raise AttributeValueError(
                f"{{{raw.text}}} names a query, but this attribute expects {_kind_phrase(spec)}"
            )

    kind = spec.kind
    if kind == "query":
        raise AttributeValueError(f"expected a query name in braces such as data={{{raw if isinstance(raw, str) else 'query_name'}}}")
    if kind == "bool":
        return _to_bool(raw)
    if kind == "axis_title":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        return _to_text(raw)
    if kind in ("text", "format"):
        text = _to_text(raw)
        if kind == "format":
            problem = check_format(text)
            if problem:
                raise AttributeValueError(problem)
        return text
    if kind == "column":
        text = _to_text(raw).strip()
        if not text:
            raise AttributeValueError("expected a column name")
        return text
    if kind == "columns":
        if isinstance(raw, list):
            if not raw or not all(isinstance(item, str) and item.strip() for item in raw):
                raise AttributeValueError("expected a column name or a list of column names such as {['users', 'events']}")
            return [item.strip() for item in raw]
        text = _to_text(raw).strip()
        if not text:
            raise AttributeValueError("expected a column name")
        return [text]
    if kind == "identifier":
        text = _to_text(raw)
        if not IDENTIFIER.fullmatch(text):
            raise AttributeValueError(f"expected a name of letters, digits and underscores; got {text!r}")
        return text
    if kind in ("number", "integer"):
        return _to_number(raw, integer=kind == "integer")
    if kind == "date":
        text = _to_text(raw)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise AttributeValueError(f"expected a date written YYYY-MM-DD; got {text!r}") from None
    if kind == "choice":
        text = _to_text(raw)
        if text not in spec.choices:
            raise AttributeValueError(f"expected one of {', '.join(spec.choices)}; got {text!r}")
        return text
    if kind == "order":
        words = _to_text(raw).split()
        if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise AttributeValueError(f"expected a column name, optionally followed by asc or desc; got {_to_text(raw)!r}")
        return (words[0], len(words) == 2 and words[1].lower() == "desc")
    if kind == "value":
        if isinstance(raw, bool):
            raise AttributeValueError("expected an option value, not true or false")
        return raw
    raise AssertionError(f"unhandled attribute kind {kind}")


def _to_text(raw: Any) -> str:
    if isinstance(raw, bool):
        raise AttributeValueError("expected a value, not a bare attribute")
    if isinstance(raw, list):
        raise AttributeValueError("expected one value, not a list")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise AttributeValueError(f"expected true or false; got {raw!r}")


def _to_number(raw: Any, integer: bool) -> float | int:
    if isinstance(raw, bool) or isinstance(raw, list):
        raise AttributeValueError(f"expected a number; got {raw!r}")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise AttributeValueError(f"expected a number; got {raw!r}") from None
    if integer:
        if not number.is_integer() or number < 0:
            raise AttributeValueError(f"expected a whole number of 0 or more; got {raw!r}")
        return int(number)
    return number


def _kind_phrase(spec: AttributeSpec) -> str:
    phrases = {
        "column": "a column name",
        "columns": "a column name or a list of column names",
        "text": "text",
        "format": "a format such as num0 or pct1",
        "bool": "true or false",
        "number": "a number",
        "integer": "a whole number",
        "date": "a date written YYYY-MM-DD",
        "identifier": "a name",
        "choice": "one of " + ", ".join(spec.choices),
        "order": "a column name",
        "value": "a value",
        "axis_title": "a title, true or false",
    }
    return phrases.get(spec.kind, spec.kind)


def _top_level_names() -> list[str]:
    return sorted(name for name, spec in COMPONENTS.items() if not spec.parents)


def _suggestion(name: str, candidates: list[str]) -> str:
    lowered = {candidate.lower(): candidate for candidate in candidates}
    if name.lower() in lowered:
        return f" (did you mean '{lowered[name.lower()]}'?)"
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
