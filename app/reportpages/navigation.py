"""Find the page files of a folder and order them for the navigation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .parser import read_front_matter


@dataclass(frozen=True)
class PageEntry:
    path: Path
    title: str
    order: float
    url_path: str
    source: str


def discover_pages(reports_dir: Path) -> list[PageEntry]:
    """Return the ``*.md`` files of ``reports_dir``, by front matter ``order``, then file name.

    Files without an ``order`` come last. The URL path is the file name without its suffix,
    lowercased, with runs of other characters than letters and digits turned into ``-``.
    """
    reports_dir = Path(reports_dir)
    entries = []
    for path in sorted(reports_dir.glob("*.md")):
        title, order = read_front_matter(path)
        url_path = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "page"
        source = f"{reports_dir.name}/{path.name}"
        entries.append(PageEntry(path=path, title=title, order=order, url_path=url_path, source=source))
    entries.sort(key=lambda entry: (entry.order, entry.path.name))
    return entries
