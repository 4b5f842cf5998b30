"""The charts (see ``reports.charts.dashboard``)."""

from reports.charts.dashboard import *  # noqa: F403
from reports.charts.dashboard import _label, _zone  # noqa: F401
