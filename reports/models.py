"""What it means: aggregate tables, official figures, briefings.

The aggregates come in two layers, both kept by ``reports.aggregates`` (update, reconcile):

- per station (``Station*``): recomputed from the raw visits of that station, so running an
  update twice leaves the same rows;
- per area (``*Aggregate``) for the national, region and district levels: the sums of the
  station rows. An incremental update adds the difference between a station's new and old
  rows with an atomic ``INSERT ... ON CONFLICT DO UPDATE``, so concurrent workers never lose
  an update; reconciliation rebuilds both layers from the raw tables.

Area rows carry ``area_code`` and ``area_name`` so a dashboard reads them without a join.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from missions.models import Area, Mission, PollingStation
from observation.models import FindingCategory, Severity, Stage

NATIONAL_CODE = "ALL"


class AggregateLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")


class AggregateState(models.Model):
    """How fresh a mission's aggregates are."""

    mission = models.OneToOneField(
        Mission, on_delete=models.CASCADE, related_name="aggregate_state"
    )
    # When the aggregates were last brought up to date (an update or a reconcile committed).
    as_of = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    reconcile_seconds = models.FloatField(null=True, blank=True)
    # Cells a reconcile found different from what the incremental updates had left.
    reconcile_changed_cells = models.PositiveIntegerField(default=0)
    # Every visit of the mission with an id up to this one is counted (a reconcile saw them
    # all committed); above it, ``Visit.aggregated`` says. A reconcile raises this mark
    # instead of flipping the flag of every visit loaded past the pipeline.
    visits_aggregated_through = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"Aggregates of {self.mission} as of {self.as_of}"


