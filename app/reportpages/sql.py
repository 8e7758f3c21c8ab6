"""Compile a page query: inline the queries it names and bind input values as parameters.

``${other_query}`` becomes ``(<other query's SQL>)``, a subquery, as in Evidence.
``${inputs.name.value}`` becomes a DuckDB named parameter (``$input_name_value``), so a value
such as ``x' OR '1'='1`` is data and never SQL text. Evidence pages usually quote the reference
(``where game = '${inputs.game.value}'``); a quoted reference becomes the bare parameter, and a
reference inside longer quoted text (``'%${inputs.q.value}%'``) becomes a concatenation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .parser import IDENTIFIER, Query

_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
_INPUT_PROPERTIES = ("value", "label", "start", "end")


class QueryError(Exception):
    """A query that cannot be compiled or run; ``line`` is the page line it points at."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class InputState:
    """Current value of an input component, as queries read it."""

    name: str
    component: str
    properties: Mapping[str, object]
    multiple: bool = False


@dataclass(frozen=True)
class CompiledQuery:
    name: str
    sql: str
    parameters: dict[str, object] = field(default_factory=dict)
    # Names of the queries this one reads through ${...}, directly or not.
    dependencies: tuple[str, ...] = ()


InputResolver = Callable[[str, int], "InputState | None"]


@dataclass(frozen=True)
class _Segment:
    kind: str  # code, string, identifier, comment, dollar
    text: str
    offset: int


def compile_query(
    name: str,
    queries: Mapping[str, Query],
    resolve_input: InputResolver,
    table_names: frozenset[str] = frozenset(),
) -> CompiledQuery:
    """Compile the query ``name`` of a page into SQL text and its parameters.

    ``resolve_input(name, line)`` returns the state of an input, or None when the page has no
    input of that name. Raise QueryError for a missing query, a circular reference, an unknown
    input or property, or a reference where no value can go.
    """
    compiler = _Compiler(queries, resolve_input, table_names)
    sql = compiler.compile(name, stack=())
    return CompiledQuery(
        name=name,
        sql=sql,
        parameters=dict(compiler.parameters),
        dependencies=tuple(sorted(compiler.dependencies - {name})),
    )


def input_references(sql: str) -> list[tuple[str, int]]:
    """Return the input names (and offsets) that ``sql`` reads, ignoring comments."""
    found = []
    for segment in split_sql(sql):
        if segment.kind in ("comment", "dollar"):
            continue
        for match in _REFERENCE.finditer(segment.text):
            parts = match.group(1).strip().split(".")
            if len(parts) >= 2 and parts[0] == "inputs":
                found.append((parts[1], segment.offset + match.start()))
    return found


def split_sql(sql: str) -> list[_Segment]:
    """Split SQL text into code, string literals, quoted identifiers, comments and $$ strings."""
    segments: list[_Segment] = []
    position = 0
    code_start = 0
    length = len(sql)

    def close_code(end: int) -> None:
        if end > code_start:
            segments.append(_Segment("code", sql[code_start:end], code_start))

    while position < length:
        char = sql[position]
        if char == "-" and sql.startswith("--", position):
            end = sql.find("\n", position)
            end = length if end == -1 else end
            kind, start = "comment", position
        elif char == "/" and sql.startswith("/*", position):
            end = sql.find("*/", position + 2)
            end = length if end == -1 else end + 2
            kind, start = "comment", position
        elif char == "'":
            escape_string = position > 0 and sql[position - 1] in "eE" and (
                position == 1 or not (sql[position - 2].isalnum() or sql[position - 2] == "_")
            )
            start = position - 1 if escape_string else position
            end = _string_end(sql, position, backslash_escapes=escape_string)
            kind = "string"
        elif char == '"':
            end = _string_end(sql, position, backslash_escapes=False, quote='"')
            kind, start = "identifier", position
        elif char == "$" and (match := re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$").match(sql, position)) and not (
            position > 0 and (sql[position - 1].isalnum() or sql[position - 1] == "_")
        ):
            tag = match.group(0)
            close = sql.find(tag, match.end())
            end = length if close == -1 else close + len(tag)
            kind, start = "dollar", position
        else:
            position += 1
            continue
        close_code(start)
        segments.append(_Segment(kind, sql[start:end], start))
        position = code_start = end
    close_code(length)
    return segments


def _string_end(sql: str, position: int, backslash_escapes: bool, quote: str = "'") -> int:
    index = position + 1
    while index < len(sql):
        char = sql[index]
        if backslash_escapes and char == "\\":
            index += 2
            continue
        if char == quote:
            if sql.startswith(quote * 2, index):
                index += 2
                continue
            return index + 1
        index += 1
    return len(sql)


def strip_trailing_semicolon(sql: str) -> str:
    """Remove a final ';' (with blanks and comments after it) so the SQL can be a subquery."""
    segments = split_sql(sql)
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        if segment.kind == "comment" or (segment.kind == "code" and not segment.text.strip()):
            continue
        if segment.kind == "code" and segment.text.rstrip().endswith(";"):
            cut = segment.offset + len(segment.text.rstrip()) - 1
            return sql[:cut] + sql[cut + 1 :]
        break
    return sql


