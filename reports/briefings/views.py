"""The press pages: the briefings a visitor may read, one briefing with its charts, and the
press office's tools. The same services back the API (``reports.briefings.api``).

- ``/briefings/publish/`` (coordinators): the editor: title, key messages in Markdown and their
  translations, embargo, public; publishing freezes the figures (``services.briefing_publish``).
- ``/briefings/preview/`` (POST, coordinators): the key messages as the page will show them,
  rendered and sanitised by the server (``common.markdown``), so the preview is the real thing.
- ``/briefings/<id>/present/``: one figure per slide, arrow keys and space to move, F for full
  screen; printed from the browser it gives one slide per page. ``.../slides.pdf``: the same
  slides printed on the server (``packs.slides_pdf``), cached per language.
- ``/embed/briefings/<id>/<chart>/``: one chart of a *public* briefing on a page of its own,
  with its source line, for an ``<iframe>`` on a media website. Only these pages may be framed
  by other sites (``frame-ancestors``); everything else keeps ``'none'``.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.markdown import markdown_html
from common.numbers import figure_text
from missions.access import missions_for
from missions.models import MemberRole
from reports.briefings.content import briefing_content
from reports.briefings.figures import press_figure
from reports.briefings.packs import briefing_pack_get, slides_pdf
from reports.briefings.selectors import (
    briefing_chart_spec,
    briefing_charts,
    briefing_file_name,
    briefing_get,
    briefing_is_staff,
    briefing_may_withdraw,
    briefings_visible,
    request_language,
    storage_read,
    storage_write,
    stored_name,
)
from reports.briefings.services import briefing_publish, briefing_withdraw
from reports.charts import rendering
from reports.charts.style import SIZES
from reports.models import SUMMARY_MAX, BriefingPackStatus, summary_i18n_validate

EMBED_SIZE = "web"


class WithdrawForm(forms.Form):
    # A form field refuses NUL characters, which PostgreSQL cannot store (a 500 before).
    reason = forms.CharField(max_length=2000, required=False)


def _translations() -> list[tuple[str, str]]:
    """The languages a summary is translated into: every language of the site but English."""
    return [(code, name) for code, name in settings.LANGUAGES if code != "en"]


class BriefingEditorForm(forms.Form):
    mission = forms.TypedChoiceField(label=gettext_lazy("Mission"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    summary = forms.CharField(
        label=gettext_lazy("Key messages (Markdown)"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-preview": "summary"}),
        help_text=gettext_lazy(
            "## for a heading, - for a list, **bold**, _italic_, [a link](https://...). "
            "HTML is removed."
        ),
    )
    embargo_until = forms.DateTimeField(
        label=gettext_lazy("Embargoed until (the mission's local time; empty: at once)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    public = forms.BooleanField(
        label=gettext_lazy("Public: readable without logging in"), required=False
    )

    def __init__(self, *args, missions, **kwargs):
        super().__init__(*args, **kwargs)
        self.missions = {m.pk: m for m in missions}
        self.fields["mission"].choices = [(m.pk, m.name) for m in missions]
        for code, name in _translations():
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Key messages in %(language)s") % {"language": name},
                max_length=SUMMARY_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8, "lang": code, "data-preview": code}),
            )

    def translation_fields(self):
        return [self[f"summary_{code}"] for code, _name in _translations()]

    def clean(self):
        data = super().clean()
        mission = self.missions.get(data.get("mission"))
        embargo = data.get("embargo_until")
        if mission is not None and embargo is not None:
            # The form's time is the mission's wall-clock time, whatever the server's zone.
            naive = timezone.make_naive(embargo) if timezone.is_aware(embargo) else embargo
            data["embargo_until"] = naive.replace(tzinfo=mission.tzinfo)
        data["mission_object"] = mission
        data["summary_i18n"] = {
            code: data[f"summary_{code}"].strip()
            for code, _name in _translations()
            if data.get(f"summary_{code}", "").strip()
        }
        summary_i18n_validate(data["summary_i18n"])
        return data


def coordinated_missions(*, user) -> list:
    if not user.is_authenticated:
        return []
    return list(
        missions_for(user=user, roles=(MemberRole.COORDINATOR,)).order_by("-election_date", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_editor(request):
    """Write a briefing (title, key messages and their translations) and publish it."""
    coordinated = coordinated_missions(user=request.user)
    if not coordinated:
        raise Http404
    form = BriefingEditorForm(request.POST or None, missions=coordinated)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        briefing = briefing_publish(
            mission=data["mission_object"],
            user=request.user,
            now=timezone.now(),
            title=data["title"],
            summary=data["summary"].strip(),
            summary_i18n=data["summary_i18n"],
            embargo_until=data["embargo_until"],
            public=data["public"],
        )
        messages.success(request, _("The briefing is published."))
        return redirect("reports:briefing", briefing.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/press/editor.html", {"form": form}, status=status)


@login_required
@require_POST
def briefing_summary_preview(request):
    """The summary's Markdown as the briefing will show it (an HTML fragment)."""
    if not coordinated_missions(user=request.user):
        raise Http404
    if "text" not in request.POST:
        return HttpResponse(_("Send the text to preview."), status=400, content_type="text/plain")
    text = request.POST["text"][:SUMMARY_MAX]
    response = HttpResponse(markdown_html(text), content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def briefing_list(request):
    """Briefings the visitor may read (public ones for anyone), newest first."""
    now = timezone.now()
    briefings = list(briefings_visible(user=request.user, now=now).defer("snapshot")[:200])
    may_publish = bool(coordinated_missions(user=request.user))
    rows = [
        {
            "briefing": b,
            "staff": briefing_is_staff(user=request.user, briefing=b),
            "embargoed": b.embargo_until is not None and b.embargo_until > now,
        }
        for b in briefings
    ]
    return render(
        request,
        "reports/briefing_list.html",
        {"rows": rows, "may_publish": may_publish, "now": now},
    )


@require_GET
def briefing_page(request, briefing_id):
    now = timezone.now()
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
    content = briefing_content(briefing=briefing)
    chart_list = []
    figures = {}
    for chart in briefing_charts(briefing=briefing):
        name = chart["name"]
        figures[name] = briefing_chart_spec(briefing=briefing, name=name)
        png = reverse("briefing-chart-file", args=[briefing.pk, name, "png"])
        embed = (
            request.build_absolute_uri(reverse("reports:briefing-embed", args=[briefing.pk, name]))
            if briefing.public
            else None
        )
        chart_list.append(
            {
                **chart,
                "filename": briefing_file_name(briefing=briefing, name=name, fmt="png")[:-4],
                "links": [
                    (
                        fmt.upper(),
                        reverse("briefing-chart-file", args=[briefing.pk, name, fmt]),
                    )
                    for fmt in ("png", "svg", "pdf", "csv")
                ],
                "sizes": [
                    (label, f"{png}?size={size}")
                    for size, label in (
                        ("slide", _("slide 16:9")),
                        ("social", _("social media, square")),
                    )
                ],
                "embed": embed_snippet(url=embed, title=chart["title"]) if embed else "",
            }
        )
    pack = briefing_pack_get(briefing=briefing, language=request_language())
    snapshot_mission = briefing.snapshot["mission"]
    context = {
        "briefing": briefing,
        "mission": briefing.mission,
        "snapshot_mission": snapshot_mission,
        "content": content,
        "charts": chart_list,
        "figures": figures,
        "staff": briefing_is_staff(user=request.user, briefing=briefing),
        "may_withdraw": briefing_may_withdraw(user=request.user, briefing=briefing),
        "embargoed": briefing.embargo_until is not None and briefing.embargo_until > now,
        "chromium": rendering.chromium_available(),
        "pack_ready": pack is not None and pack.status == BriefingPackStatus.READY,
        "pack_url": reverse("briefing-pack-file", args=[briefing.pk]),
        "pack_status_url": reverse("briefing-pack", args=[briefing.pk]),
        "published_text": figure_text(
            briefing.published_at, kind="datetime", timezone=snapshot_mission["timezone"]
        ),
        "present_url": reverse("reports:briefing-present", args=[briefing.pk]),
        "slides_url": reverse("reports:briefing-slides", args=[briefing.pk]),
        "election_date": dt.date.fromisoformat(briefing.snapshot["mission"]["election_date"]),
    }
    return render(request, "reports/briefing.html", context)


@login_required
@require_POST
def briefing_withdraw_page(request, briefing_id):
    now = timezone.now()
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
    if not briefing_may_withdraw(user=request.user, briefing=briefing):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("reports:briefing", briefing.pk)
    briefing_withdraw(
        briefing=briefing, user=request.user, now=now, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The briefing is withdrawn: the press no longer sees it."))
    return redirect("reports:briefings")


def _present_slides(briefing) -> list[dict]:
    return [
        {
            "name": chart["name"],
            "title": chart["title"],
            "figure": press_figure(
                name=chart["name"],
                arguments=chart["arguments"],
                snapshot=briefing.snapshot,
                size="slide",
                title=chart["title"],
            ),
        }
        for chart in briefing_charts(briefing=briefing)
    ]


@require_GET
def briefing_present(request, briefing_id):
    """The briefing as slides: the key messages, then one figure per slide."""
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=timezone.now())
    slides = _present_slides(briefing)
    context = {
        "briefing": briefing,
        "mission": briefing.snapshot["mission"],
        "content": briefing_content(briefing=briefing),
        "slides": slides,
        "figures": {slide["name"]: slide["figure"] for slide in slides},
        "size": SIZES["slide"],
        "slides_pdf": reverse("reports:briefing-slides", args=[briefing.pk]),
    }
    return render(request, "reports/press/present.html", context)


@require_GET
def briefing_slides(request, briefing_id):
    """The presentation as a PDF (one 16:9 page per slide), rendered once per language."""
    briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=timezone.now())
    language = request_language()
    name = stored_name(briefing, language, "slides.pdf")
    data = storage_read(name)
    if data is None:
        try:
            data = slides_pdf(briefing=briefing)
        except rendering.ChromiumUnavailable:
            return HttpResponse(rendering.INSTALL_HINT, status=503, content_type="text/plain")
        except rendering.RenderFailed:
            response = HttpResponse(
                _("The slides could not be rendered just now; try again."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "5"
            return response
        storage_write(name, data)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="briefing-{briefing.pk}-slides-{language}.pdf"'
    )
    return response


def embed_snippet(*, url: str, title: str) -> str:
    """The ``<iframe>`` a media website pastes (escaped by the template that shows it)."""
    size = SIZES[EMBED_SIZE]
    return (
        f'<iframe src="{url}" title="{title}" width="{size.width}" height="{size.height}" '
        'style="border:0;max-width:100%;aspect-ratio:'
        f'{size.width}/{size.height};height:auto" loading="lazy"></iframe>'
    )


@xframe_options_exempt
@require_GET
def briefing_embed(request, briefing_id, name):
    """One chart of a public briefing, for other websites to frame. Sessions play no part:
    what a visitor who is not logged in may read, and nothing else."""
    briefing = briefing_get(user=AnonymousUser(), briefing_id=briefing_id, now=timezone.now())
    chart = next((c for c in briefing_charts(briefing=briefing) if c["name"] == name), None)
    if chart is None:
        raise Http404
    figure = press_figure(
        name=name,
        arguments=chart["arguments"],
        snapshot=briefing.snapshot,
        size=EMBED_SIZE,
        title=chart["title"],
    )
    context = {
        "briefing": briefing,
        "chart": chart,
        "figure": figure,
        "size": SIZES[EMBED_SIZE],
        "page": request.build_absolute_uri(reverse("reports:briefing", args=[briefing.pk])),
    }
    response = render(request, "reports/press/embed.html", context)
    response["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        f"frame-ancestors {settings.EMBED_FRAME_ANCESTORS}; base-uri 'self'; "
        "form-action 'none'; object-src 'none'"
    )
    return response
