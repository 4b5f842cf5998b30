"""What was seen: checklists and their questions, visits, findings, and their revisions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from missions.models import Mission, Observer, PollingStation, Team


class Stage(models.TextChoices):
    OPENING = "OPENING", _("Opening")
    VOTING = "VOTING", _("Voting")
    CLOSING = "CLOSING", _("Closing")
    COUNTING = "COUNTING", _("Counting")
    TABULATION = "TABULATION", _("Tabulation")


class QuestionType(models.TextChoices):
    YES_NO = "YES_NO", _("Yes / no")
    INTEGER = "INTEGER", _("Number")
    CHOICE = "CHOICE", _("One choice")
    MULTI_CHOICE = "MULTI_CHOICE", _("Several choices")
    TEXT = "TEXT", _("Text")


class Assessment(models.TextChoices):
    VERY_GOOD = "VERY_GOOD", _("Very good")
    GOOD = "GOOD", _("Good")
    BAD = "BAD", _("Bad")
    VERY_BAD = "VERY_BAD", _("Very bad")


NEGATIVE_ASSESSMENTS = (Assessment.BAD, Assessment.VERY_BAD)


class VisitStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", _("Submitted")
    FLAGGED = "FLAGGED", _("Flagged for review")
    VERIFIED = "VERIFIED", _("Verified")
    REJECTED = "REJECTED", _("Rejected")


class FindingCategory(models.TextChoices):
    UNAUTHORIZED_PERSONS = "UNAUTHORIZED_PERSONS", _("Unauthorised persons present")
    SECRECY = "SECRECY", _("Secrecy of the vote")
    BALLOT_STUFFING = "BALLOT_STUFFING", _("Ballot stuffing")
    MULTIPLE_VOTING = "MULTIPLE_VOTING", _("Multiple voting")
    FAMILY_VOTING = "FAMILY_VOTING", _("Family voting")
    PRESSURE_ON_VOTERS = "PRESSURE_ON_VOTERS", _("Pressure on voters")
    CAMPAIGNING = "CAMPAIGNING", _("Campaigning")
    VOTER_LIST = "VOTER_LIST", _("Voter list problems")
    PROCEDURE = "PROCEDURE", _("Procedural violation")
    OBSERVER_RESTRICTED = "OBSERVER_RESTRICTED", _("Observers restricted")
    COUNT_IRREGULARITY = "COUNT_IRREGULARITY", _("Counting irregularity")
    PROTOCOL = "PROTOCOL", _("Protocol problems")
    OTHER = "OTHER", pgettext_lazy("finding category", "Other")


class Severity(models.TextChoices):
    MINOR = "MINOR", _("Minor")
    SERIOUS = "SERIOUS", _("Serious")
    CRITICAL = "CRITICAL", _("Critical")


class ReviewStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending review")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    DISMISSED = "DISMISSED", _("Dismissed")


class Checklist(models.Model):
    """A versioned form for one stage. Editing a checklist that has visits makes a new version."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="checklists")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    # The short word that names it at the start of an SMS report, beside its stage (an
    # alias the coordinator gives it, e.g. "V"); new versions keep it. Empty: the stage only.
    sms_keyword = models.CharField(max_length=16, blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "stage", "version"], name="checklist_version_unique"
            ),
            models.UniqueConstraint(
                fields=["mission", "sms_keyword"],
                condition=Q(is_current=True) & ~Q(sms_keyword=""),
                name="checklist_sms_keyword_unique",
            ),
            models.UniqueConstraint(
                fields=["mission", "stage"],
                condition=Q(is_current=True),
                name="checklist_one_current_per_stage",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} v{self.version}"


