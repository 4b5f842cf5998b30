"""Statistics of the mission: estimates, the statement, forensics (public Python API below).

``wilson_interval``, ``share_interval`` and ``ratio_estimate`` are the public Python API
(../shared/API.md): they live in ``reports.statistics.intervals`` and stay importable from here.
"""

from reports.statistics.intervals import ratio_estimate, share_interval, wilson_interval

__all__ = ["ratio_estimate", "share_interval", "wilson_interval"]
