"""The press office's pages: the editor and its preview, the presentation, the embeddable
charts, and the summary through the API (issue 18)."""

import pytest
from django.test import Client

from missions.models import AuditEvent
from reports.charts import rendering
from reports.models import Briefing

pytestmark = pytest.mark.django_db

SUMMARY = "## Key messages\n\n- Voting was **calm**.\n\n<script>alert(1)</script>"


def logged_in(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def publish(api, coordinator, mission, **fields):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/briefings/", fields, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


# --- the summary through the API ------------------------------------------------------------


def test_the_summary_is_published_and_read_in_the_readers_language(
    api, coordinator, press, reported
):
    body = publish(
        api,
        coordinator,
        reported,
        summary=SUMMARY,
        summary_i18n={"ru": "## Главное\n\n- Спокойно.", "kk": "- Тыныш."},
    )
    url = f"/api/v1/briefings/{body['id']}/"
    client = api.as_user(press)

    english = client.get(url).json()
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()
    kazakh = client.get(url, HTTP_ACCEPT_LANGUAGE="kk").json()

    assert english["summary"] == SUMMARY
    assert "<strong>calm</strong>" in english["summary_html"]
    assert "<script" not in english["summary_html"] and "alert" not in english["summary_html"]
    assert russian["summary"] == "## Главное\n\n- Спокойно."
    assert "<h2>Главное</h2>" in russian["summary_html"]
    assert kazakh["summary"] == "- Тыныш."
    assert english["summary_i18n"] == {"ru": "## Главное\n\n- Спокойно.", "kk": "- Тыныш."}
    event = AuditEvent.objects.get(action="briefing.publish")
    assert event.after["summary"] == SUMMARY


@pytest.mark.parametrize(
    ("summary_i18n", "message"),
    [
        ({"xx": "text"}, "Unknown language xx."),
        ({"ru": "x" * 20_001}, "Ensure this field has no more than 20000 characters."),
        ("not a dict", 'Expected a dictionary of items but got type "str".'),
    ],
)
def test_a_bad_translation_is_a_400_naming_the_field(
    api, coordinator, reported, summary_i18n, message
):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{reported.pk}/briefings/",
        {"summary": "Fine", "summary_i18n": summary_i18n},
        format="json",
    )

    assert response.status_code == 400
    assert message in str(response.json()["summary_i18n"])
    assert not Briefing.objects.exists()


def test_every_chart_links_its_sizes_and_a_public_briefing_its_embed_page(
    api, coordinator, press, reported
):
    public = publish(api, coordinator, reported, public=True)
    private = publish(api, coordinator, reported)

    public_chart = api.as_user(press).get(f"/api/v1/briefings/{public['id']}/").json()["charts"][0]
    private_chart = (
        api.as_user(press).get(f"/api/v1/briefings/{private['id']}/").json()["charts"][0]
    )

    assert set(public_chart["sizes"]) == {"print", "web", "slide", "social"}
    assert public_chart["sizes"]["slide"].endswith("turnout_day.png?size=slide")
    assert public_chart["embed"] == (
        f"http://testserver/embed/briefings/{public['id']}/turnout_day/"
    )
    assert private_chart["embed"] is None


# --- the editor and its preview --------------------------------------------------------------


def test_a_coordinator_writes_and_publishes_a_briefing_with_its_translations(coordinator, reported):
    client = logged_in(coordinator)

    form = client.get("/briefings/publish/")
    response = client.post(
        "/briefings/publish/",
        {
            "mission": reported.pk,
            "title": "Statement",
            "summary": SUMMARY,
            "summary_ru": "- Спокойно.",
            "summary_kk": "  ",
        },
    )

    assert form.status_code == 200
    assert 'name="summary_ru"' in form.content.decode()
    assert 'name="summary_kk"' in form.content.decode()
    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert (briefing.summary, briefing.summary_i18n) == (SUMMARY, {"ru": "- Спокойно."})
    page = client.get(f"/briefings/{briefing.pk}/").content.decode()
    assert "<strong>calm</strong>" in page and "alert(1)" not in page
    assert client.get(f"/briefings/{briefing.pk}/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200


def test_the_preview_is_the_sanitised_rendering(coordinator, reported):
    client = logged_in(coordinator)

    response = client.post(
        "/briefings/preview/", {"text": "**calm** <img src=x onerror=alert(1)> [x](javascript:y)"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>calm</strong>" in html
    assert "onerror" not in html and "<img" not in html and "javascript:" not in html
    assert client.post("/briefings/preview/", {}).status_code == 400


@pytest.mark.parametrize("persona", ["press", "analyst", "outsider", None])
def test_only_coordinators_write_or_preview(request, reported, persona):
    user = request.getfixturevalue(persona) if persona else None
    client = logged_in(user)

    editor = client.get("/briefings/publish/")
    preview = client.post("/briefings/preview/", {"text": "x"})

    assert editor.status_code == (302 if user is None else 404)
    assert preview.status_code == (302 if user is None else 404)


# --- the presentation -------------------------------------------------------------------------


def test_the_presentation_has_a_title_slide_and_one_slide_per_chart(
    api, coordinator, press, reported
):
    body = publish(api, coordinator, reported, title="Statement", summary=SUMMARY)

    response = logged_in(press).get(f"/briefings/{body['id']}/present/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="slide') == 1 + len(body["charts"])
    assert "<strong>calm</strong>" in html and "alert(1)" not in html
    assert f"/briefings/{body['id']}/slides.pdf" in html
    assert "js/present.js" in html


def test_the_slide_pdf_is_one_16_by_9_page_per_slide(api, coordinator, press, reported):
    if not rendering.chromium_available():
        pytest.skip("Chromium is not installed")
    from io import BytesIO

    from pypdf import PdfReader

    body = publish(api, coordinator, reported, title="Statement", summary=SUMMARY)

    response = logged_in(press).get(f"/briefings/{body['id']}/slides.pdf")

    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) == 1 + len(body["charts"])
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width / height - 16 / 9) < 0.01
    assert "Key messages" in reader.pages[0].extract_text()
    assert "Turnout through the day" in reader.pages[1].extract_text()


# --- embeddable charts -------------------------------------------------------------------------


def test_a_public_briefings_chart_may_be_framed_by_other_sites(api, coordinator, reported):
    body = publish(api, coordinator, reported, public=True)

    response = Client().get(f"/embed/briefings/{body['id']}/assessments/")

    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert "Assessment of the process" in html and "Test mission observers" in html
    # Every other page stays unframeable.
    page = Client().get(f"/briefings/{body['id']}/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_briefing_that_is_not_public_has_no_embed_page_even_for_its_mission(
    api, coordinator, reported
):
    body = publish(api, coordinator, reported)

    assert (
        logged_in(coordinator).get(f"/embed/briefings/{body['id']}/assessments/").status_code == 404
    )
    assert Client().get(f"/embed/briefings/{body['id']}/nothing/").status_code == 404