class Question(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=16)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    # Translations of ``text`` keyed by language code: {"ru": "...", "kk": "..."}.
    text_i18n = models.JSONField(default=dict, blank=True)
    # A hint shown under the question on the phone (what counts, where to look), and its
    # translations like ``text_i18n``.
    help = models.TextField(blank=True, default="", db_default="")
    help_i18n = models.JSONField(default=dict, blank=True, db_default={})
    type = models.CharField(max_length=16, choices=QuestionType.choices)
    required = models.BooleanField(default=False)
    # [{"value": "POLICE", "label": "Police", "label_i18n": {...}}, ...] or plain strings.
    choices = models.JSONField(default=list, blank=True)
    min = models.IntegerField(null=True, blank=True)
    max = models.IntegerField(null=True, blank=True)
    # None or {"question": "<code>", "equals": <value>}.
    show_if = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(min__isnull=True) | Q(max__isnull=True) | Q(min__lte=models.F("max")),
                name="question_min_not_above_max",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"


# What the aggregates read of a visit beside its mission, observer and arrival time.
COUNTED_COLUMNS = ["id", "station", "status", "stage", "assessment", "voters_so_far"]


class Visit(models.Model):
    """An observer's report of one polling-station visit."""

    # Indexed by visit_mission_arrived and visit_observer_arrived, which start with them.
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="visits")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    observer = models.ForeignKey(
        Observer, on_delete=models.PROTECT, related_name="visits", db_index=False
    )
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="visits")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    arrived_at = models.DateTimeField()
    departed_at = models.DateTimeField(null=True, blank=True)
    voters_so_far = models.PositiveIntegerField(null=True, blank=True)
    assessment = models.CharField(max_length=16, choices=Assessment.choices, null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=VisitStatus.choices, default=VisitStatus.SUBMITTED
    )
    # Why a visit was flagged: [{"code": "VOTERS_ABOVE_REGISTERED", "message": "..."}].
    flags = models.JSONField(default=list, blank=True)
    # The coordinator's last review (VERIFIED or REJECTED): why, and when. History is in revisions.
    review_reason = models.TextField(blank=True, db_default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Fingerprint of the submitted body, to tell a retry (same body) from a conflict.
    payload_hash = models.CharField(max_length=64, blank=True)
    # False until an incremental update counts this visit. A reconcile does not flip it: it
    # counts every visit up to the mission's ``AggregateState.visits_aggregated_through``.
    aggregated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True) | Q(departed_at__gte=models.F("arrived_at")),
                name="visit_departed_after_arrived",
            ),
        ]
        indexes = [
            # Turnout buckets: the latest report per station within an hour.
            models.Index(fields=["station", "arrived_at"], name="visit_station_arrived"),
            # Dashboards and the review queue filter the mission's visits by status and stage.
            models.Index(fields=["mission", "status", "created_at"], name="visit_mission_status"),
            models.Index(fields=["mission", "stage"], name="visit_mission_stage"),
            # Observer "my visits" and the same-team-two-places flag.
            models.Index(fields=["team", "arrived_at"], name="visit_team_arrived"),
            # Visits the aggregates have not seen: those above the mission's watermark.
            models.Index(
                fields=["mission", "id"],
                condition=Q(aggregated=False),
                name="visit_unaggregated_id",
            ),
            # The dashboard's time window and organisation filters count the visits they keep
            # from these alone (index-only scans, PostgreSQL): every column the aggregates'
            # SQL reads of a visit is included (reports.aggregates.sql.station_select).
            models.Index(
                fields=["mission", "arrived_at"],
                include=[*COUNTED_COLUMNS, "observer"],
                name="visit_mission_arrived",
            ),
            models.Index(
                fields=["observer", "arrived_at"],
                include=[*COUNTED_COLUMNS, "mission"],
                name="visit_observer_arrived",
            ),
        ]

    def __str__(self):
        return f"{self.station.code} {self.stage} {self.arrived_at:%H:%M}"


class Finding(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=32, choices=FindingCategory.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    description = models.TextField(blank=True)
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The live feed: newest serious and critical findings.
            models.Index(fields=["severity", "-created_at"], name="finding_severity_created"),
        ]

    def __str__(self):
        return f"{self.category} ({self.severity})"


def finding_photo_path(instance, filename):
    return f"findings/{instance.finding.visit.mission_id}/{uuid.uuid4().hex}"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=finding_photo_path)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    # Of the content: a phone that re-sends a photo whose answer it lost gets the same photo
    # back instead of a copy. Empty for photos stored before it was kept.
    sha256 = models.CharField(max_length=64, blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "sha256"],
                condition=~Q(sha256=""),
                name="finding_photo_content_unique",
            )
        ]

    def __str__(self):
        return f"Photo {self.pk} of finding {self.finding_id}"


