"""What a locked-out login sees: JSON for the API, a page for the browser (HTTP 429)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _(
        "Too many failed login attempts. Try again in %(minutes)d minutes, or ask a "
        "coordinator to unlock your account."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
