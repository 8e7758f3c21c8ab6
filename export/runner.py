"""The export run: read the marts, write the files into a staging folder, swap it in."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from .csvfile import count_data_rows, render_csv
from .errors import ExportError, ModelError, ProcessorsFailedError
from .outputs import (
    CSV_COLUMNS,
    INVOCATION_COLUMN,
    PIPELINE_METADATA_COLUMNS,
    PIPELINE_METADATA_MODEL,
    PROCESSORS,
    OutputFile,
    check_output_columns,
)
from .profiles import ConnectionSettings
from .values import to_date_or_none, to_local_timestamp
from .warehouse import Warehouse, open_warehouse

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"


def select_processors(processors: Iterable[str] | None) -> tuple[str, ...]:
    """Return the requested processors in run order; None selects all of them."""
    if processors is None:
        return tuple(PROCESSORS)
    requested = set(processors)
    unknown = sorted(requested - set(PROCESSORS))
    if unknown:
        raise ExportError(
            f"unknown processors: {', '.join(unknown)}; choose from {', '.join(PROCESSORS)}"
        )
    if not requested:
        raise ExportError(f"no processor selected; choose from {', '.join(PROCESSORS)}")
    return tuple(name for name in PROCESSORS if name in requested)


def export(
    output_dir: str | os.PathLike,
    connection_settings: ConnectionSettings,
    processors: Iterable[str] | None = None,
    skip_errors: bool = False,
) -> dict:
    """Write the output files and manifest.json from the marts of a dbt target; return the manifest.

    All files are written into a staging folder beside ``output_dir`` and swapped in at the
    end, so a failure leaves the previous folder as it was. The files of processors that
    were not selected are copied unchanged from the previous folder. Without
    ``skip_errors`` the first failing processor aborts the run. With it, the previous files
    of a failed processor are copied too, the folder is swapped in, and then
    ProcessorsFailedError is raised.
    """
    started = time.monotonic()
    selected = select_processors(processors)
    output_dir = Path(output_dir).expanduser().absolute()
    if output_dir.exists() and not output_dir.is_dir():
        raise ExportError(
            f"output path {output_dir} exists and is not a folder: remove it, or pass another "
            "--output"
        )
    _check_output_folder(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)

    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.tmp-", dir=output_dir.parent))
    logger.debug("staging folder %s", staging)
    try:
        with open_warehouse(connection_settings) as warehouse:
            metadata = _read_pipeline_metadata(warehouse)
            failures = _run_processors(
                warehouse, selected, staging, skip_errors, metadata["dbt_invocation_id"]
            )

        carried = [name for name in PROCESSORS if name not in selected or name in failures]
        _carry_over(output_dir, staging, carried)
        manifest = _build_manifest(staging, connection_settings, metadata)
        manifest_text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (staging / MANIFEST_FILE).write_text(manifest_text, encoding="utf-8")
        _swap_in(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    logger.info(
        "export finished in %.2f s: %d files in %s",
        time.monotonic() - started,
        len(manifest["files"]),
        output_dir,
    )
    if failures:
        raise ProcessorsFailedError(failures, manifest)
    return manifest


def _run_processors(
    warehouse: Warehouse,
    selected: tuple[str, ...],
    staging: Path,
    skip_errors: bool,
    invocation_id: str,
) -> dict[str, BaseException]:
    failures: dict[str, BaseException] = {}
    for name in selected:
        started = time.monotonic()
        try:
            contents = {
                spec.file_name: _build_csv(spec, warehouse, invocation_id) for spec in PROCESSORS[name]
            }
            for file_name, data in contents.items():
                (staging / file_name).write_bytes(data)
        except Exception as error:
            for spec in PROCESSORS[name]:
                (staging / spec.file_name).unlink(missing_ok=True)
            if not skip_errors:
                raise
            logger.error(
                "processor %s failed, so its previous files are kept: %s",
                name,
                error,
                exc_info=not isinstance(error, ExportError),
            )
            failures[name] = error
            continue
        logger.info("processor %s finished in %.2f s", name, time.monotonic() - started)
    return failures


def _check_output_folder(output_dir: Path) -> None:
    """Reject an output folder that contains anything the export does not write.

    The folder is replaced as a whole, so other files in it would be lost.
    """
    if not output_dir.is_dir():
        return
    known = set(CSV_COLUMNS) | {MANIFEST_FILE}
    foreign = sorted(entry.name for entry in output_dir.iterdir() if entry.name not in known)
    if foreign:
        shown = ", ".join(foreign[:10]) + (", ..." if len(foreign) > 10 else "")
        raise ExportError(
            f"output folder {output_dir} contains entries that the export does not write "
            f"({shown}); it replaces the whole folder, so they would be lost. Pass an empty "
            "or new folder as --output, or move those entries away"
        )


def _check_same_run(spec: OutputFile, warehouse: Warehouse, invocation_id: str) -> None:
    """Raise ModelError unless the mart was built by the same dbt run as pipeline_metadata."""
    rows = warehouse.read_model(spec.model, (INVOCATION_COLUMN,))
    run_ids = {run_id.decode() if isinstance(run_id, bytes) else run_id for (run_id,) in rows}
    if run_ids and run_ids != {invocation_id}:
        raise ModelError(
            f"model {spec.model} in {warehouse.location} was built by another dbt run than "
            f"{PIPELINE_METADATA_MODEL} (a dbt build probably failed part-way): fix the "
            "error of the last `dbt build` and run it again"
        )


def _build_csv(spec: OutputFile, warehouse: Warehouse, invocation_id: str) -> bytes:
    _check_same_run(spec, warehouse, invocation_id)
    raw_rows = warehouse.read_model(spec.model, spec.model_columns)
    rows = spec.format_rows(raw_rows, warehouse.location)
    check_output_columns(spec.file_name, spec.header)
    try:
        data = render_csv(spec.header, rows)
    except UnicodeEncodeError as error:
        raise ModelError(
            f"model {spec.model} in {warehouse.location} contains text that is not valid "
            f"Unicode ({error}): fix the model and run `dbt build` again"
        ) from None
    logger.info("wrote %s: %d rows", spec.file_name, len(rows))
    return data


def _read_pipeline_metadata(warehouse: Warehouse) -> dict:
    model = PIPELINE_METADATA_MODEL
    rows = warehouse.read_model(model, PIPELINE_METADATA_COLUMNS)
    if len(rows) != 1:
        raise ModelError(
            f"model {model} in {warehouse.location} has {len(rows)} rows; expected exactly "
            "one: fix the model and run `dbt build` again"
        )
    start_date, end_date, last_event_at, invocation_id = rows[0]
    try:
        if start_date is None:
            raise ValueError("start_date is NULL")
        start = to_date_or_none(start_date)
        end = to_date_or_none(end_date)
        last_event = to_local_timestamp(last_event_at)
    except ValueError as error:
        raise ModelError(
            f"model {model} in {warehouse.location}: {error}; fix the model and run "
            "`dbt build` again"
        ) from None
    return {
        "start_date": start.isoformat(),
        "end_date": None if end is None else end.isoformat(),
        "last_event_at": None if last_event is None else last_event.isoformat(timespec="seconds"),
        "dbt_invocation_id": invocation_id.decode() if isinstance(invocation_id, bytes) else invocation_id,
    }


def _carry_over(output_dir: Path, staging: Path, processor_names: list[str]) -> None:
    """Copy the previous files of the named processors into the staging folder unchanged."""
    for name in processor_names:
        for spec in PROCESSORS[name]:
            previous = output_dir / spec.file_name
            if previous.is_file():
                shutil.copyfile(previous, staging / spec.file_name)
                logger.info("kept %s from the previous export", spec.file_name)
            else:
                logger.info("no previous %s to keep", spec.file_name)


def _build_manifest(staging: Path, settings: ConnectionSettings, metadata: dict) -> dict:
    files = {}
    for path in sorted(staging.glob("*.csv")):
        data = path.read_bytes()
        try:
            rows = count_data_rows(data)
        except ValueError as error:
            raise ExportError(
                f"kept file {path.name} is not valid CSV ({error}): run the export with "
                "every processor to write it again"
            ) from None
        files[path.name] = {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()}

    generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return {
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": {"profile": settings.profile, "target": settings.target, "type": settings.type},
        **metadata,
        "files": files,
    }


def _folder_mode(output_dir: Path) -> int:
    if output_dir.is_dir():
        return stat.S_IMODE(output_dir.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Replace ``output_dir`` with ``staging``: rename the old folder away, rename the new one in."""
    # mkdtemp creates the folder with mode 0700; give it the mode of the folder it replaces.
    os.chmod(staging, _folder_mode(output_dir))
    retired = None
    if output_dir.exists() or output_dir.is_symlink():
        retired = output_dir.with_name(f".{output_dir.name}.old-{uuid.uuid4().hex[:12]}")
        os.rename(output_dir, retired)
    try:
        os.rename(staging, output_dir)
    except OSError:
        if retired is not None:
            os.rename(retired, output_dir)
        raise
    if retired is None:
        return
    if retired.is_symlink():
        retired.unlink()
    else:
        shutil.rmtree(retired, onerror=_log_removal_error)


def _log_removal_error(function, path, exc_info) -> None:
    logger.warning(
        "could not remove the previous export at %s: %s; remove it by hand", path, exc_info[1]
    )
