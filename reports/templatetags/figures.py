"""``{{ value|figure:"count" }}``: a published figure in a template, written by
``common.numbers.figure_text`` like everywhere else (kinds: share, interval, count);
``{{ share|share_figure }}`` / ``{{ share|share_figure:"interval" }}``: a
``reports.statistics.Share`` (its k of n, and its Wilson interval)."""

from django import template

from common.numbers import figure_text, share_exact

register = template.Library()


@register.filter
def figure(value, kind="count"):
    return figure_text(value, kind=kind)


@register.filter
def share_figure(share, kind="share"):
    if kind == "interval":
        return figure_text((share.low, share.high), kind="interval")
    return figure_text(share_exact(share.k, share.n), kind="share")


@register.simple_tag
def interval(low, high):
    """``{% interval low high %}``: two bounds in percent as one interval ("4.1–9.5%")."""
    if low is None or high is None:
        return figure_text(None, kind="interval")
    return figure_text((low, high), kind="interval")
