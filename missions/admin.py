from django.contrib import admin

from . import models


@admin.register(models.Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "election_date", "timezone", "registered_voters"]
    list_filter = ["country", "election_date"]
    search_fields = ["name"]


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "mission"]
    list_filter = ["mission", "level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "mission"]
    raw_id_fields = ["parent"]


@admin.register(models.PollingStation)
class PollingStationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "district", "registered_voters", "urban", "abroad"]
    list_filter = ["mission", "urban", "abroad", "region"]
    search_fields = ["code", "name"]
    list_select_related = ["region", "district"]
    raw_id_fields = ["area", "region", "district"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "mission"]
    list_filter = ["mission"]
    search_fields = ["name"]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "mission"]
    list_filter = ["mission"]
    search_fields = ["code"]


@admin.register(models.Observer)
class ObserverAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "organisation", "nationality", "role", "team"]
    list_filter = ["mission", "role", "nationality", "organisation"]
    search_fields = ["full_name", "user__username", "email"]
    list_select_related = ["user", "organisation", "team"]
    raw_id_fields = ["user", "team", "organisation"]


@admin.register(models.Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["team", "day", "area", "mission"]
    list_filter = ["mission", "day"]
    search_fields = ["team__code", "area__name"]
    raw_id_fields = ["team", "area", "stations"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "mission", "role", "created_at"]
    list_filter = ["mission", "role"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "mission"]
    list_filter = ["mission", "action", "object_type"]
    search_fields = ["object_id", "actor__username", "reason"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
