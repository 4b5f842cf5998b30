from django.urls import path

from . import api_statistics as api

urlpatterns = [
    path(
        "missions/<int:mission_id>/estimates/turnout/",
        api.TurnoutEstimateView.as_view(),
        name="estimate-turnout",
    ),
    path(
        "missions/<int:mission_id>/estimates/quick-count/",
        api.QuickCountView.as_view(),
        name="estimate-quick-count",
    ),
]
