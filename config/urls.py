from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common import health
from common.api_root import ApiRoot
from common.auth_token import TokenView
from common.login import LoginView
from missions import views as missions_views
from missions.urls import api_urlpatterns as missions_api
from observation.urls import api_urlpatterns as observation_api
from reports import urls as reports_urls

api_v1 = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("", include(missions_api)),
    path("", include(observation_api)),
    path("", include(reports_urls.api_urlpatterns)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", missions_views.language_set, name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    # The schema reads no data: no transaction, so loading it needs no database.
    path(
        "api/schema/",
        transaction.non_atomic_requests(SpectacularAPIView.as_view()),
        name="schema",
    ),
    # Swagger UI's initialiser as a script of its own (/api/docs/?script): the
    # Content-Security-Policy runs no inline script, which left the page blank.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("observation.urls")),
    path("", include("reports.urls")),
    path("", include("reports.statistics.urls")),
    path("", include("reports.operations.urls")),
    path("", include("missions.urls")),
]

handler404 = "common.errors.not_found"
