"""Error pages: the API answers in JSON, the browser pages in HTML."""

from django.http import JsonResponse
from django.views.defaults import page_not_found


def not_found(request, exception=None):
    """A 404 for a URL no route matches: ``{"detail": ...}`` under /api/, else the HTML page.

    A client of the API (``/api/v1/missions/1/export/visits.doc``) gets JSON like every other
    API answer, not Django's HTML page.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
