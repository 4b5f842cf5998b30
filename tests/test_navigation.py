"""Every page a role may use is reachable from that role's navigation, and every page below a
mission carries the one mission navigation and a breadcrumb.

For each persona a crawler starts at the home page and follows every link to a page (an HTML
answer; files, fragments and the API are not followed), as that persona, over the small world
of ``tests/world.py``. Every link it follows must answer 200. Then:

- every page the persona may open (each route whose permission rule lets them GET it, filled
  with the world's objects, that answers an HTML page) was reached, except those in
  ``NOT_LINKED`` with the reason;
- every page reached below a mission (``/missions/<id>/...``) has the mission navigation
  (``nav.mission-nav``, whose links all answer 200) and a breadcrumb (``nav.crumbs``), except
  the wall (full screen, no navigation by design).

The routes come from the URL configuration through the permission matrix's own walk, so a new
page without a link fails here.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.test_permission_matrix import OK, ROUTES, RULES, build_url, client_for
from tests.world import world_fixture

pytestmark = pytest.mark.django_db
world = world_fixture()

PERSONAS = ("coordinator", "analyst", "observer", "press")

# Pages a persona may open that no link leads to (for every persona, or those named), each
# with the reason.
NOT_LINKED = {
    "login": (PERSONAS, "the login page: where signed-out users are sent"),
    "observation:observe-device": (PERSONAS, "opened by scanning an observer's QR code"),
    "observation:observe-index": (
        ("coordinator", "analyst", "press"),
        "the observers' start page: it lists the missions one observes, none for them",
    ),
    "reports:briefings": (
        ("observer",),
        "the public briefings: open to anyone, not a page of the observers' phone",
    ),
}
# Pages below a mission without the mission navigation, each with the reason.
WITHOUT_NAV = {
    "operations:wall": "the wall: the centre's big screen, full screen, no navigation",
}


class Links(HTMLParser):
    """The page's links, and the links inside its mission navigation and breadcrumb."""

    def __init__(self):
        super().__init__()
        self.links, self.nav_links, self.crumb_links = [], [], []
        self.navs = []  # the class of each open <nav>
        self.has_mission_nav = self.has_crumbs = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            classes = (attrs.get("class") or "").split()
            self.navs.append(classes)
            self.has_mission_nav |= "mission-nav" in classes
            self.has_crumbs |= "crumbs" in classes
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if any("mission-nav" in classes for classes in self.navs):
                self.nav_links.append(attrs["href"])
            if any("crumbs" in classes for classes in self.navs):
                self.crumb_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self.navs:
            self.navs.pop()


def route_key(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def is_page(response) -> bool:
    """A whole HTML page (not a file, not a fragment a page loads into itself)."""
    return (
        response.status_code == 200
        and not response.streaming
        and response.headers.get("Content-Type", "").startswith("text/html")
        and response.content.lstrip()[:15].lower() == b"<!doctype html>"
    )


def pages_for(world, persona) -> dict[str, str]:
    """route key -> URL of every HTML page the persona may open."""
    client = client_for(persona, world, api=False)
    pages = {}
    for route in ROUTES:
        rule = RULES.get(route.key)
        if route.is_api or rule is None or not rule.GET or rule.GET[persona] != OK:
            continue
        url = build_url(route, world)
        if is_page(client.get(url)):
            pages[route.key] = url
    return pages


def crawl(world, persona, pages):
    """Follow every link from the home page to one of ``pages``; return what each page had."""
    client = client_for(persona, world, api=False)
    seen, queue, found, problems = set(), ["/"], {}, []
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        parser = Links()
        parser.feed(response.content.decode())
        key = route_key(path)
        found.setdefault(key, (url, parser))
        for href in parser.links:
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            if parts.netloc or parts.scheme not in ("", "http"):
                continue
            if route_key(parts.path) in pages and target not in seen:
                queue.append(target)
    return found, problems


@pytest.fixture(scope="module")
def crawled(world, django_db_blocker):
    with django_db_blocker.unblock():
        result = {}
        for persona in PERSONAS:
            pages = pages_for(world, persona)
            result[persona] = (pages, *crawl(world, persona, pages))
        return result


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_a_role_follows_answers(crawled, persona):
    _pages, _found, problems = crawled[persona]

    assert problems == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_role_may_use_is_reachable_from_its_navigation(crawled, persona):
    pages, found, _problems = crawled[persona]

    unreached = {key: url for key, url in pages.items() if key not in found}

    exempt = {key for key, (personas, _reason) in NOT_LINKED.items() if persona in personas}
    assert {k: v for k, v in unreached.items() if k not in exempt} == {}


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_every_page_below_a_mission_has_the_mission_navigation_and_a_breadcrumb(
    crawled, world, persona
):
    _pages, found, _problems = crawled[persona]
    below = {
        key: (url, parser)
        for key, (url, parser) in found.items()
        if url.startswith(f"/missions/{world.mission.pk}/") and key not in WITHOUT_NAV
    }

    missing = sorted(
        key
        for key, (_url, parser) in below.items()
        if not (parser.has_mission_nav and parser.has_crumbs)
    )

    assert len(below) > 25  # the walk did reach the mission's pages
    assert missing == []


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_the_navigation_is_the_same_on_every_page_and_each_link_answers(crawled, world, persona):
    _pages, found, _problems = crawled[persona]
    client = client_for(persona, world, api=False)
    sections = {
        key: [href for href in parser.nav_links]
        for key, (_url, parser) in found.items()
        if parser.has_mission_nav
    }
    every = {href for links in sections.values() for href in links}

    answers = {href: client.get(href).status_code for href in sorted(every)}

    assert {href: code for href, code in answers.items() if code != 200} == {}
    # Official turnout was linked from nowhere: it is in the statistics section now.
    assert f"/missions/{world.mission.pk}/official-turnout/" in every


def test_analysts_are_not_offered_the_coordinators_pages(crawled, world):
    _pages, found, _problems = crawled["analyst"]
    links = {href for _url, parser in found.values() for href in parser.nav_links}

    assert f"/missions/{world.mission.pk}/messages/" not in links
    assert f"/missions/{world.mission.pk}/sms/" not in links


def test_a_detail_page_names_its_place_in_the_breadcrumb(crawled, world):
    _pages, found, _problems = crawled["coordinator"]
    url, parser = found["reports:visit"]
    mission = world.mission.pk
    station = world.objects["station"]

    assert parser.crumb_links == [
        "/",
        f"/missions/{mission}/dashboard/",
        f"/missions/{mission}/dashboard/",
        f"/missions/{mission}/dashboard/",
        f"/missions/{mission}/areas/{station.region_id}/",
        f"/missions/{mission}/areas/{station.district_id}/",
        f"/missions/{mission}/stations/{station.pk}/",
    ]
