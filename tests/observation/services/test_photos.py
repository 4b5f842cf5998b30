"""Finding photos: JPEG or PNG by content, 10 MB and 3 per finding at most, stored through
Django's storage, downloadable by the mission's coordinators and analysts only."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from missions.models import AuditEvent
from observation.models import FindingPhoto
from tests.observation.factories import FindingFactory, VisitFactory
from tests.world import persona_user

pytestmark = pytest.mark.django_db


def image_bytes(fmt, size=(32, 24), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def finding(observer, station):
    return FindingFactory(visit=VisitFactory(observer=observer, station=station))


def send(api, user, finding, file):
    return api.as_user(user).post(
        f"/api/v1/findings/{finding.pk}/photos/", {"image": file}, format="multipart"
    )


def test_the_observer_attaches_a_jpeg(api, observer, finding):
    content = image_bytes("JPEG")

    response = send(api, observer.user, finding, upload("booth.jpg", content))

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/jpeg"
    photo = FindingPhoto.objects.get(finding=finding)
    assert photo.size == len(content)
    with default_storage.open(photo.image.name) as stored:
        assert stored.read() == content
    assert AuditEvent.objects.filter(action="finding.photo_add").count() == 1


def test_a_png_renamed_jpg_is_stored_as_a_png(api, observer, finding):
    response = send(api, observer.user, finding, upload("booth.jpg", image_bytes("PNG")))

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"


def test_a_text_file_named_jpg_is_a_400(api, observer, finding):
    response = send(api, observer.user, finding, upload("booth.jpg", b"just some words\n" * 20))

    assert response.status_code == 400
    assert "JPEG or PNG" in response.json()["image"][0]
    assert not FindingPhoto.objects.exists()


def test_a_damaged_png_is_a_400(api, observer, finding):
    damaged = image_bytes("PNG")[:40] + b"\x00" * 200

    response = send(api, observer.user, finding, upload("booth.png", damaged, "image/png"))

    assert response.status_code == 400
    assert "damaged" in response.json()["image"][0]


def test_an_11_mb_photo_is_a_400(api, observer, finding):
    big = image_bytes("JPEG") + b"\x00" * (11 * 1024 * 1024)

    response = send(api, observer.user, finding, upload("big.jpg", big))

    assert response.status_code == 400
    assert "10 MB" in response.json()["image"][0]
    assert not FindingPhoto.objects.exists()


def test_a_photo_just_over_10_mb_is_a_400(api, observer, finding):
    big = image_bytes("JPEG") + b"\x00" * (10 * 1024 * 1024)

    response = send(api, observer.user, finding, upload("big.jpg", big))

    assert response.status_code == 400
    assert "10.0 MB" in response.json()["image"][0]
    assert not FindingPhoto.objects.exists()


def jpeg(n):
    """A JPEG of its own content for each n."""
    return upload(f"{n}.jpg", image_bytes("JPEG", color=(10 * n, 30, 30)))


def test_a_fourth_photo_is_a_400(api, observer, finding):
    for n in range(3):
        assert send(api, observer.user, finding, jpeg(n)).status_code == 201

    response = send(api, observer.user, finding, jpeg(3))

    assert response.status_code == 400
    assert "3 photos" in response.json()["image"][0]
    assert FindingPhoto.objects.filter(finding=finding).count() == 3


def test_a_photo_sent_again_is_the_same_photo_not_a_copy(api, observer, finding):
    first = send(api, observer.user, finding, jpeg(1))

    again = send(api, observer.user, finding, jpeg(1))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert FindingPhoto.objects.filter(finding=finding).count() == 1
    assert AuditEvent.objects.filter(action="finding.photo_add").count() == 1


def test_the_third_photo_sent_again_is_not_refused_as_a_fourth(api, observer, finding):
    sent = [send(api, observer.user, finding, jpeg(n)) for n in range(3)]

    again = send(api, observer.user, finding, jpeg(2))

    assert again.status_code == 200
    assert again.json()["id"] == sent[2].json()["id"]
    assert FindingPhoto.objects.filter(finding=finding).count() == 3


def test_the_same_picture_for_another_finding_is_a_new_photo(api, observer, finding):
    other = FindingFactory(visit=finding.visit)

    assert send(api, observer.user, finding, jpeg(1)).status_code == 201
    assert send(api, observer.user, other, jpeg(1)).status_code == 201
    assert FindingPhoto.objects.count() == 2


def test_a_request_without_an_image_is_a_400(api, observer, finding):
    response = api.as_user(observer.user).post(
        f"/api/v1/findings/{finding.pk}/photos/", {}, format="multipart"
    )

    assert response.status_code == 400
    assert "image" in response.json()


@pytest.mark.parametrize("persona", ["teammate", "coordinator"])
def test_the_team_and_coordinators_may_upload(api, persona, request, finding):
    user = request.getfixturevalue(persona)

    response = send(api, getattr(user, "user", user), finding, upload("a.png", image_bytes("PNG")))

    assert response.status_code == 201


def test_an_analyst_may_not_upload(api, analyst, finding):
    assert send(api, analyst, finding, upload("a.png", image_bytes("PNG"))).status_code == 403


@pytest.mark.parametrize(
    "persona", ["other_team_observer", "press", "outsider", "other_mission_coordinator"]
)
def test_everyone_else_uploading_gets_a_404(api, persona, request, finding):
    user = persona_user(request, persona)

    response = send(api, user, finding, upload("a.png", image_bytes("PNG")))

    assert response.status_code == 404
    assert not FindingPhoto.objects.exists()


# --- Download ---------------------------------------------------------------------------


@pytest.fixture
def photo(api, observer, finding):
    response = send(api, observer.user, finding, upload("a.png", image_bytes("PNG")))
    return FindingPhoto.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_coordinators_and_analysts_download_a_photo(api, persona, request, photo):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).get(f"/api/v1/photos/{photo.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image_bytes("PNG")


def test_a_browser_asking_for_images_gets_the_photo(api, coordinator, photo):
    response = api.as_user(coordinator).get(
        f"/api/v1/photos/{photo.pk}/", HTTP_ACCEPT="image/avif,image/webp,image/*"
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "persona",
    ["observer", "other_team_observer", "press", "outsider", "other_mission_coordinator"],
)
def test_nobody_else_sees_photos(api, persona, request, photo):
    user = persona_user(request, persona)

    assert api.as_user(user).get(f"/api/v1/photos/{photo.pk}/").status_code == 404


def test_a_photo_without_credentials_is_a_401(api, photo):
    api.credentials()  # forget the uploader's token

    assert api.get(f"/api/v1/photos/{photo.pk}/").status_code == 401


def test_the_visit_shows_its_photos_to_the_coordinator(api, coordinator, finding, photo):
    response = api.as_user(coordinator).get(f"/api/v1/visits/{finding.visit_id}/")

    photos = response.json()["findings"][0]["photos"]
    assert [p["url"] for p in photos] == [f"/api/v1/photos/{photo.pk}/"]
