"""The pages of reports (``reports:`` names) and, as ``api_urlpatterns``, its API.

Each sub-package lists its own in its ``urls.py``; the statistics pages keep their own
``statistics:`` namespace (``reports.statistics.urls``).
"""

from reports.aggregates import urls as aggregates
from reports.briefings import urls as briefings
from reports.dashboard import urls as dashboard
from reports.deployment import urls as deployment
from reports.device_cards import urls as device_cards
from reports.exports import urls as exports
from reports.operations import urls as operations
from reports.review import urls as review
from reports.statistics import urls as statistics

app_name = "reports"

urlpatterns = [
    *dashboard.urlpatterns,
    *deployment.urlpatterns,
    *device_cards.urlpatterns,
    *review.urlpatterns,
    *briefings.urlpatterns,
    *aggregates.urlpatterns,
]

api_urlpatterns = [
    *briefings.api_urlpatterns,
    *aggregates.api_urlpatterns,
    *dashboard.api_urlpatterns,
    *exports.api_urlpatterns,
    *statistics.api_urlpatterns,
    *operations.api_urlpatterns,
]
