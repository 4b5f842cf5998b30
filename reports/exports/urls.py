"""The data downloads API (``api_urlpatterns``)."""

from django.db import transaction
from django.urls import re_path

from reports.exports import api

api_urlpatterns = [
    re_path(
        r"^missions/(?P<mission_id>\d+)/export/(?P<dataset>visits|findings|stations|observers)"
        r"\.(?P<fmt>csv|xlsx)$",
        # Read-only, and a long download must not hold a transaction open.
        transaction.non_atomic_requests(api.ExportView.as_view()),
        name="mission-export",
    ),
]
