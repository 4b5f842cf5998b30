"""Platform staff's view of SMS: every message, including those of unknown numbers that no
mission's inbound number or station code ties to a mission (filter "mission: unknown")."""

from django.contrib import admin

from ..models import SmsMessage, SmsNumber


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "direction", "gateway", "sender", "recipient", "status"]
    list_filter = ["direction", "status", "gateway", "mission"]
    search_fields = ["sender", "recipient", "text", "gateway_message_id"]
    raw_id_fields = ["mission", "observer", "visit", "in_reply_to"]
    date_hierarchy = "created_at"


@admin.register(SmsNumber)
class SmsNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "mission", "created_at"]
    search_fields = ["number"]
