"""Render parsed pages with Streamlit: the only module of the package that imports Streamlit.

Data values reach the screen only as text: through ``st.dataframe``, Altair charts, widget
options, or markdown after ``escape_markdown``. ``unsafe_allow_html`` is never used.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import duckdb
import streamlit as st

from .charts import ChartError, build_chart
from .components import CheckedComponent
from .database import DataSource, LoadedData, QueryResult, open_database, run_query
from .formatting import MISSING_TEXT, column_title, escape_markdown, moment_format, parse_number_format, printf_format
from .navigation import PageEntry, discover_pages
from .page_run import PageProblem, PageRun, widget_key
from .parser import Component, Page, PageError, Prose, parse_page_file
from .sql import CompiledQuery

logger = logging.getLogger(__name__)

ROW_GROUPS = (("Dropdown", "DateRange"), ("BigValue",))
MAX_COLUMNS_PER_ROW = 4
TABLE_ROW_HEIGHT = 35


def navigation_pages(reports_dir: Path, source: DataSource, fix_hint: str = "") -> list:
    """Return one ``st.Page`` per page file of ``reports_dir``, ordered by front matter ``order``."""
    entries = discover_pages(reports_dir)
    if not entries:
        return [st.Page(_no_pages_page(reports_dir), title="No pages", url_path="no-pages", default=True)]
    return [
        st.Page(page_function(entry, source, fix_hint), title=entry.title, url_path=entry.url_path, default=index == 0)
        for index, entry in enumerate(entries)
    ]


def page_function(entry: PageEntry, source: DataSource, fix_hint: str = "") -> Callable[[], None]:
    """Return the callable that renders one page file; named after its URL path."""

    def render() -> None:
        render_page(entry.path, source, fix_hint, entry.source)

    render.__name__ = entry.url_path.replace("-", "_")
    return render


def _no_pages_page(reports_dir: Path) -> Callable[[], None]:
    def render() -> None:
        st.error(escape_markdown(f"No page files (*.md) found in {reports_dir}."))

    return render


@st.cache_data(show_spinner=False, max_entries=64)
def _parse_cached(path: str, modified_ns: int, size: int, source_name: str) -> Page:
    return parse_page_file(Path(path), source_name)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_cached(signature: tuple, _source: DataSource) -> LoadedData:
    return _source.load()


@st.cache_data(show_spinner=False, max_entries=1024)
def _run_cached(signature: tuple, name: str, sql: str, parameters: dict, _database: "_LazyDatabase") -> QueryResult:
    return run_query(_database.connection(), CompiledQuery(name=name, sql=sql, parameters=parameters))


class _LazyDatabase:
    """The locked DuckDB of one rerun, built on the first query that misses the cache."""

    def __init__(self, loaded: LoadedData):
        self._loaded = loaded
        self._connection: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self._connection = open_database(self._loaded.tables)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def render_page(path: Path, source: DataSource, fix_hint: str = "", source_name: str | None = None) -> None:
    """Render one page file against the current files of ``source``."""
    path = Path(path)
    source_name = source_name or path.name
    try:
        stat = path.stat()
    except OSError as error:
        st.error(escape_markdown(f"{source_name}: could not read the page file: {error}"))
        return
    try:
        page = _parse_cached(str(path), stat.st_mtime_ns, stat.st_size, source_name)
    except Exception as error:  # noqa: BLE001 - a parser bug must not blank the app
        logger.exception("failed to parse %s", source_name)
        st.error(escape_markdown(f"{source_name}: the page could not be parsed: {type(error).__name__}: {error}"))
        return
    signature = source.signature()
    loaded = _load_cached(signature, source)
    database = _LazyDatabase(loaded)

    def runner(compiled: CompiledQuery) -> QueryResult:
        return _run_cached(signature, compiled.name, compiled.sql, compiled.parameters, database)

    run = PageRun(page, loaded, runner, st.session_state, table_names=source.table_names, fix_hint=fix_hint)
    try:
        _PageRenderer(page, run, loaded, fix_hint).render()
    finally:
        database.close()


class _PageRenderer:
    def __init__(self, page: Page, run: PageRun, loaded: LoadedData, fix_hint: str):
        self.page = page
        self.run = run
        self.loaded = loaded
        self.fix_hint = fix_hint
        self._shown_errors: set[tuple[int, str]] = set()

    def render(self) -> None:
        st.title(self.page.title)
        for error in self.page.header_errors:
            self.error(error.line, error.message)
        self._data_problems()
        blocks = self.page.blocks
        index = 0
        while index < len(blocks):
            group = self._row_group(blocks, index)
            if len(group) > 1:
                self._render_row(group)
                index += len(group)
                continue
            self._render_block(blocks[index])
            index += 1

    def error(self, line: int, message: str) -> None:
        """Show an error once per page, even when several components hit the same problem."""
        if (line, message) in self._shown_errors:
            return
        self._shown_errors.add((line, message))
        st.error(escape_markdown(f"{self.page.source}, line {line}: {message}"))

    def _data_problems(self) -> None:
        page_sql = "\n".join(query.sql for query in self.page.queries.values())
        for problem in self.loaded.problems:
            if not problem.is_read_by(page_sql):
                continue
            text = escape_markdown(f"{problem.file} could not be loaded: {problem.message}.")
            st.warning(f"{text} {self.fix_hint}".strip())

    def _row_group(self, blocks: list, start: int) -> list[Component]:
        first = blocks[start]
        if not isinstance(first, Component):
            return [first]
        names = next((group for group in ROW_GROUPS if first.name in group), None)
        if names is None:
            return [first]
        group = [first]
        for block in blocks[start + 1 :]:
            if isinstance(block, Component) and block.name in names and len(group) < MAX_COLUMNS_PER_ROW:
                group.append(block)
            else:
                break
        return group

    def _render_row(self, components: list[Component]) -> None:
        columns = st.columns(len(components))
        for column, component in zip(columns, components):
            with column:
                self._render_block(component)

    def _render_block(self, block) -> None:
        try:
            if isinstance(block, PageError):
                self.error(block.line, block.message)
            elif isinstance(block, Prose):
                self._render_prose(block)
            elif isinstance(block, Component):
                self._render_component(block)
        except Exception as error:  # noqa: BLE001 - one broken block must not blank the page
            logger.exception("failed to render the block on line %d of %s", block.line, self.page.source)
            what = f"<{block.name}>" if isinstance(block, Component) else "this part of the page"
            self.error(block.line, f"{what} failed: {type(error).__name__}: {error}")

    def _render_prose(self, prose: Prose) -> None:
        pieces: list[str] = []
        problems: list[tuple[int, str]] = []
        for part in prose.parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, PageError):
                problems.append((part.line, part.message))
            else:
                checked = self.run.check(part)
                if checked.errors:
                    problems.extend((error.line, error.message) for error in checked.errors)
                    pieces.append("**\\[value unavailable: see the error below\\]**")
                    continue
                try:
                    pieces.append(escape_markdown(self.run.value_text(checked)))
                except PageProblem as problem:
                    problems.append((problem.line, problem.message))
                    pieces.append("**\\[value unavailable: see the error below\\]**")
        text = "".join(pieces)
        if text.strip():
            st.markdown(text)
        for line, message in problems:
            self.error(line, message)

    def _render_component(self, component: Component) -> None:
        checked = self.run.check(component)
        if checked.errors:
            for error in checked.errors:
                self.error(error.line, error.message)
            return
        renderers: dict[str, Callable[[CheckedComponent], None]] = {
            "LineChart": self._render_chart,
            "AreaChart": self._render_chart,
            "BarChart": self._render_chart,
            "DataTable": self._render_table,
            "BigValue": self._render_big_value,
            "Dropdown": self._render_dropdown,
            "DateRange": self._render_date_range,
        }
        try:
            renderers[checked.name](checked)
        except PageProblem as problem:
            self.error(problem.line, problem.message)
        except ChartError as error:
            self.error(checked.line, f"<{checked.name}>: {error}")

    def _render_chart(self, checked: CheckedComponent) -> None:
        settings = checked.settings
        result = self.run.result(settings["data"])
        if result.frame.empty:
            if settings.get("title"):
                st.markdown(f"**{settings['title']}**")
            st.info(escape_markdown(settings.get("emptyMessage", "No records")))
            return
        chart = build_chart(checked.name, settings, result, settings["data"])
        st.altair_chart(chart, width="stretch")

    def _render_big_value(self, checked: CheckedComponent) -> None:
        title, value, comparison = self.run.big_value(checked)
        settings = checked.settings
        delta = None
        if comparison is not None:
            sign = "-" if comparison.startswith("-") else ""
            delta = sign + escape_markdown(comparison[len(sign) :])
        delta_color = "normal"
        if not settings.get("comparisonDelta", True):
            delta_color = "off"
        elif settings.get("downIsGood"):
            delta_color = "inverse"
        st.metric(
            label=escape_markdown(title),
            value=escape_markdown(value),
            delta=delta,
            delta_color=delta_color,
            delta_arrow="auto" if settings.get("comparisonDelta", True) else "off",
            border=True,
        )

    def _render_table(self, checked: CheckedComponent) -> None:
        settings = checked.settings
        result = self.run.result(settings["data"])
        if settings.get("title"):
            st.markdown(f"**{settings['title']}**")
        if result.frame.empty:
            st.info(escape_markdown(settings.get("emptyMessage", "No records")))
            return
        column_specs = self._table_columns(checked, result)
        frame = result.frame[[column for column, _, _ in column_specs]].copy()
        column_config: dict[str, Any] = {}
        for column, title, fmt in column_specs:
            frame[column], column_config[column] = _table_column(frame[column], result.kinds[column], title, fmt)
        rows = settings.get("rows", 10)
        height: Any = "auto"
        if len(frame) > rows:
            height = TABLE_ROW_HEIGHT * (rows + 1) + 3
        st.dataframe(
            frame,
            hide_index=not settings.get("rowNumbers", False),
            column_config=column_config,
            height=height,
            width="stretch",
            placeholder=MISSING_TEXT,
        )

    def _table_columns(self, checked: CheckedComponent, result: QueryResult) -> list[tuple[str, str, str | None]]:
        format_titles = checked.settings.get("formatColumnTitles", True)
        if not checked.children:
            return [
                (column, column_title(column) if format_titles else column, None)
                for column in result.columns
            ]
        specs = []
        for child in checked.children:
            column = child.settings["id"]
            if column not in result.kinds:
                raise PageProblem(
                    child.line,
                    f"<Column id={column}>: column '{column}' is not in the result of query "
                    f"'{checked.settings['data']}'; its columns are: {', '.join(result.columns)}",
                )
            title = child.settings.get("title") or (column_title(column) if format_titles else column)
            specs.append((column, title, child.settings.get("fmt")))
        return specs

    def _render_dropdown(self, checked: CheckedComponent) -> None:
        state = self.run.dropdown(checked)
        for problem in state.problems:
            self.error(problem.line, problem.message)
        name = checked.settings["name"]
        label = checked.settings.get("title") or column_title(name)
        key = widget_key(self.page, name)
        if not state.values:
            st.info(escape_markdown(f"{label}: no options"))
            return
        # A remembered choice that is no longer an option (after new data) makes Streamlit raise.
        # Forgetting it starts the widget from the default that the page computed.
        stored = st.session_state.get(key)
        if stored is not None and stored != state.current:
            del st.session_state[key]
        if state.multiple:
            st.multiselect(label, options=state.values, default=state.current, format_func=state.label, key=key)
        else:
            index = state.values.index(state.current) if state.current in state.values else 0
            st.selectbox(label, options=state.values, index=index, format_func=state.label, key=key)

    def _render_date_range(self, checked: CheckedComponent) -> None:
        state = self.run.date_range(checked)
        name = checked.settings["name"]
        label = checked.settings.get("title") or column_title(name)
        if state.first is None or state.last is None:
            st.info(escape_markdown(f"{label}: no dates to choose from"))
            return
        key = widget_key(self.page, name)
        stored = st.session_state.get(key)
        if isinstance(stored, (list, tuple)) and any(not state.first <= day <= state.last for day in stored):
            del st.session_state[key]
        st.date_input(
            label,
            value=state.current,
            min_value=state.first,
            max_value=state.last,
            key=key,
            format="YYYY-MM-DD",
        )


def _table_column(values, kind: str, title: str, fmt: str | None):
    """Return the column values to show and their Streamlit column configuration."""
    if kind in ("integer", "number"):
        number_format = parse_number_format(fmt) if fmt else None
        if number_format is None:
            printf = "%,d" if kind == "integer" else None
            return values, st.column_config.NumberColumn(title, format=printf)
        scaled = values.astype("float64")
        if number_format.percent:
            scaled = scaled * 100
        if number_format.scale:
            scaled = scaled / 10**number_format.scale
        return scaled, st.column_config.NumberColumn(title, format=printf_format(number_format))
    if kind == "date":
        return values, st.column_config.DateColumn(title, format=moment_format(fmt) or "YYYY-MM-DD")
    if kind == "timestamp":
        return values, st.column_config.DatetimeColumn(title, format=moment_format(fmt) or "YYYY-MM-DD HH:mm:ss")
    return values, st.column_config.TextColumn(title)
