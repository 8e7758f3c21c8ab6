"""Command line interface of the data generator."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys

from . import generate
from .catalogue import write_catalogue

log = logging.getLogger("generator")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Write deterministic Matomo-shaped game tracking data to a DuckDB file.",
    )
    parser.add_argument("--events", type=int, help="number of log_link_visit_action rows to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--output", help="DuckDB file to write (tables of the same names are replaced, others kept)")
    parser.add_argument(
        "--start-date",
        type=dt.date.fromisoformat,
        default=dt.date(2025, 7, 1),
        help="first report date in India Standard Time, YYYY-MM-DD (default: 2025-07-01). "
        "The data starts 3 days earlier and spans 140 days.",
    )
    parser.add_argument("--prefix", default="", help="name prefix of the Matomo tables (default: none)")
    parser.add_argument(
        "--no-app-db",
        dest="app_db",
        action="store_false",
        help="skip the app database tables (hybrid_games, hybrid_games_links, hybrid_game_completions)",
    )
    parser.add_argument("--chunk-rows", type=int, default=100_000, help="action rows per append (default: 100000)")
    parser.add_argument("--write-catalogue", metavar="PATH", help="also write the game catalogue seed CSV to PATH")
    args = parser.parse_args(argv)

    if args.output is None and args.write_catalogue is None:
        parser.error("missing output: give --output PATH with --events N, or --write-catalogue PATH, or both")
    if args.output is not None and (args.events is None or args.events < 1):
        parser.error(f"--output needs --events with a positive number of events, got {args.events}")
    if args.chunk_rows < 1:
        parser.error(f"--chunk-rows must be positive, got {args.chunk_rows}")
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    if args.write_catalogue:
        path = write_catalogue(args.write_catalogue)
        log.info("wrote game catalogue %s", path)
    if args.output:
        counts = generate(
            args.output,
            events=args.events,
            seed=args.seed,
            start_date=args.start_date,
            prefix=args.prefix,
            app_db=args.app_db,
            chunk_rows=args.chunk_rows,
        )
        for table, count in counts.items():
            print(f"{table}\t{count}")
    return 0
