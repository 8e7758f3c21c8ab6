"""Command line of the export: ``python -m export``."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from .errors import ExportError, ProcessorsFailedError
from .outputs import PROCESSORS
from .profiles import load_profile_target
from .runner import export

logger = logging.getLogger("export")


def _processor_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PROCESSORS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown processors {', '.join(unknown)}; choose from {', '.join(PROCESSORS)}"
        )
    if not names:
        raise argparse.ArgumentTypeError(f"no processor named; choose from {', '.join(PROCESSORS)}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m export",
        description=(
            "Read the dbt marts from the warehouse of a dbt profile and write the CSV files "
            "and manifest.json of processed_data/. The previous folder is replaced only "
            "when the export succeeds."
        ),
    )
    parser.add_argument(
        "--output",
        default="processed_data",
        metavar="DIR",
        help="output folder, relative to the current folder (default: %(default)s)",
    )
    parser.add_argument(
        "--project-dir",
        default=".",
        metavar="DIR",
        help=(
            "dbt project folder that contains dbt_project.yml; a relative DuckDB path in the "
            "profile is resolved against it (default: the current folder)"
        ),
    )
    parser.add_argument(
        "--profiles-dir",
        metavar="DIR",
        help=(
            "folder that contains profiles.yml (default: DBT_PROFILES_DIR, else the project "
            "folder when it contains profiles.yml, else ~/.dbt)"
        ),
    )
    parser.add_argument(
        "--profile", help="profile name (default: `profile:` in dbt_project.yml)"
    )
    parser.add_argument(
        "--target", help="target name (default: DBT_TARGET, else the profile's `target:`)"
    )
    parser.add_argument(
        "--processors",
        type=_processor_list,
        metavar="NAMES",
        help=(
            f"comma-separated processors to run, from {', '.join(PROCESSORS)} (default: all); "
            "the files of the others are kept from the previous folder"
        ),
    )
    parser.add_argument(
        "--skip-errors",
        action="store_true",
        help=(
            "go on past a failing processor and keep its previous files; the exit status "
            "is still 1"
        ),
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debug messages such as the SQL run"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the export; return 0 on success and 1 on failure."""
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_profile_target(
            project_dir=arguments.project_dir,
            profiles_dir=arguments.profiles_dir,
            profile=arguments.profile,
            target=arguments.target,
        )
        logger.info(
            "reading target %s of profile %s (%s, schema %s)",
            settings.target,
            settings.profile,
            settings.describe(),
            settings.schema,
        )
        export(
            arguments.output,
            settings,
            processors=arguments.processors,
            skip_errors=arguments.skip_errors,
        )
    except ProcessorsFailedError as error:
        logger.error("%s", error)
        return 1
    except (ExportError, OSError) as error:
        logger.error("export failed, %s is unchanged: %s", arguments.output, error)
        return 1
    return 0
