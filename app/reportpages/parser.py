"""Parse Evidence-style markdown pages into prose, named SQL queries and components.

A page is YAML front matter, markdown prose, fenced ```` ```sql name ```` blocks and components
written as tags (``<BarChart data={funnel} x=event_type y=users/>``). Page content does not make
the parser raise (a test feeds it thousands of random pages). Each problem becomes a ``PageError``
with its line number, placed where the problem is, so the rest of the page still renders.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import yaml

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Components that sit inside a sentence; every other component starts its own line.
INLINE_COMPONENTS = frozenset({"Value"})

_FENCE = re.compile(r"(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_TAG_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_:.-]*")


@dataclass(frozen=True)
class Expression:
    """Attribute value written in braces, such as ``data={funnel}`` or ``y={['a', 'b']}``."""

    text: str


@dataclass(frozen=True)
class Attribute:
    name: str
    value: Union[str, bool, Expression]
    line: int


@dataclass
class Component:
    name: str
    line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    children: list["Component"] = field(default_factory=list)
    inline: bool = False
    # Problems found between the opening and the closing tag; the component still parses.
    errors: list["PageError"] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    line: int
    first_sql_line: int


@dataclass(frozen=True)
class PageError:
    line: int
    message: str


@dataclass
class Prose:
    """Markdown text with inline components (``<Value/>``) and errors between its pieces."""

    parts: list[Union[str, Component, PageError]]
    line: int


Block = Union[Prose, Component, PageError]


@dataclass
class Page:
    source: str
    title: str
    order: float
    front_matter: dict
    queries: dict[str, Query]
    blocks: list[Block]
    header_errors: list[PageError]


class _LineIndex:
    """Map character offsets of a text to 1-based line numbers."""

    def __init__(self, text: str):
        self._starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


class _TagError(Exception):
    """A broken tag; scanning resumes at ``resume`` when it is set, else after the next '>'."""

    def __init__(self, offset: int, message: str, resume: int | None = None):
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.resume = resume


def parse_page_file(path: Path, source: str | None = None) -> Page:
    """Read and parse one page file; ``source`` is the name shown in error messages."""
    text = path.read_text(encoding="utf-8")
    return parse_page(text, source or path.name, default_title=_title_from_stem(path.stem))


def parse_page(text: str, source: str, default_title: str = "Untitled") -> Page:
    """Parse the text of a page; ``source`` names the page in error messages."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    index = _LineIndex(text)
    front_matter, body_start, header_errors = _parse_front_matter(text)

    title = default_title
    if "title" in front_matter:
        if isinstance(front_matter["title"], str) and front_matter["title"].strip():
            title = front_matter["title"].strip()
        else:
            header_errors.append(PageError(1, "front matter 'title' must be non-empty text"))

    order = float("inf")
    if "order" in front_matter:
        raw_order = front_matter["order"]
        if isinstance(raw_order, (int, float)) and not isinstance(raw_order, bool):
            order = float(raw_order)
        else:
            header_errors.append(
                PageError(1, f"front matter 'order' must be a number; got {raw_order!r}")
            )

    if "queries" in front_matter:
        header_errors.append(
            PageError(1, "front matter 'queries' (SQL file queries) is not supported; write each query in a ```sql name block")
        )

    scanner = _BodyScanner(text, index)
    scanner.scan(body_start)
    return Page(
        source=source,
        title=title,
        order=order,
        front_matter=front_matter,
        queries=scanner.queries,
        blocks=scanner.blocks,
        header_errors=header_errors,
    )


def read_front_matter(path: Path) -> tuple[str, float]:
    """Return the title and order of a page file without parsing its body."""
    text = path.read_text(encoding="utf-8").lstrip("\ufeff").replace("\r\n", "\n")
    front_matter, _, _ = _parse_front_matter(text)
    title = front_matter.get("title")
    if not isinstance(title, str) or not title.strip():
        title = _title_from_stem(path.stem)
    order = front_matter.get("order")
    if not isinstance(order, (int, float)) or isinstance(order, bool):
        order = float("inf")
    return title.strip(), float(order)


