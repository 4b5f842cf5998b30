"""How the audit log shows a recorded value: text as it is, anything else as compact JSON.

The result is plain text; the template escapes it like any other value.
"""

import json

from django import template

register = template.Library()


@register.filter
def audit_value(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