class PendingStation(models.Model):
    """A station whose visits changed since the aggregates last included it.

    Written in the same transaction as the change (``reports.pipeline.visits_changed``), so a
    change can never be lost between the commit and the worker: if the task is never
    delivered, reconciliation finds the row. Deleted by the update that includes the change.
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    # Not a foreign key: the row must survive for as long as the change is not aggregated.
    station_id = models.BigIntegerField(unique=True)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Reconciliation and /healthz: the oldest pending change of a mission.
            models.Index(fields=["mission", "changed_at"], name="pending_mission_changed"),
        ]

    def __str__(self):
        return f"Station {self.station_id} pending since {self.changed_at}"


# The station rows are derived data, rebuilt wholesale by every reconcile: no foreign key
# constraints (checking one per inserted row doubled the time of a 100,000-visit reconcile)
# and no single-column indexes (each table's unique constraint and mission index cover them).
# Django's delete collector still removes them with their mission or station.
DERIVED = {
    "on_delete": models.CASCADE,
    "related_name": "+",
    "db_constraint": False,
    "db_index": False,
}


class StationTurnout(models.Model):
    """The latest count of ballots issued at one station within one clock hour."""

    mission = models.ForeignKey(Mission, **DERIVED)
    station = models.ForeignKey(PollingStation, **DERIVED)
    # End of the clock hour in the mission's timezone: (09:00, 10:00] is labelled 10:00.
    bucket_end = models.DateTimeField()
    voters = models.PositiveIntegerField()
    registered = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "bucket_end"], name="station_turnout_unique_bucket"
            ),
        ]
        indexes = [
            # Reconciliation rolls one mission's station rows up.
            models.Index(fields=["mission", "bucket_end"], name="station_turnout_mission"),
        ]

    def __str__(self):
        return f"Station {self.station_id} at {self.bucket_end:%H:%M}: {self.voters}"


class StationAssessment(models.Model):
    """How often visits to one station in one stage were rated each way."""

    mission = models.ForeignKey(Mission, **DERIVED)
    station = models.ForeignKey(PollingStation, **DERIVED)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    very_good = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    very_bad = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "stage"], name="station_assessment_unique_stage"
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "stage"], name="station_assessment_mission"),
        ]

    def __str__(self):
        return f"Station {self.station_id} {self.stage}"


class StationFinding(models.Model):
    """How many findings of one category and severity were reported at one station."""

    mission = models.ForeignKey(Mission, **DERIVED)
    station = models.ForeignKey(PollingStation, **DERIVED)
    category = models.CharField(max_length=32, choices=FindingCategory.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "category", "severity"], name="station_finding_unique_cell"
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "category"], name="station_finding_mission"),
        ]

    def __str__(self):
        return f"Station {self.station_id} {self.category} {self.severity}: {self.count}"


class StationCoverage(models.Model):
    """How many (not rejected) visits one station had."""

    mission = models.ForeignKey(Mission, **DERIVED)
    station = models.OneToOneField(
        PollingStation, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    visits = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["mission"], name="station_coverage_mission"),
        ]

    def __str__(self):
        return f"Station {self.station_id}: {self.visits} visits"


class AreaAggregate(models.Model):
    """Columns every per-area aggregate shares."""

    # Indexed by each table's unique constraint, which starts with the mission.
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.CharField(max_length=8, choices=AggregateLevel.choices)
    area_code = models.CharField(max_length=64)
    area_name = models.CharField(max_length=200)

    class Meta:
        abstract = True


class TurnoutAggregate(AreaAggregate):
    bucket_end = models.DateTimeField()
    stations_reporting = models.IntegerField(default=0)
    voters = models.BigIntegerField(default=0)
    registered = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "level", "area_code", "bucket_end"],
                name="turnout_aggregate_unique_cell",
            ),
        ]

    def __str__(self):
        return f"{self.area_code} at {self.bucket_end:%H:%M}: {self.voters}/{self.registered}"


class AssessmentAggregate(AreaAggregate):
    stage = models.CharField(max_length=16, choices=Stage.choices)
    very_good = models.IntegerField(default=0)
    good = models.IntegerField(default=0)
    bad = models.IntegerField(default=0)
    very_bad = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "level", "area_code", "stage"],
                name="assessment_aggregate_unique_cell",
            ),
        ]

    def __str__(self):
        return f"{self.area_code} {self.stage}"


class FindingAggregate(AreaAggregate):
    category = models.CharField(max_length=32, choices=FindingCategory.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "level", "area_code", "category", "severity"],
                name="finding_aggregate_unique_cell",
            ),
        ]

    def __str__(self):
        return f"{self.area_code} {self.category} {self.severity}: {self.count}"


class CoverageAggregate(AreaAggregate):
    stations_total = models.IntegerField(default=0)
    stations_visited = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "level", "area_code"], name="coverage_aggregate_unique_cell"
            ),
        ]

    def __str__(self):
        return f"{self.area_code}: {self.stations_visited}/{self.stations_total}"


class OfficialTurnout(models.Model):
    """Turnout the election commission announced, nationally (``area`` empty) or for an area."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="official_turnout")
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="official_turnout"
    )
    at = models.DateTimeField(help_text="When the figure stands for, e.g. 10:00 local time.")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "area", "at"],
                condition=Q(area__isnull=False),
                name="official_turnout_unique_area_time",
            ),
            models.UniqueConstraint(
                fields=["mission", "at"],
                condition=Q(area__isnull=True),
                name="official_turnout_unique_national_time",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="official_turnout_percent"
            ),
        ]
        indexes = [
            # The turnout answer lists a mission's official figures in time order.
            models.Index(fields=["mission", "at"], name="official_turnout_mission_at"),
        ]

    def __str__(self):
        return f"{self.area or 'National'} {self.at:%H:%M} {self.percent}%"


# The quick count's own questions on the COUNTING checklist: ``PVT_<candidate code>`` for each
# candidate's votes, and these two for the invalid ballots and the ballots in the box.
PVT_PREFIX = "PVT_"
PVT_INVALID = "PVT_INVALID"
PVT_BALLOTS = "PVT_BALLOTS"
RESERVED_CANDIDATE_CODES = ("INVALID", "BALLOTS")
# Question codes have at most 16 characters, four of which are the prefix.
CANDIDATE_CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,11}$"


