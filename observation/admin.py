from django.contrib import admin

from . import models
from .sms import admin as sms_admin  # noqa: F401  (registers SmsMessage and SmsNumber)


class QuestionInline(admin.TabularInline):
    model = models.Question
    extra = 0


@admin.register(models.Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["mission", "stage", "version", "is_current", "created_at"]
    list_filter = ["mission", "stage", "is_current"]
    inlines = [QuestionInline]


@admin.register(models.Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "type", "required", "checklist"]
    list_filter = ["type", "required", "checklist__stage"]
    search_fields = ["code", "text"]


class FindingInline(admin.TabularInline):
    model = models.Finding
    extra = 0


@admin.register(models.Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["id", "station", "stage", "observer", "arrived_at", "assessment", "status"]
    # Not "aggregated": below its mission's watermark a visit is counted whatever its flag says
    # (reports.aggregates.sql.visits_unaggregated; /healthz gives the count).
    list_filter = ["mission", "stage", "status", "assessment"]
    search_fields = ["station__code", "observer__full_name", "client_uuid"]
    list_select_related = ["station", "observer"]
    raw_id_fields = ["station", "observer", "team", "checklist"]
    date_hierarchy = "arrived_at"
    inlines = [FindingInline]


@admin.register(models.Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "severity", "review_status", "visit", "created_at"]
    list_filter = ["category", "severity", "review_status", "visit__mission"]
    search_fields = ["description"]
    raw_id_fields = ["visit"]


@admin.register(models.FindingPhoto)
class FindingPhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "finding", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    raw_id_fields = ["finding"]


@admin.register(models.VisitRevision)
class VisitRevisionAdmin(admin.ModelAdmin):
    list_display = ["visit", "number", "author", "created_at"]
    search_fields = ["visit__id", "reason"]
    raw_id_fields = ["visit"]


@admin.register(models.FindingRevision)
class FindingRevisionAdmin(admin.ModelAdmin):
    list_display = ["finding", "number", "author", "created_at"]
    search_fields = ["finding__id", "reason"]
    raw_id_fields = ["finding"]
