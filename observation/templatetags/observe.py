import json

from django import template

from observation.checklists.forms import condition_value_to_text
from observation.models import VisitStatus
from observation.services.visit_flags import flags_for_reader

register = template.Library()


@register.filter
def tojson(value) -> str:
    """A value as JSON, for a data- attribute (the template's autoescaping quotes it)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def condition_value(value) -> str:
    """A show_if value as the editor writes it: yes/no for booleans."""
    return condition_value_to_text(value)


@register.filter
def flag_list(flags) -> list[dict]:
    """A visit's flags as ``{"code", "message"}``, each message in the reader's language."""
    return flags_for_reader(flags)


@register.filter
def visit_status(value) -> str:
    """A visit status code ("FLAGGED") by its name in the reader's language."""
    try:
        return str(VisitStatus(value).label)
    except ValueError:
        return str(value)
