"""Who and where: missions, their areas and polling stations, observers, teams, roles."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name."), params={"value": value}
        )


class Mission(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    election_date = models.DateField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    polls_open = models.TimeField(default="07:00")
    polls_close = models.TimeField(default="20:00")
    registered_voters = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The local time by which each team should have sent a report of a stage, for the stages
    # the coordinator set ({"OPENING": "08:00"}); the others keep their default
    # (``reports.operations.selectors.report_due_times``).
    report_due = models.JSONField(default=dict, blank=True)
    # The mission's languages, e.g. ["en", "ru", "kk"]: the first is its observers' default.
    languages = models.JSONField(default=list, blank=True)
    # Some of ``languages`` (English, the checklists' own, never): a checklist that lacks a
    # text in one of them cannot go live (observation.checklists.services.checklist_revise).
    required_languages = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(polls_open__lt=models.F("polls_close")),
                name="mission_polls_open_before_close",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="mission_country_iso2"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Profile(models.Model):
    """What belongs to a person's account rather than to a mission: the language they read.

    ``language`` is one of ``settings.LANGUAGES`` (empty: none chosen, the browser's); the
    language switcher keeps the choice here and the observer import sets it from an
    observer's ``languages`` (missions/languages.py).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(max_length=16, blank=True, default="")

    def __str__(self):
        return f"profile of {self.user}"


class AreaLevel(models.TextChoices):
    REGION = "REGION", _("Region")
    DISTRICT = "DISTRICT", _("District")
    SUBDISTRICT = "SUBDISTRICT", _("Sub-district")


class Area(models.Model):
    """One node of the administrative hierarchy; ``parent`` nests to any depth.

    ``depth`` is 1 for regions, 2 for districts, and so on.
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(max_length=16, choices=AreaLevel.choices)
    depth = models.PositiveSmallIntegerField(default=1)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    geojson = models.JSONField(null=True, blank=True, help_text="Outline for the coverage map.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "code"], name="area_code_unique_per_mission"
            ),
            models.CheckConstraint(condition=Q(depth__gte=1), name="area_depth_positive"),
        ]
        indexes = [
            # Drill-down: the children of one area.
            models.Index(fields=["mission", "level", "parent"], name="area_mission_level_parent"),
        ]

    def __str__(self):
        return self.name


class PollingStation(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="stations")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    # The leaf area the station belongs to, plus its region and district denormalised:
    # aggregates group by them on every update, and a join up the tree each time would not do.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="stations")
    region = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    registered_voters = models.PositiveIntegerField()
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    urban = models.BooleanField(null=True, blank=True)
    abroad = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "code"], name="station_code_unique_per_mission"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
            ),
        ]
        indexes = [
            # Coverage and turnout roll-ups group stations by region and district.
            models.Index(fields=["mission", "region", "district"], name="station_mission_region"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Organisation(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "name"], name="organisation_unique_name"),
        ]

    def __str__(self):
        return self.name


class Team(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="teams")
    code = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "code"], name="team_code_unique_per_mission"
            ),
        ]

    def __str__(self):
        return self.code


class ObserverRole(models.TextChoices):
    STO = "STO", _("Short-term observer")
    LTO = "LTO", _("Long-term observer")
    CORE = "CORE", _("Core team")


class Observer(models.Model):
    """An accredited observer of one mission; logs in as ``user``."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="observers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observer_profiles"
    )
    full_name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="observers"
    )
    nationality = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    role = models.CharField(max_length=4, choices=ObserverRole.choices, default=ObserverRole.STO)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="observers"
    )
    languages = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "user"], name="observer_once_per_mission"),
            models.CheckConstraint(
                condition=Q(nationality__regex=r"^[A-Z]{2}$"), name="observer_nationality_iso2"
            ),
        ]
        indexes = [
            # Visit submission looks up the caller's observer profile by user.
            models.Index(fields=["user", "mission"], name="observer_user_mission"),
        ]

    def __str__(self):
        return self.full_name


class Deployment(models.Model):
    """A team sent to an area, or to a list of stations, on one day."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="deployments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="deployments")
    day = models.DateField()
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="deployments"
    )
    stations = models.ManyToManyField(PollingStation, blank=True, related_name="deployments")
    notes = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "day"], name="deployment_team_day"),
        ]

    def __str__(self):
        return f"{self.team} on {self.day}"


class MemberRole(models.TextChoices):
    COORDINATOR = "COORDINATOR", _("Coordinator")
    ANALYST = "ANALYST", _("Analyst")
    OBSERVER = "OBSERVER", _("Observer")
    PRESS = "PRESS", _("Press")


class Membership(models.Model):
    """A user's role in one mission. Access to everything is decided from these rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "mission"], name="membership_once_per_mission"),
        ]

    def __str__(self):
        return f"{self.user} {self.role} in {self.mission}"


