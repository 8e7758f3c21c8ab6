"""Evaluate one page for one rerun: check components, resolve inputs and run queries.

Nothing here imports Streamlit. The Streamlit layer passes the current widget values in and
renders what this module returns. Every failure is a ``PageProblem`` with the page line it
concerns, so it can be shown in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pandas as pd

from .components import INPUT_COMPONENTS, CheckedComponent, check_component
from .database import LoadedData, QueryFailure, QueryResult
from .formatting import column_title, format_value
from .parser import Component, Page, PageError, Prose
from .sql import CompiledQuery, InputState, QueryError, compile_query

QueryRunner = Callable[[CompiledQuery], QueryResult]


class PageProblem(Exception):
    """Something on the page that cannot render; ``line`` is where it is written."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class DropdownState:
    name: str
    values: list[Any]
    labels: dict[Any, str]
    multiple: bool
    default: Any
    current: Any
    problems: list[PageProblem] = field(default_factory=list)

    def label(self, value: Any) -> str:
        return self.labels.get(value, format_value(value))


@dataclass
class DateRangeState:
    """Bounds and choice of a DateRange; all None when its query has no dates (an empty export)."""

    name: str
    first: dt.date | None
    last: dt.date | None
    current: tuple[dt.date | None, dt.date | None]


def widget_key(page: Page, input_name: str) -> str:
    """Return the Streamlit widget key of an input: unique per page file and input name."""
    return f"input:{page.source}:{input_name}"


