"""Export of the dbt marts to the CSV files and manifest.json of processed_data/.

Run ``python -m export --help``, or call ``export(output_dir, load_profile_target())``.
"""

from .errors import ExportError, ModelError, PrivacyError, ProcessorsFailedError, ProfileError
from .outputs import CSV_COLUMNS, PROCESSORS
from .profiles import ConnectionSettings, DuckDBTarget, MySQLTarget, load_profile_target
from .runner import MANIFEST_FILE, export

__all__ = [
    "CSV_COLUMNS",
    "MANIFEST_FILE",
    "PROCESSORS",
    "ConnectionSettings",
    "DuckDBTarget",
    "ExportError",
    "ModelError",
    "MySQLTarget",
    "PrivacyError",
    "ProcessorsFailedError",
    "ProfileError",
    "export",
    "load_profile_target",
]