class AuditEvent(models.Model):
    """Who did what to which object, with the state before and after."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            # The mission's audit log, newest first, filtered by object.
            models.Index(fields=["mission", "-at"], name="audit_mission_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type}:{self.object_id}"


class ImportKind(models.TextChoices):
    STATIONS = "STATIONS", _("Polling stations")
    OBSERVERS = "OBSERVERS", _("Observers")


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be checked")
    VALIDATING = "VALIDATING", _("Checking")
    VALID = "VALID", _("Checked: ready to import")
    INVALID = "INVALID", _("Has errors")
    IMPORTING = "IMPORTING", _("Importing")
    DONE = "DONE", _("Imported")
    FAILED = "FAILED", pgettext_lazy("import status", "Failed")


def import_file_path(instance, filename):
    extension = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    return f"imports/{instance.mission_id}/{uuid.uuid4().hex}{extension}"


class ImportJob(models.Model):
    """A spreadsheet uploaded in the browser: checked, previewed, then imported on confirmation.

    The file stays in Django storage between the two steps, so a worker can read it; large
    files are checked and imported by a Celery task while the page polls the job's status.
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    file = models.FileField(upload_to=import_file_path, blank=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0, help_text="Data rows, as first counted.")
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # {"created", "updated", "unchanged", "errors": [...], "preview": [...], ...}
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_job_progress_pct"),
        ]
        indexes = [
            # The import page lists the mission's recent jobs, newest first.
            models.Index(fields=["mission", "-created_at"], name="import_job_mission_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.pk} ({self.status})"


class Sample(models.Model):
    """A stratified random sample of polling stations, drawn once and kept with its frame.

    ``strata`` records how the frame was cut and, per stratum, its population (stations and
    registered voters in the frame) and how many stations were drawn, so estimates can be
    weighted later and anyone can redraw the same sample from the same frame and ``seed``:
    ``{"by": ["region", "urban"], "allocation": "proportional", "strata": [{"key", "region_id",
    "region_code", "region_name", "urban", "population", "registered", "sample_size"}, ...]}``.

    ``in_use`` marks the one sample the turnout estimate and the quick count read (at most one
    per mission): set when a sample is drawn while the mission's sample has no counts yet, or
    when a coordinator switches to it with a reason (``missions.sampling``).
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="samples")
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    frame_size = models.PositiveIntegerField()
    strata = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    in_use = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1) & Q(size__lte=models.F("frame_size")),
                name="sample_size_within_frame",
            ),
            models.UniqueConstraint(
                fields=["mission"], condition=Q(in_use=True), name="sample_one_in_use_per_mission"
            ),
        ]
        indexes = [
            # The mission's samples, newest first.
            models.Index(fields=["mission", "-created_at"], name="sample_mission_created"),
        ]

    def __str__(self):
        return f"Sample {self.pk} ({self.size} of {self.frame_size} stations, seed {self.seed})"


class SampleStation(models.Model):
    """One sampled station, with its stratum's population size and its design weight."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="stations")
    station = models.ForeignKey(
        PollingStation, on_delete=models.PROTECT, related_name="sample_memberships"
    )
    stratum = models.CharField(max_length=200)
    stratum_population = models.PositiveIntegerField(help_text="Stations in the stratum (N_h).")
    stratum_sample_size = models.PositiveIntegerField(help_text="Stations drawn (n_h).")
    weight = models.FloatField(help_text="N_h / n_h: how many frame stations this one stands for.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sample", "station"], name="sample_station_once"),
            models.CheckConstraint(
                condition=Q(stratum_sample_size__gte=1)
                & Q(stratum_sample_size__lte=models.F("stratum_population")),
                name="sample_station_stratum_sizes",
            ),
        ]
        indexes = [
            # Estimators read one sample's stations stratum by stratum.
            models.Index(fields=["sample", "stratum"], name="sample_station_stratum"),
        ]

    def __str__(self):
        return f"{self.station_id} in sample {self.sample_id} ({self.stratum})"
