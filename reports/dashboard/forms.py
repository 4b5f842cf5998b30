"""Forms of the dashboard pages: filters, review decisions, the outline upload."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from observation.models import Stage
from reports.dashboard.selectors import DashboardFilters


class DashboardFilterForm(forms.Form):
    """GET filters; choices come from lists the page already read (no query of their own)."""

    stage = forms.ChoiceField(label=_("Stage"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    since = forms.TimeField(
        label=pgettext_lazy("start of a range of hours", "From"),
        required=False,
        widget=forms.TimeInput({"type": "time"}),
    )
    until = forms.TimeField(
        label=pgettext_lazy("end of a range of hours", "To"),
        required=False,
        widget=forms.TimeInput({"type": "time"}),
    )
    hour = forms.ChoiceField(label=_("Turnout by area at"), required=False)

    def __init__(self, data, *, mission, regions=None, organisations=None):
        """``regions`` and ``organisations`` give the choices; without them (the feed, which
        renders no form) any id is accepted: the reads are scoped to the mission anyway."""
        super().__init__(data)
        self.mission = mission
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        if regions is None:
            self.fields["region"] = forms.IntegerField(required=False)
        else:
            self.fields["region"].choices = [("", _("All regions"))] + [
                (r["id"], r["name"]) for r in regions
            ]
        if organisations is None:
            self.fields["organisation"] = forms.IntegerField(required=False)
        else:
            self.fields["organisation"].choices = [("", _("All organisations"))] + [
                (o["id"], o["name"]) for o in organisations
            ]
        self.fields["hour"].choices = [("", _("Latest hour"))] + [
            (f"{h:02d}:00", f"{h:02d}:00") for h in range(1, 25)
        ]

    def filters(self) -> DashboardFilters:
        """The valid filters; a field that does not validate is ignored, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        tz = self.mission.tzinfo
        day = self.mission.election_date

        def moment(value: dt.time | None) -> dt.datetime | None:
            return None if value is None else dt.datetime.combine(day, value, tzinfo=tz)

        return DashboardFilters(
            stage=data.get("stage") or "",
            region_id=data.get("region"),
            organisation_id=data.get("organisation"),
            since=moment(data.get("since")),
            until=moment(data.get("until")),
            hour=data.get("hour") or "",
        )

    def controls(self) -> list[dict]:
        """The fields as plain data for the template, which writes the ``<select>`` and
        ``<input>`` tags itself: Django's widget templates render every ``<option>`` through
        a template of its own, which made up most of the page's rendering time."""
        controls = []
        for name, field in self.fields.items():
            value = self.data.get(name, "") if self.is_bound else ""
            if isinstance(field, forms.ChoiceField):
                options = [
                    {"value": str(v), "label": str(label), "selected": str(v) == value}
                    for v, label in field.choices
                ]
                controls.append({"name": name, "label": field.label, "options": options})
            else:
                controls.append(
                    {"name": name, "label": field.label, "value": value, "type": "time"}
                )
        return controls


class OutlinesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file of the region outlines"),
        help_text=_(
            "A FeatureCollection of Polygon or MultiPolygon features in longitude and latitude "
            "(WGS 84), each with a property holding the region's code or name."
        ),
    )
    property = forms.CharField(
        label=_("Property with the region code or name"),
        required=False,
        max_length=100,
        help_text=_("Leave empty to try code, name, NAME_1, shapeName and similar."),
    )