def _candidate_code_help() -> str:
    # The example and the question's code are codes: no translator should touch them.
    return gettext("Short code, e.g. %(example)s: the counting form asks for %(question)s.") % {
        "example": "TOKAYEV",
        "question": PVT_PREFIX + "<code>",
    }


class Candidate(models.Model):
    """A candidate (or list) on the ballot; its votes are a question of the COUNTING checklist."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="candidates")
    code = models.CharField(
        max_length=12,
        validators=[
            RegexValidator(
                CANDIDATE_CODE_PATTERN,
                _("Use 1 to 12 capital letters or digits, starting with a letter."),
            )
        ],
        help_text=lazy(_candidate_code_help, str)(),
    )
    name = models.CharField(max_length=200)
    # Order on the ballot, and so on the counting form and in the charts.
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="candidate_code_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=CANDIDATE_CODE_PATTERN)
                & ~Q(code__in=RESERVED_CANDIDATE_CODES),
                name="candidate_code_form",
            ),
        ]
        indexes = [
            # The quick count lists a mission's candidates in ballot order.
            models.Index(fields=["mission", "position"], name="candidate_mission_position"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.code in RESERVED_CANDIDATE_CODES:
            raise ValidationError(
                {
                    "code": _("%(code)s is kept for the quick count's own questions.")
                    % {"code": self.code}
                }
            )


# --- briefings --------------------------------------------------------------------------------


SUMMARY_MAX = 20_000  # characters of a briefing's summary, in each language


def summary_i18n_validate(value) -> None:
    """``{"ru": "...", "kk": "..."}``: known languages other than English, text each."""
    languages = {code for code, _name in settings.LANGUAGES if code != "en"}
    if not isinstance(value, dict):
        raise ValidationError(_('Give the translations as {"ru": "...", "kk": "..."}.'))
    for code, text in value.items():
        if code not in languages:
            raise ValidationError(_("Unknown language %(code)s.") % {"code": code})
        if not isinstance(text, str):
            raise ValidationError(_("The %(code)s summary must be text.") % {"code": code})
        if len(text) > SUMMARY_MAX:
            raise ValidationError(
                _("The %(code)s text is longer than %(max)s characters.")
                % {"code": code, "max": SUMMARY_MAX}
            )


class Briefing(models.Model):
    """A published, frozen snapshot of the mission's findings for the press.

    ``snapshot`` holds everything the briefing shows, as JSON: the key figures and every
    chart's arguments (the aggregate rows it is drawn from), so later reports never change a
    published briefing. Only the withdrawal fields change after publication.
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="briefings")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField()
    # The press sees the briefing from this moment on; null means at once.
    embargo_until = models.DateTimeField(null=True, blank=True)
    # Readable without logging in (once the embargo has passed).
    public = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the aggregates the snapshot froze were last brought up to date.
    aggregates_as_of = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    # The mission's key messages (Markdown, sanitised when shown) and their translations,
    # {"ru": "...", "kk": "..."}: the reader gets theirs, else this one.
    summary = models.TextField(blank=True, default="", validators=[MaxLengthValidator(SUMMARY_MAX)])
    summary_i18n = models.JSONField(blank=True, default=dict, validators=[summary_i18n_validate])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("published_at")),
                name="briefing_withdrawn_after_published",
            ),
        ]
        indexes = [
            # A mission's briefings, newest first (coordinator list, press list).
            models.Index(fields=["mission", "-published_at"], name="briefing_mission_published"),
            # Anonymous visitors: public briefings, newest first.
            models.Index(fields=["public", "-published_at"], name="briefing_public_published"),
        ]

    def __str__(self):
        return self.title


class BriefingPackStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    BUILDING = "BUILDING", _("Building")
    READY = "READY", _("Ready")
    FAILED = "FAILED", pgettext_lazy("briefing pack status", "Failed")


