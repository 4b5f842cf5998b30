"""``{{ value|figure:"count" }}``: a published figure in a template, written by
``common.numbers.figure_text`` like everywhere else (kinds: share, interval, count)."""

from django import template

from common.numbers import figure_text

register = template.Library()


@register.filter
def figure(value, kind="count"):
    return figure_text(value, kind=kind)