class Revision(models.Model):
    """A snapshot of an object after each change, with who made it (visits and findings)."""

    number = models.PositiveIntegerField()
    data = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class VisitRevision(Revision):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="revisions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "number"], name="visit_revision_unique"),
        ]

    def __str__(self):
        return f"Visit {self.visit_id} revision {self.number}"


class FindingRevision(Revision):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="revisions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "number"], name="finding_revision_unique"),
        ]

    def __str__(self):
        return f"Finding {self.finding_id} revision {self.number}"


class DeviceToken(models.Model):
    """The API token an observer's phone carries (observation/devices.py): it acts as that
    observer in that observer's mission only. Only a hash of the key is stored; the key is
    shown once, in the QR code (or the API answer) that issues it."""

    observer = models.OneToOneField(Observer, on_delete=models.CASCADE, related_name="device_token")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the key, in hex
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return f"device token of observer {self.observer_id}"


# --- Reports by SMS (observation/sms/) ----------------------------------------------------


class SmsDirection(models.TextChoices):
    IN = "IN", _("In")
    OUT = "OUT", _("Out")


class SmsGateway(models.TextChoices):
    TWILIO = "TWILIO", _("Twilio")
    INBOUND = "INBOUND", _("Other gateway")
    SIMULATOR = "SIMULATOR", _("Simulator")


class SmsStatus(models.TextChoices):
    # An inbound message: what became of it.
    STORED = "STORED", _("Stored")
    REFUSED = "REFUSED", _("Refused")
    UNKNOWN_SENDER = "UNKNOWN_SENDER", _("Unknown sender")
    # An outbound message: the reply in the webhook's answer, or one sent through the gateway.
    REPLIED = "REPLIED", _("Replied")
    QUEUED = "QUEUED", _("Queued")
    SENT = "SENT", pgettext_lazy("SMS status", "Sent")
    FAILED = "FAILED", pgettext_lazy("SMS status", "Failed")


class SmsMessage(models.Model):
    """One SMS in or out, as coordinators read it on the mission's SMS page.

    An inbound message is kept once per gateway message id (``MessageSid``), which is what
    makes a gateway's retry harmless: it gets the reply kept with the first delivery.
    ``mission`` is empty for a message from an unknown number that no mission's inbound
    number or station code ties to a mission (platform staff read those in the admin).
    """

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, null=True, blank=True, related_name="sms_messages"
    )
    direction = models.CharField(max_length=3, choices=SmsDirection.choices)
    gateway = models.CharField(max_length=16, choices=SmsGateway.choices)
    # The gateway's id: MessageSid (Twilio), "id" (other gateways); a sent message's sid.
    gateway_message_id = models.CharField(max_length=100, blank=True)
    sender = models.CharField(max_length=64, blank=True)
    recipient = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=SmsStatus.choices)
    observer = models.ForeignKey(
        Observer, on_delete=models.SET_NULL, null=True, blank=True, related_name="sms_messages"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="sms_messages"
    )
    # A refused report: what the visit API said, ``{"field": ["message", ...]}`` (English).
    problems = models.JSONField(default=dict, blank=True)
    # A reply: the inbound message it answers.
    in_reply_to = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="reply"
    )
    language = models.CharField(max_length=8, blank=True)
    # A failed send: the gateway's error.
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_message_id"],
                condition=Q(direction="IN"),
                name="sms_inbound_once_per_gateway_id",
            ),
        ]
        indexes = [
            # The mission's SMS page: newest first.
            models.Index(fields=["mission", "-created_at", "-id"], name="sms_mission_created"),
        ]

    def __str__(self):
        return f"SMS {self.direction} {self.sender or self.recipient} {self.created_at:%H:%M}"


class SmsNumber(models.Model):
    """A number a mission receives reports on (E.164): a message sent to it belongs to the
    mission, even from an unknown sender."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="sms_numbers")
    number = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.number