class BriefingPack(models.Model):
    """The briefing pack PDF of one briefing in one language, and how far its build got.

    The Celery task that builds it writes ``done`` after every page, so the page's progress
    indicator can poll it; once ``READY``, ``file_name`` is the PDF in the default storage.
    """

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="packs")
    language = models.CharField(max_length=16)
    status = models.CharField(
        max_length=16, choices=BriefingPackStatus.choices, default=BriefingPackStatus.QUEUED
    )
    done = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "language"], name="briefing_pack_once_per_language"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="briefing_pack_done_le_total"
            ),
        ]

    def __str__(self):
        return f"Pack of {self.briefing_id} ({self.language}): {self.status}"


# --- the operations room ----------------------------------------------------------------------


class Triage(models.TextChoices):
    """The operations room's follow-up of an incident (separate from the finding's review)."""

    NEW = "NEW", pgettext_lazy("incident triage status", "New")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    FOLLOW_UP = "FOLLOW_UP", _("Follow-up")
    CLOSED = "CLOSED", _("Closed")


class IncidentTriage(models.Model):
    """Where the operations room stands on one serious or critical finding.

    A finding nobody has triaged has no row: it is ``NEW``. The row is written by the first
    triage and changed by every later one (each change is audited).
    """

    finding = models.OneToOneField(
        "observation.Finding", on_delete=models.CASCADE, primary_key=True, related_name="triage"
    )
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Triage.choices, default=Triage.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The live figures count a mission's incidents that are no longer NEW.
            models.Index(fields=["mission", "status"], name="incident_triage_mission"),
        ]

    def __str__(self):
        return f"Finding {self.finding_id}: {self.status}"


class IncidentNote(models.Model):
    """One entry of an incident's notes thread."""

    finding = models.ForeignKey(
        "observation.Finding", on_delete=models.CASCADE, related_name="incident_notes"
    )
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # An incident's thread, oldest first.
            models.Index(fields=["finding", "at"], name="incident_note_finding_at"),
        ]

    def __str__(self):
        return f"Note on finding {self.finding_id} at {self.at}"


class TeamContact(models.Model):
    """The centre contacted a team about a stage's report (a call, a message), with a note."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("missions.Team", on_delete=models.CASCADE, related_name="contacts")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    note = models.TextField(max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # The reporting status reads each team's latest contact of one stage.
            models.Index(fields=["mission", "stage", "team", "-at"], name="team_contact_latest"),
        ]

    def __str__(self):
        return f"{self.team_id} {self.stage} contacted at {self.at}"


MESSAGE_MAX_LENGTH = 1000


class ObserverMessage(models.Model):
    """A notice from the centre to the mission's observers: everyone, some regions or teams.

    The recipients are fixed when it is sent (``MessageRecipient`` rows), so an observer who
    later joins a team does not receive old notices and the read count has a fixed base.
    """

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    # Translations of ``text`` keyed by language code: {"ru": "...", "kk": "..."}.
    text_i18n = models.JSONField(default=dict, blank=True)
    # The audience as chosen: area codes and team codes (both empty: every observer).
    regions = models.JSONField(default=list, blank=True)
    teams = models.JSONField(default=list, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The coordinators' list, newest first.
            models.Index(fields=["mission", "-sent_at"], name="observer_message_mission"),
        ]

    def __str__(self):
        return f"Message {self.pk} to {self.recipients} observers"


class MessageRecipient(models.Model):
    """One observer a message went to, and when they read it."""

    message = models.ForeignKey(
        ObserverMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    observer = models.ForeignKey(
        "missions.Observer", on_delete=models.CASCADE, related_name="message_deliveries"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "observer"], name="message_recipient_once"),
        ]
        indexes = [
            # An observer's messages, newest first.
            models.Index(fields=["observer", "-message"], name="message_recipient_observer"),
        ]

    def __str__(self):
        return f"Message {self.message_id} to observer {self.observer_id}"
