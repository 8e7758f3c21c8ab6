"""Exceptions raised by the export."""

from __future__ import annotations


class ExportError(Exception):
    """Failure of the export; the message names the cause and the next step."""


class ProfileError(ExportError):
    """Invalid or incomplete dbt project, profiles.yml or target settings."""


class ModelError(ExportError):
    """Missing mart, missing column or invalid value read from a mart."""


class PrivacyError(ExportError):
    """Output column outside the fixed column list of an output file."""


class ProcessorsFailedError(ExportError):
    """Failure of one or more processors in a run that went on past them.

    The output folder has already been replaced when this is raised: the files of the
    failed processors were carried over from the previous folder. ``failures`` maps each
    failed processor name to its exception, and ``manifest`` is the manifest written.
    """

    def __init__(self, failures: dict[str, BaseException], manifest: dict):
        self.failures = failures
        self.manifest = manifest
        names = ", ".join(failures)
        super().__init__(
            f"processors failed: {names}; their previous files were kept. "
            "Fix the errors logged above and run the export again"
        )
