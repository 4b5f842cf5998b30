"""Station and observer imports (API.md "Missions, areas, stations, observers").

Both services read the whole file, check every row, and only then write, in bulk and in one
transaction: one bad row and nothing is imported, and the answer lists every bad row with its
spreadsheet row number, its column and what is wrong. The number of queries does not grow
with the number of rows (a handful of reads, then batched inserts and updates).

Rows are checked by hand rather than with ``Model.full_clean()``: ``full_clean`` runs a
uniqueness query per row, which is exactly the query-per-row this module must avoid, and the
checks here give messages in the coordinator's terms (the column name, the value).
"""

from .jobs import (
    import_job_apply,
    import_job_check,
    import_job_confirm,
    import_job_create,
    import_job_fail,
    import_job_runs_in_worker,
    import_job_start_api,
    import_job_state,
    import_job_step,
    import_progress_key,
)
from .observers import OBSERVER_OPTIONAL, OBSERVER_REQUIRED, observers_import
from .plans import ImportResult
from .stations import STATION_OPTIONAL, STATION_REQUIRED, stations_import

__all__ = [
    "OBSERVER_OPTIONAL",
    "OBSERVER_REQUIRED",
    "STATION_OPTIONAL",
    "STATION_REQUIRED",
    "ImportResult",
    "import_job_apply",
    "import_job_check",
    "import_job_confirm",
    "import_job_create",
    "import_job_fail",
    "import_job_runs_in_worker",
    "import_job_start_api",
    "import_job_step",
    "import_job_state",
    "import_progress_key",
    "observers_import",
    "stations_import",
]
