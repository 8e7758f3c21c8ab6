"""Deterministic generator of Matomo-shaped tracking data for the Hybrid Dashboard.

It writes, into one DuckDB file, the Matomo raw tables that the dbt models read
(`log_link_visit_action`, `log_visit`, `log_action`, `site`, each with an optional name
prefix) and, unless `--no-app-db` is given, the app database tables `hybrid_games`,
`hybrid_games_links` and `hybrid_game_completions` (never prefixed). Column types are in
`generator.schema`.

Run it as::

    python -m generator --events 100000 --seed 1 --output data/demo.duckdb
    python -m generator --write-catalogue seeds/game_catalogue.csv

What the data holds:

- site 1 in `Asia/Kolkata`; 140 days of actions starting 3 days before `--start-date`
  (default 2025-07-01, in IST), with growth, weekends, a daily rhythm in IST, one outage day
  and visits that cross local midnight;
- 27 games: the 25 of the catalogue seed plus two activity ids (`401`, `113`) that only the
  app database maps. Each action's game is the activity id in `custom_dimension_2`, sometimes
  padded with whitespace, blank (`''`, `null`, `undefined`) or unknown to both;
- plays that go through the funnel started, introduction, questions, mid_introduction,
  validation, parent_poll, rewards and completed, dropping out at each stage. Event names
  are page titles (`hybrid_game_*`, `mcq_started`, `introduction_completed`, `mcq_completed`).
  The game is also stored as the event category and the event name as the event action;
- page views (`Home`, `Profile`, ...) and nameless actions that match no event rule;
- `log_action` with duplicate rows of one name, names with surrounding whitespace and
  HTML-escaped names, with ids in a seeded random order;
- result payloads in `custom_dimension_1` of completed events in five JSON shapes, with a few
  percent blank, malformed, HTML-escaped, cut at 250 characters, negative or above 100;
- returning visitors, second devices of one child, `user_id` on most visits of children with a
  profile, and visits whose first actions carry an earlier `idvisitor`;
- app database links from each profile to its games (plus two links that contradict the
  catalogue or each other) and completions 1 to 6 seconds after the completed events, a few
  missing or doubled.

The same seed, event count and start date give the same table contents on every run, whatever
the chunk size. Rows are generated in chunks, so memory does not grow with the event count
beyond the visitor pool (about 40 bytes per visitor).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .simulation import Simulation

__all__ = ["generate"]


def generate(
    output: str | Path,
    events: int,
    seed: int = 1,
    start_date: dt.date = dt.date(2025, 7, 1),
    prefix: str = "",
    app_db: bool = True,
    chunk_rows: int = 100_000,
) -> dict[str, int]:
    """Write the generated tables to the DuckDB file `output`; return row counts by table.

    Tables of the same names already in the file are replaced; other tables are kept.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    simulation = Simulation(events, seed, start_date, chunk_rows=chunk_rows)
    return simulation.run(output, prefix=prefix, app_db=app_db)