class PageRun:
    """One evaluation of a page against loaded data and the current widget values."""

    def __init__(
        self,
        page: Page,
        data: LoadedData,
        run_query: QueryRunner,
        widget_values: Mapping[str, Any],
        table_names: frozenset[str] = frozenset(),
        fix_hint: str = "",
    ):
        self.page = page
        self.data = data
        self._run_query = run_query
        self._widget_values = widget_values
        self._table_names = table_names
        self._fix_hint = fix_hint
        self._checked: dict[int, CheckedComponent] = {}
        self._inputs: dict[str, CheckedComponent] = {}
        self._duplicate_inputs: dict[int, PageProblem] = {}
        self._results: dict[str, QueryResult | PageProblem] = {}
        self._input_states: dict[str, InputState | PageProblem] = {}
        self._dropdowns: dict[str, DropdownState] = {}
        self._date_ranges: dict[str, DateRangeState] = {}
        self._resolving: list[str] = []
        self._collect_inputs()

    # -- components ----------------------------------------------------------------------

    def check(self, component: Component) -> CheckedComponent:
        """Return the checked form of a component of this page (cached per component)."""
        key = id(component)
        if key not in self._checked:
            checked = check_component(component, set(self.page.queries))
            if key in self._duplicate_inputs:
                problem = self._duplicate_inputs[key]
                checked.errors.append(PageError(problem.line, problem.message))
            self._checked[key] = checked
        return self._checked[key]

    def _collect_inputs(self) -> None:
        for component in self._components():
            if component.name not in INPUT_COMPONENTS:
                continue
            checked = self.check(component)
            name = checked.settings.get("name")
            if not isinstance(name, str):
                continue
            if name in self._inputs:
                first = self._inputs[name].line
                self._duplicate_inputs[id(component)] = PageProblem(
                    component.line, f"an input named '{name}' is already defined on line {first}"
                )
                self._checked.pop(id(component), None)
                continue
            self._inputs[name] = checked

    def _components(self):
        for block in self.page.blocks:
            if isinstance(block, Component):
                yield block
            elif isinstance(block, Prose):
                for part in block.parts:
                    if isinstance(part, Component):
                        yield part

    # -- queries -------------------------------------------------------------------------

    def result(self, query_name: str) -> QueryResult:
        """Return the rows of a page query; raise PageProblem when it cannot run."""
        if query_name not in self._results:
            self._results[query_name] = self._evaluate(query_name)
        outcome = self._results[query_name]
        if isinstance(outcome, PageProblem):
            raise outcome
        return outcome

    def _evaluate(self, query_name: str) -> QueryResult | PageProblem:
        query = self.page.queries[query_name]
        try:
            compiled = compile_query(query_name, self.page.queries, self._resolve_input, self._table_names)
        except QueryError as error:
            return PageProblem(error.line, error.message)
        except PageProblem as problem:
            return problem
        try:
            return self._run_query(compiled)
        except QueryFailure as failure:
            return self._failure_problem(query_name, compiled, failure)

    def _failure_problem(self, query_name: str, compiled: CompiledQuery, failure: QueryFailure) -> PageProblem:
        query = self.page.queries[query_name]
        data_problem = self.data.problem_for(compiled.sql)
        if data_problem is not None and "does not exist" in failure.message:
            hint = f" {self._fix_hint}" if self._fix_hint else ""
            return PageProblem(
                query.line,
                f"query '{query_name}' reads {', '.join(data_problem.tables)}, which could not be "
                f"loaded: {data_problem.message}.{hint}",
            )
        line = query.line
        if failure.sql_line is not None and not compiled.dependencies:
            line = query.first_sql_line + failure.sql_line - 1
        return PageProblem(line, f"query '{query_name}' failed: {failure.message}")

    # -- inputs --------------------------------------------------------------------------

    def input_names(self) -> list[str]:
        return list(self._inputs)

    def _resolve_input(self, name: str, line: int) -> InputState | None:
        checked = self._inputs.get(name)
        if checked is None:
            return None
        if name not in self._input_states:
            if name in self._resolving:
                cycle = " -> ".join(self._resolving[self._resolving.index(name):] + [name])
                raise PageProblem(line, f"circular reference between inputs and queries: {cycle}")
            self._resolving.append(name)
            try:
                self._input_states[name] = self._input_state(checked)
            except PageProblem as problem:
                self._input_states[name] = problem
            finally:
                self._resolving.pop()
        state = self._input_states[name]
        if isinstance(state, PageProblem):
            raise PageProblem(line, f"input '{name}' (line {checked.line}) has no value: {state.message}")
        return state

    def _input_state(self, checked: CheckedComponent) -> InputState:
        if checked.errors:
            raise PageProblem(checked.line, checked.errors[0].message)
        name = checked.settings["name"]
        if checked.name == "Dropdown":
            state = self.dropdown(checked)
            if state.multiple:
                values = list(state.current)
                labels = [state.label(value) for value in values]
                return InputState(name, "Dropdown", {"value": values, "label": labels}, multiple=True)
            return InputState(name, "Dropdown", {"value": state.current, "label": state.label(state.current)})
        date_range = self.date_range(checked)
        start, end = date_range.current
        return InputState(name, "DateRange", {"start": start, "end": end})

    def dropdown(self, checked: CheckedComponent) -> DropdownState:
        """Return the options and current choice of a Dropdown."""
        name = checked.settings["name"]
        if name in self._dropdowns:
            return self._dropdowns[name]
        settings = checked.settings
        values: list[Any] = []
        labels: dict[Any, str] = {}
        for option in checked.children:
            value = option.settings["value"]
            if value not in labels:
                values.append(value)
                labels[value] = option.settings.get("valueLabel", str(value))
        if "data" in settings:
            for value, label in self._query_options(checked):
                if value not in labels:
                    values.append(value)
                    labels[value] = label
        problems: list[PageProblem] = []
        multiple = bool(settings.get("multiple"))
        default = self._dropdown_default(checked, values, problems)
        current = self._widget_values.get(widget_key(self.page, name), default)
        if multiple:
            current = [value for value in (current if isinstance(current, (list, tuple)) else [current]) if value in labels]
        elif current not in labels:
            current = default
        state = DropdownState(name, values, labels, multiple, default, current, problems)
        self._dropdowns[name] = state
        return state

    def _query_options(self, checked: CheckedComponent) -> list[tuple[Any, str]]:
        settings = checked.settings
        result = self.result(settings["data"])
        value_column = settings["value"]
        label_column = settings.get("label", value_column)
        order = settings.get("order")
        for column in (value_column, label_column) + ((order[0],) if order else ()):
            if column not in result.kinds:
                raise PageProblem(
                    checked.line,
                    f"<Dropdown name={settings['name']}>: column '{column}' is not in the result of "
                    f"query '{settings['data']}'; its columns are: {', '.join(result.columns)}",
                )
        frame = result.frame
        frame = frame[frame[value_column].notna()]
        if order:
            frame = frame.sort_values(order[0], ascending=not order[1], kind="stable", na_position="last")
        options = []
        for raw_value, raw_label in zip(frame[value_column].tolist(), frame[label_column].tolist()):
            value = python_value(raw_value, result.kinds[value_column])
            label = format_value(python_value(raw_label, result.kinds[label_column]), kind=result.kinds[label_column])
            options.append((value, label))
        if not order:
            options.sort(key=lambda option: option[1])
        return options

    def _dropdown_default(self, checked: CheckedComponent, values: list[Any], problems: list[PageProblem]) -> Any:
        settings = checked.settings
        multiple = bool(settings.get("multiple"))
        if multiple and settings.get("selectAllByDefault"):
            return list(values)
        if "defaultValue" in settings:
            requested = settings["defaultValue"]
            requested_values = requested if isinstance(requested, list) else [requested]
            matched = [_match_option(item, values) for item in requested_values]
            missing = [item for item, found in zip(requested_values, matched) if found is _NO_OPTION]
            if missing:
                problems.append(
                    PageProblem(
                        checked.component.attributes["defaultValue"].line,
                        f"<Dropdown name={settings['name']}>: defaultValue "
                        f"{', '.join(repr(item) for item in missing)} is not one of its options",
                    )
                )
            found = [value for value in matched if value is not _NO_OPTION]
            if multiple:
                return found
            if found:
                return found[0]
        if multiple:
            return values[:1]
        return values[0] if values else None

    def date_range(self, checked: CheckedComponent) -> DateRangeState:
        """Return the bounds and current range of a DateRange."""
        name = checked.settings["name"]
        if name in self._date_ranges:
            return self._date_ranges[name]
        first, last = self._date_bounds(checked)
        if first is None or last is None:
            state = DateRangeState(name, None, None, (None, None))
            self._date_ranges[name] = state
            return state

        # The widget may hold only a start date while the user is still picking the end.
        current = (first, last)
        chosen = self._widget_values.get(widget_key(self.page, name))
        if isinstance(chosen, (list, tuple)) and chosen:
            start = chosen[0]
            end = chosen[1] if len(chosen) > 1 else last
            if isinstance(start, dt.date) and isinstance(end, dt.date):
                start = min(max(start, first), last)
                end = min(max(end, start), last)
                current = (start, end)

        state = DateRangeState(name, first, last, current)
        self._date_ranges[name] = state
        return state

    def _date_bounds(self, checked: CheckedComponent) -> tuple[dt.date | None, dt.date | None]:
        """Return the first and last date of a DateRange: start= and end=, else its query's dates.

        Both are None when the query has no dates and start= or end= is missing.
        """
        settings = checked.settings
        name = settings["name"]
        first = settings.get("start")
        last = settings.get("end")
        if "data" in settings:
            result = self.result(settings["data"])
            column = settings["dates"]
            if column not in result.kinds:
                raise PageProblem(
                    checked.line,
                    f"<DateRange name={name}>: column '{column}' is not in the result of query "
                    f"'{settings['data']}'; its columns are: {', '.join(result.columns)}",
                )
            if result.kinds[column] not in ("date", "timestamp"):
                raise PageProblem(
                    checked.line,
                    f"<DateRange name={name}>: column '{column}' contains {result.kinds[column]} "
                    "values; expected dates",
                )

            dates = pd.to_datetime(result.frame[column]).dropna()
            if dates.empty and (first is None or last is None):
                return None, None
            if first is None:
                first = dates.min().date()
            if last is None:
                last = dates.max().date()

        if first > last:
            raise PageProblem(
                checked.line, f"<DateRange name={name}>: the first date {first} is after the last date {last}"
            )
        return first, last

    # -- values for components -----------------------------------------------------------

    def value_text(self, checked: CheckedComponent) -> str:
        """Return the formatted text of a <Value>; raise PageProblem when it has none."""
        settings = checked.settings
        if "placeholder" in settings:
            return settings["placeholder"]
        result = self.result(settings["data"])
        column = settings.get("column") or (result.columns[0] if result.columns else None)
        if column is None or column not in result.kinds:
            raise PageProblem(
                checked.line,
                f"<Value>: column '{column}' is not in the result of query '{settings['data']}'; "
                f"its columns are: {', '.join(result.columns)}",
            )

        if settings.get("agg"):
            return self._aggregate_text(checked, result, column)

        frame = result.frame
        row = settings.get("row", 0)
        if frame.empty:
            return settings.get("emptyMessage", "No records")
        if row >= len(frame):
            raise PageProblem(
                checked.line,
                f"<Value>: row={row} is past the last row of query '{settings['data']}', which has "
                f"{len(frame)} rows (rows count from 0)",
            )
        value = python_value(frame[column].iloc[row], result.kinds[column])
        return format_value(value, settings.get("fmt"), result.kinds[column])

    def _aggregate_text(self, checked: CheckedComponent, result: QueryResult, column: str) -> str:
        settings = checked.settings
        agg = settings["agg"]
        if result.kinds[column] not in ("integer", "number"):
            raise PageProblem(
                checked.line,
                f"<Value>: agg={agg} needs a numeric column; '{column}' contains {result.kinds[column]} values",
            )
        series = result.frame[column].dropna()
        if series.empty:
            return settings.get("emptyMessage", "No records")
        method = {"avg": "mean"}.get(agg, agg)
        return format_value(getattr(series, method)(), settings.get("fmt"), "number")

    def big_value(self, checked: CheckedComponent) -> tuple[str, str, str | None]:
        """Return the title, the value text and the comparison text of a <BigValue>."""
        settings = checked.settings
        result = self.result(settings["data"])
        for column in (settings["value"], settings.get("comparison")):
            if column is not None and column not in result.kinds:
                raise PageProblem(
                    checked.line,
                    f"<BigValue>: column '{column}' is not in the result of query "
                    f"'{settings['data']}'; its columns are: {', '.join(result.columns)}",
                )
        title = settings.get("title") or column_title(settings["value"])
        if result.frame.empty:
            return title, settings.get("emptyMessage", "No records"), None
        first_row = result.frame.iloc[0]
        value_column = settings["value"]
        value = format_value(python_value(first_row[value_column], result.kinds[value_column]), settings.get("fmt"), result.kinds[value_column])
        comparison = None
        if settings.get("comparison"):
            column = settings["comparison"]
            raw = python_value(first_row[column], result.kinds[column])
            comparison = format_value(raw, settings.get("comparisonFmt"), result.kinds[column])
            comparison_title = settings.get("comparisonTitle") or column_title(column)
            comparison = f"{comparison} {comparison_title}"
        return title, value, comparison


class _NoOption:
    def __repr__(self) -> str:
        return "no option"


_NO_OPTION = _NoOption()


def _match_option(requested: Any, values: list[Any]) -> Any:
    """Return the option equal to ``requested``, comparing as text when the types differ."""
    if requested in values:
        return requested
    for value in values:
        if str(value) == str(requested) or format_value(value) == str(requested):
            return value
    return _NO_OPTION


def python_value(value: Any, kind: str | None = None) -> Any:
    """Convert a pandas or numpy cell to a plain Python value (dates to datetime.date)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if kind == "date" else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return python_value(value.item(), kind)
        except (ValueError, TypeError):
            return value
    if isinstance(value, dt.datetime) and kind == "date":
        return value.date()
    return value