def parse_expression(text: str) -> object:
    """Return the Python value of a brace expression.

    A bare identifier stays an ``Expression`` (a reference to a query); ``true``/``false``,
    numbers, quoted strings and lists of them become Python values. Raise ValueError on
    anything else, such as JavaScript code.
    """
    stripped = text.strip()
    if IDENTIFIER.fullmatch(stripped):
        if stripped in ("true", "false"):
            return stripped == "true"
        return Expression(stripped)
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"unsupported expression {{{stripped}}}") from None
    if isinstance(value, tuple):
        value = list(value)
    allowed_scalars = (str, int, float, bool)
    if isinstance(value, allowed_scalars):
        return value
    if isinstance(value, list) and all(isinstance(item, allowed_scalars) for item in value):
        return value
    raise ValueError(f"unsupported expression {{{stripped}}}")


def _title_from_stem(stem: str) -> str:
    words = re.sub(r"^[0-9]+[-_ ]*", "", stem).replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() or stem


def _parse_front_matter(text: str) -> tuple[dict, int, list[PageError]]:
    """Return the front matter mapping, the offset where the body starts, and errors."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return {}, 0, []
    closing = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
    match = closing.search(text, 4)
    if match is None:
        return {}, len(text), [
            PageError(1, "front matter opened with '---' on line 1 is not closed; expected a line '---'")
        ]
    yaml_text = text[4 : match.start()]
    body_start = match.end() + 1 if match.end() < len(text) else match.end()
    try:
        loaded = yaml.safe_load(yaml_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        return {}, body_start, [PageError(line, f"front matter is not valid YAML: {problem}")]
    if loaded is None:
        return {}, body_start, []
    if not isinstance(loaded, dict):
        return {}, body_start, [
            PageError(2, "front matter must be a YAML mapping such as 'title: Funnel'")
        ]
    return loaded, body_start, []


class _BodyScanner:
    """Split the page body into prose, components, queries and errors, in page order."""

    def __init__(self, text: str, index: _LineIndex):
        self.text = text
        self.index = index
        self.queries: dict[str, Query] = {}
        self.blocks: list[Block] = []
        self._prose: list[Union[str, Component, PageError]] = []
        self._prose_line = 0

    # -- block level -------------------------------------------------------------------

    def scan(self, pos: int) -> None:
        text = self.text
        while pos < len(text):
            line_end = self._line_end(pos)
            line = text[pos:line_end]
            indent = len(line) - len(line.lstrip(" \t"))
            stripped = line[indent:]

            fence = _FENCE.fullmatch(line)
            if fence and not (fence.group("fence")[0] == "`" and "`" in fence.group("info")):
                pos = self._scan_fence(pos, line_end, fence)
            elif stripped.startswith("<!--"):
                pos = self._skip_comment(pos + indent)
            elif stripped.startswith("</") and _TAG_NAME.match(stripped, 2):
                self._flush_prose()
                name = _TAG_NAME.match(stripped, 2).group(0)
                self.blocks.append(
                    PageError(self.index.line(pos), f"closing tag </{name}> has no matching <{name}>")
                )
                close = text.find(">", pos + indent)
                pos = self._after_block(close + 1 if close != -1 else line_end)
            elif stripped.startswith("<") and _TAG_NAME.match(stripped, 1) and (
                _TAG_NAME.match(stripped, 1).group(0) not in INLINE_COMPONENTS
            ):
                self._flush_prose()
                pos = self._scan_block_component(pos + indent)
            else:
                pos = self._scan_prose_line(pos)
        self._flush_prose()

    def _line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end == -1 else end

    def _after_block(self, pos: int) -> int:
        """Skip the rest of the line after a block construct when it is blank."""
        line_end = self._line_end(pos)
        if self.text[pos:line_end].strip() == "":
            return line_end + 1
        while pos < line_end and self.text[pos] in " \t":
            pos += 1
        return pos

    def _scan_fence(self, pos: int, line_end: int, fence: re.Match) -> int:
        marker = fence.group("fence")
        info = fence.group("info").strip()
        words = info.split()
        closing = re.compile(
            r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*$", re.MULTILINE
        )
        close_match = closing.search(self.text, line_end + 1) if line_end < len(self.text) else None
        if close_match is None:
            body_end = len(self.text)
            next_pos = len(self.text)
        else:
            body_end = close_match.start()
            next_pos = close_match.end() + 1
        fence_line = self.index.line(pos)

        if not words or words[0].lower() != "sql":
            # A code block of another language is prose: markdown renders it as code.
            self._add_prose_text(self.text[pos:min(next_pos, len(self.text))], pos)
            return next_pos

        self._flush_prose()
        if close_match is None:
            self.blocks.append(
                PageError(fence_line, f"```sql block is not closed; expected a closing {marker}")
            )
        body = self.text[line_end + 1 : body_end] if line_end < len(self.text) else ""
        if len(words) < 2:
            self.blocks.append(
                PageError(fence_line, "```sql block has no name; write ```sql query_name")
            )
            return next_pos
        name = words[1]
        if not IDENTIFIER.fullmatch(name) or len(words) > 2:
            self.blocks.append(
                PageError(
                    fence_line,
                    f"```sql block name {' '.join(words[1:])!r} is invalid; expected one name of "
                    "letters, digits and underscores, such as ```sql users_by_day",
                )
            )
            return next_pos
        if name in self.queries:
            first = self.queries[name].line
            self.blocks.append(
                PageError(fence_line, f"query '{name}' is already defined on line {first}")
            )
            return next_pos
        self.queries[name] = Query(
            name=name, sql=body.rstrip("\n"), line=fence_line, first_sql_line=fence_line + 1
        )
        return next_pos

    def _skip_comment(self, pos: int) -> int:
        end = self.text.find("-->", pos + 4)
        if end == -1:
            self._flush_prose()
            self.blocks.append(
                PageError(self.index.line(pos), "HTML comment '<!--' is not closed; expected '-->'")
            )
            return len(self.text)
        return self._after_block(end + 3)

    def _scan_block_component(self, pos: int) -> int:
        try:
            component, end = self._parse_element(pos, inline=False)
        except _TagError as error:
            self.blocks.append(PageError(self.index.line(error.offset), error.message))
            return error.resume if error.resume is not None else self._resync(pos)
        self.blocks.append(component)
        return self._after_block(end)

    def _resync(self, pos: int) -> int:
        """Return the position after the end of a broken tag: its next '>', else its line."""
        close = self.text.find(">", pos)
        next_tag = self.text.find("<", pos + 1)
        if close == -1 or (next_tag != -1 and next_tag < close):
            return self._line_end(pos) + 1
        return self._after_block(close + 1)

    # -- prose -------------------------------------------------------------------------

    def _add_prose_text(self, chunk: str, pos: int) -> None:
        if not chunk:
            return
        if not self._prose:
            self._prose_line = self.index.line(pos)
        if self._prose and isinstance(self._prose[-1], str):
            self._prose[-1] += chunk
        else:
            self._prose.append(chunk)

    def _add_prose_part(self, part: Union[Component, PageError], pos: int) -> None:
        if not self._prose:
            self._prose_line = self.index.line(pos)
        self._prose.append(part)

    def _flush_prose(self) -> None:
        parts = self._prose
        self._prose = []
        if any(not isinstance(part, str) or part.strip() for part in parts):
            self.blocks.append(Prose(parts=parts, line=self._prose_line))

    def _scan_prose_line(self, pos: int) -> int:
        """Scan one line of prose (longer when an inline tag spans lines); return the next line."""
        text = self.text
        line_end = self._line_end(pos)
        start = pos
        while pos < line_end:
            char = text[pos]
            if char == "\\" and pos + 1 < line_end:
                pos += 2
            elif char == "`":
                run_end = pos
                while run_end < line_end and text[run_end] == "`":
                    run_end += 1
                run = text[pos:run_end]
                closing = re.compile(r"(?<!`)" + run + r"(?!`)").search(text, run_end, line_end)
                pos = closing.end() if closing else run_end
            elif text.startswith("<!--", pos):
                self._add_prose_text(text[start:pos], start)
                end = text.find("-->", pos + 4)
                if end == -1:
                    self._add_prose_part(
                        PageError(self.index.line(pos), "HTML comment '<!--' is not closed; expected '-->'"),
                        pos,
                    )
                    return len(text)
                pos = start = end + 3
                line_end = self._line_end(pos)
            elif char == "<" and _TAG_NAME.match(text, pos + 1):
                self._add_prose_text(text[start:pos], start)
                pos = self._scan_inline_component(pos)
                start = pos
                line_end = self._line_end(pos)
            elif text.startswith("</", pos) and _TAG_NAME.match(text, pos + 2):
                self._add_prose_text(text[start:pos], start)
                name = _TAG_NAME.match(text, pos + 2).group(0)
                self._add_prose_part(
                    PageError(self.index.line(pos), f"closing tag </{name}> has no matching <{name}>"),
                    pos,
                )
                close = text.find(">", pos)
                pos = start = close + 1 if close != -1 and close < line_end else line_end
            else:
                pos += 1
        self._add_prose_text(text[start : line_end + 1], start)
        return line_end + 1

    def _scan_inline_component(self, pos: int) -> int:
        try:
            component, end = self._parse_element(pos, inline=True)
        except _TagError as error:
            self._add_prose_part(PageError(self.index.line(error.offset), error.message), pos)
            if error.resume is not None:
                return error.resume
            close = self.text.find(">", pos)
            return close + 1 if close != -1 else self._line_end(pos)
        if component.name not in INLINE_COMPONENTS:
            self._add_prose_part(
                PageError(
                    component.line,
                    f"<{component.name}> must start on its own line; only "
                    f"{', '.join('<' + name + '>' for name in sorted(INLINE_COMPONENTS))} "
                    "can sit inside a sentence",
                ),
                pos,
            )
        else:
            component.inline = True
            self._add_prose_part(component, pos)
        return end

    # -- tags --------------------------------------------------------------------------

    def _parse_element(self, pos: int, inline: bool) -> tuple[Component, int]:
        """Parse a tag at ``pos`` and, unless it is self-closing, its children and closing tag."""
        component, pos, self_closing = self._parse_tag(pos)
        if self_closing:
            return component, pos
        if inline:
            raise _TagError(
                pos - 1,
                f"<{component.name}> inside a sentence must be self-closing; write "
                f"<{component.name} .../>",
            )
        text = self.text
        while True:
            while pos < len(text) and text[pos] in " \t\n":
                pos += 1
            if pos >= len(text):
                raise _TagError(
                    self._offset_of_line(component.line),
                    f"<{component.name}> opened on line {component.line} is not closed; "
                    f"expected </{component.name}> or a self-closing tag <{component.name} .../>",
                )
            if text.startswith("<!--", pos):
                end = text.find("-->", pos + 4)
                if end == -1:
                    raise _TagError(pos, "HTML comment '<!--' is not closed; expected '-->'")
                pos = end + 3
            elif text.startswith("</", pos):
                match = _TAG_NAME.match(text, pos + 2)
                name = match.group(0) if match else ""
                close = text.find(">", pos)
                if name == component.name and close != -1 and not text[match.end() : close].strip():
                    return component, close + 1
                component.errors.append(
                    PageError(
                        self.index.line(pos),
                        f"found </{name}> inside <{component.name}> (line {component.line}); "
                        f"expected </{component.name}>",
                    )
                )
                pos = close + 1 if close != -1 else len(text)
            elif text[pos] == "<" and _TAG_NAME.match(text, pos + 1):
                try:
                    child, pos = self._parse_element(pos, inline=False)
                except _TagError as error:
                    component.errors.append(PageError(self.index.line(error.offset), error.message))
                    close = text.find(">", pos)
                    pos = close + 1 if close != -1 else len(text)
                else:
                    component.children.append(child)
            else:
                component.errors.append(
                    PageError(
                        self.index.line(pos),
                        f"text inside <{component.name}> is not supported; expected child tags "
                        f"or </{component.name}>",
                    )
                )
                next_tag = text.find("<", pos + 1)
                pos = next_tag if next_tag != -1 else len(text)

    def _offset_of_line(self, line: int) -> int:
        return self.index._starts[line - 1]

    def _parse_tag(self, pos: int) -> tuple[Component, int, bool]:
        """Parse ``<Name attr=value ...>`` or ``.../>``; return the component, end, self-closing."""
        text = self.text
        name_match = _TAG_NAME.match(text, pos + 1)
        component = Component(name=name_match.group(0), line=self.index.line(pos))
        pos = name_match.end()
        while True:
            blank_line = re.compile(r"[ \t]*\n[ \t]*\n").match(text, pos)
            while pos < len(text) and text[pos] in " \t\n":
                pos += 1
            # A tag ends before a blank line or another tag: the author forgot its '/>' or '>'.
            if pos >= len(text) or blank_line or text[pos] == "<":
                if blank_line:
                    where = f"the blank line {self.index.line(blank_line.end() - 1)}"
                elif pos >= len(text):
                    where = "the end of the page"
                else:
                    where = f"the '<' on line {self.index.line(pos)}"
                raise _TagError(
                    self._offset_of_line(component.line),
                    f"tag <{component.name}> is not closed; expected '/>' or '>' before {where}",
                    resume=blank_line.end() - 1 if blank_line else pos,
                )
            if text.startswith("/>", pos):
                return component, pos + 2, True
            if text[pos] == ">":
                return component, pos + 1, False
            attribute, pos = self._parse_attribute(pos, component)
            if attribute.name in component.attributes:
                first = component.attributes[attribute.name].line
                raise _TagError(
                    pos - 1,
                    f"attribute '{attribute.name}' of <{component.name}> is given twice "
                    f"(first on line {first})",
                )
            component.attributes[attribute.name] = attribute

    def _parse_attribute(self, pos: int, component: Component) -> tuple[Attribute, int]:
        text = self.text
        name_match = _ATTRIBUTE_NAME.match(text, pos)
        if name_match is None:
            raise _TagError(
                pos,
                f"unexpected {text[pos]!r} in tag <{component.name}>; expected an attribute "
                "such as name=value, '/>' or '>'",
            )
        name = name_match.group(0)
        line = self.index.line(pos)
        pos = name_match.end()

        # A name without '=' is a boolean attribute, as in HTML.
        probe = pos
        while probe < len(text) and text[probe] in " \t\n":
            probe += 1
        if probe >= len(text) or text[probe] != "=":
            return Attribute(name, True, line), pos
        pos = probe + 1
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        if pos >= len(text):
            raise _TagError(pos - 1, f"attribute '{name}' of <{component.name}> has no value")

        quote = text[pos]
        if quote in "\"'":
            end = text.find(quote, pos + 1)
            if end == -1:
                raise _TagError(
                    pos, f"value of attribute '{name}' of <{component.name}> has no closing {quote}"
                )
            value = text[pos + 1 : end]
            # Evidence also accepts data="{query}": a quoted brace expression.
            if re.fullmatch(r"\{.*\}", value, re.DOTALL):
                return Attribute(name, Expression(value[1:-1].strip()), line), end + 1
            return Attribute(name, value, line), end + 1

        if quote == "{":
            end = self._expression_end(pos, name, component)
            return Attribute(name, Expression(text[pos + 1 : end].strip()), line), end + 1

        # An unquoted value runs to the next blank, '>' or '/>'.
        end = pos
        while end < len(text) and text[end] not in " \t\n>" and not text.startswith("/>", end):
            end += 1
        if end == pos:
            raise _TagError(pos, f"attribute '{name}' of <{component.name}> has no value")
        return Attribute(name, text[pos:end], line), end

    def _expression_end(self, pos: int, name: str, component: Component) -> int:
        """Return the offset of the brace that closes the expression opened at ``pos``."""
        text = self.text
        depth = 0
        index = pos
        while index < len(text):
            char = text[index]
            if char in "\"'`":
                closing = text.find(char, index + 1)
                if closing == -1:
                    break
                index = closing
            elif char in "{[(":
                depth += 1
            elif char in "}])":
                depth -= 1
                if depth == 0:
                    if char != "}":
                        break
                    return index
            index += 1
        raise _TagError(
            pos, f"value of attribute '{name}' of <{component.name}> has no closing '}}'"
        )
