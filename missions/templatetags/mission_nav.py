"""The one navigation of every page below a mission, and its breadcrumb: ``{% mission_nav %}``.

The mission's pages fall into sections (election day, statistics, set-up, data); the tag shows
the sections the reader's role opens, the pages of the current section, and a breadcrumb
from "Your missions" through the mission and the section to the page. A page that is not in
the navigation itself (a visit, a sample, a checklist) names the page it belongs under in
``PARENTS`` and says what it is: ``{% mission_nav here=observer.full_name %}``; crumbs between
(an area's region, a station's district) come from a template of the page's own, rendered with
the page's context: ``{% mission_nav here=station.code trail="reports/_trails/station.html" %}``.

URL names are strings here: the missions app links to the upper apps' pages without
importing them. ``tests/test_navigation.py`` walks every page per role and holds this list
to the URL configuration.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..access import role_in
from ..models import MemberRole

register = template.Library()

STAFF = (MemberRole.COORDINATOR, MemberRole.ANALYST)
COORDINATORS = (MemberRole.COORDINATOR,)


@dataclass(frozen=True)
class Page:
    name: str  # the URL name
    label: str
    roles: tuple = STAFF
    args: tuple = ()  # URL arguments after the mission's id
    mission_arg: bool = True  # False: a page of every mission (the briefings)
    badge: bool = False  # the live count of new critical incidents

    def url(self, mission_id) -> str:
        args = (mission_id, *self.args) if self.mission_arg else self.args
        return reverse(self.name, args=args)


@dataclass(frozen=True)
class Section:
    label: str
    pages: tuple


SECTIONS = (
    Section(
        _("Election day"),
        (
            Page("reports:dashboard", _("Dashboard")),
            Page("reports:review", _("Review")),
            Page("operations:incidents", _("Incidents"), badge=True),
            Page("operations:reporting", _("Reporting status")),
            Page("operations:messages", _("Messages"), roles=COORDINATORS),
            Page("observation:sms-log", _("SMS"), roles=COORDINATORS),
            Page("operations:wall", _("Wall")),
        ),
    ),
    Section(
        _("Statistics"),
        (
            Page("statistics:statement", _("Statement")),
            Page("statistics:turnout-estimate", _("Turnout estimate")),
            Page("statistics:quick-count", _("Quick count")),
            Page("statistics:forensics", _("Forensics")),
            Page("reports:official-turnout", _("Official turnout")),
            Page("statistics:candidates", _("Candidates")),
        ),
    ),
    Section(
        _("Set-up"),
        (
            Page("missions:import", _("Import stations"), args=("stations",)),
            Page("missions:import", _("Import observers"), args=("observers",)),
            Page("missions:members", _("Members")),
            Page("missions:teams", _("Teams")),
            Page("reports:deployment", _("Plan and actual")),
            Page("missions:samples", _("Samples")),
            Page("observation:checklist-list", _("Checklists")),
            Page("observation:observer-list", _("Observers' QR codes")),
            Page("operations:reporting-settings", _("Reporting deadlines and languages")),
            Page("reports:outlines-upload", _("Region outlines")),
        ),
    ),
    Section(
        _("Data"),
        (
            Page("missions:downloads", _("Downloads")),
            Page("missions:audit", _("Audit log")),
            Page("reports:briefings", _("Briefings"), mission_arg=False),
        ),
    ),
)

# Pages outside the navigation -> the page of the navigation they belong under.
PARENTS = {
    "reports:area": "reports:dashboard",
    "reports:station": "reports:dashboard",
    "reports:visit": "reports:dashboard",
    "operations:incident": "operations:incidents",
    "missions:import-job": "missions:import",
    "missions:sample": "missions:samples",
    "observation:checklist-detail": "observation:checklist-list",
    "observation:checklist-edit": "observation:checklist-list",
    "observation:sms-cheatsheet": "observation:checklist-list",
    "observation:observer-qr": "observation:observer-list",
    "reports:device-cards": "observation:observer-list",
    "observation:sms-simulator": "observation:sms-log",
}


def _matches(page: Page, name: str, kwargs: dict, context) -> bool:
    """Whether ``page`` is the page named ``name`` (an import page: of the same kind)."""
    if page.name != name:
        return False
    if not page.args:
        return True
    kind = kwargs.get("kind") or context.get("kind")
    return kind is None or page.args[0] == kind


def sections_for(*, mission_id, role) -> list[dict]:
    """The sections and pages ``role`` opens: ``[{"label", "url", "pages": [{"label", "url",
    "badge", "page"}]}]``, each section's URL its first page's."""
    sections = []
    for section in SECTIONS:
        pages = [
            {
                "label": page.label,
                "url": page.url(mission_id),
                "badge": page.badge,
                "page": page,
            }
            for page in section.pages
            if role in page.roles
        ]
        if pages:
            sections.append({"label": section.label, "url": pages[0]["url"], "pages": pages})
    return sections


@register.simple_tag
def mission_sections(mission, role) -> list[dict]:
    """The sections a role opens, for links to a mission from outside it (the home page)."""
    return sections_for(mission_id=mission.pk, role=role)


@register.inclusion_tag("missions/_mission_nav.html", takes_context=True)
def mission_nav(context, here=None, trail=None):
    request = context["request"]
    mission = context["mission"]
    role = role_in(user=request.user, mission_id=mission.pk)
    match = request.resolver_match
    name = match.view_name if match else ""
    kwargs = match.kwargs if match else {}
    parent = PARENTS.get(name)
    wanted = parent or name

    sections = sections_for(mission_id=mission.pk, role=role)
    current, current_page = None, None
    for section in sections:
        for item in section["pages"]:
            if current_page is None and _matches(item["page"], wanted, kwargs, context):
                current_page, current = item, section
                item["current"] = parent is None
        section["current"] = section is current
    return {
        "mission": mission,
        "sections": sections,
        "section": current,
        "page": current_page,
        "is_detail": parent is not None,
        "here": here,
        # The crumbs between the page and ``here``, rendered with the page's own context.
        "trail": context.template.engine.get_template(trail).render(context) if trail else "",
        "home": sections[0]["url"] if sections else reverse("missions:home"),
    }
