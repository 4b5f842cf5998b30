"""How the audit log shows a recorded value (``missions.audit.phrasing.shown``): text as it
is, yes/no, lists joined, anything else as compact JSON.

The result is plain text; the template escapes it like any other value.
"""

from django import template

from ..audit.phrasing import shown

register = template.Library()


@register.filter
def audit_value(value) -> str:
    return shown(value)
