"""Command line entry point: `python -m generator --help`."""

from .cli import main

raise SystemExit(main())