class _Compiler:
    def __init__(self, queries: Mapping[str, Query], resolve_input: InputResolver, table_names: frozenset[str]):
        self.queries = queries
        self.resolve_input = resolve_input
        self.table_names = table_names
        self.parameters: dict[str, object] = {}
        self.dependencies: set[str] = set()

    def compile(self, name: str, stack: tuple[str, ...]) -> str:
        query = self.queries[name]
        self.dependencies.add(name)
        pieces = []
        for segment in split_sql(query.sql):
            line = query.first_sql_line + query.sql.count("\n", 0, segment.offset)
            if segment.kind == "code":
                pieces.append(self._compile_code(segment, query, stack + (name,)))
            elif segment.kind == "string":
                pieces.append(self._compile_string(segment, query))
            elif segment.kind == "identifier" and _REFERENCE.search(segment.text):
                raise QueryError(
                    f"query '{name}': ${{...}} cannot sit inside a double-quoted identifier "
                    f"{segment.text}",
                    line,
                )
            else:
                pieces.append(segment.text)
        return "".join(pieces)

    def _line(self, query: Query, offset: int) -> int:
        return query.first_sql_line + query.sql.count("\n", 0, offset)

    def _compile_code(self, segment: _Segment, query: Query, stack: tuple[str, ...]) -> str:
        def replace(match: re.Match) -> str:
            offset = segment.offset + match.start()
            line = self._line(query, offset)
            reference = match.group(1).strip()
            if reference.startswith("inputs.") or reference == "inputs":
                state, prop = self._input(reference, query, line)
                parameter = self._bind(state, prop)
                if state.multiple and prop in ("value", "label"):
                    return f"(SELECT unnest(${parameter}))"
                return f"${parameter}"
            return self._inline_query(reference, query, line, stack)

        return _REFERENCE.sub(replace, segment.text)

    def _compile_string(self, segment: _Segment, query: Query) -> str:
        """Replace input references inside a string literal by parameters."""
        text = segment.text
        prefix = "E" if text[:1] in "eE" and text[1:2] == "'" else ""
        body = text[len(prefix) + 1 : -1] if text.endswith("'") and len(text) > len(prefix) + 1 else None
        if body is None or not _REFERENCE.search(body):
            return text

        pieces = []
        position = 0
        body_offset = segment.offset + len(prefix) + 1
        for match in _REFERENCE.finditer(body):
            line = self._line(query, body_offset + match.start())
            reference = match.group(1).strip()
            if not reference.startswith("inputs."):
                raise QueryError(
                    f"query '{query.name}': ${{{reference}}} sits inside a quoted string; a query "
                    f"reference goes where a table would, as in from ${{{reference}}}",
                    line,
                )
            state, prop = self._input(reference, query, line)
            if state.multiple and prop in ("value", "label"):
                raise QueryError(
                    f"query '{query.name}': input '{state.name}' allows several choices, so "
                    f"'${{{reference}}}' cannot sit inside quotes; write column in ${{{reference}}}",
                    line,
                )
            parameter = self._bind(state, prop)
            if match.start() > position:
                pieces.append(f"{prefix}'{body[position:match.start()]}'")
            pieces.append(f"${parameter}")
            position = match.end()
        if position < len(body):
            pieces.append(f"{prefix}'{body[position:]}'")

        if len(pieces) == 1:
            return pieces[0]
        # Text around the value: concatenate, so the value is still a bound parameter.
        joined = " || ".join(
            f"CAST({piece} AS VARCHAR)" if piece.startswith("$") else piece for piece in pieces
        )
        return f"({joined})"

    def _input(self, reference: str, query: Query, line: int) -> tuple[InputState, str]:
        parts = reference.split(".")
        if len(parts) not in (2, 3) or not IDENTIFIER.fullmatch(parts[1]):
            raise QueryError(
                f"query '{query.name}': invalid input reference ${{{reference}}}; expected "
                "${inputs.name.value}, ${inputs.name.label}, ${inputs.name.start} or ${inputs.name.end}",
                line,
            )
        input_name = parts[1]
        state = self.resolve_input(input_name, line)
        if state is None:
            raise QueryError(
                f"query '{query.name}' reads input '{input_name}', but the page has no "
                f"<Dropdown name={input_name}> or <DateRange name={input_name}>",
                line,
            )
        if len(parts) == 2:
            if state.component == "Dropdown":
                return state, "value"
            raise QueryError(
                f"query '{query.name}': ${{{reference}}} needs a property; expected "
                f"${{inputs.{input_name}.start}} or ${{inputs.{input_name}.end}}",
                line,
            )
        prop = parts[2]
        if prop not in state.properties:
            expected = " or ".join(f"${{inputs.{input_name}.{name}}}" for name in state.properties)
            raise QueryError(
                f"query '{query.name}': <{state.component} name={input_name}> has no property "
                f"'{prop}'; expected {expected}",
                line,
            )
        return state, prop

    def _bind(self, state: InputState, prop: str) -> str:
        parameter = f"input_{state.name}_{prop}"
        value = state.properties[prop]
        if isinstance(value, tuple):
            value = list(value)
        self.parameters[parameter] = value
        return parameter

    def _inline_query(self, reference: str, query: Query, line: int, stack: tuple[str, ...]) -> str:
        if not IDENTIFIER.fullmatch(reference):
            raise QueryError(
                f"query '{query.name}': unsupported reference ${{{reference}}}; expected "
                "${query_name} or ${inputs.name.value}",
                line,
            )
        if reference in stack:
            cycle = " -> ".join(stack[stack.index(reference):] + (reference,))
            raise QueryError(f"circular query reference: {cycle}", line)
        if reference not in self.queries:
            defined = ", ".join(sorted(self.queries)) or "none"
            hint = ""
            if reference in self.table_names:
                hint = f"; to read the table {reference}, write its name without ${{ }}"
            raise QueryError(
                f"query '{query.name}' reads ${{{reference}}}, but no query of that name is "
                f"defined on this page (defined queries: {defined}){hint}",
                line,
            )
        inner = strip_trailing_semicolon(self.compile(reference, stack))
        return f"(\n{inner}\n)"
