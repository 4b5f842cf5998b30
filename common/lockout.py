"""Login lock-out (django-axes): whose address a failure counts against, and what a locked-out
login sees (JSON for the API, a page for the browser, HTTP 429).

Behind a reverse proxy every request comes from the proxy's address: keyed on ``REMOTE_ADDR``,
five wrong passwords from anyone would lock a user out for everyone. ``TRUSTED_PROXY_COUNT``
(``DJANGO_TRUSTED_PROXY_COUNT``) says how many proxies of ours stand in front; each appends
the address it saw to ``X-Forwarded-For``, so the client is the entry that many places from
the right. Entries further left are whatever the client wrote and are never believed.
"""

import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_response(request, original_response=None, credentials=None):
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute, or ask a "
        "coordinator to unlock your account.",
        "Too many failed login attempts. Try again in %(minutes)d minutes, or ask a "
        "coordinator to unlock your account.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def client_address(request) -> str | None:
    """The client's address, as the last of our ``TRUSTED_PROXY_COUNT`` proxies saw it."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:  # not through our proxies (or they do not set the header)
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
