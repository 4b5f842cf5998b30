"""Browser forms of the set-up pages: imports, members, teams, deployments, samples."""

import datetime as dt
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .countries import COUNTRIES
from .languages import languages_clean, site_languages
from .models import Area, Mission, Team
from .report_due import REPORT_STAGES
from .sampling import REASON_MAX
from .selectors import AuditFilters, TeamFilters
from .services import MEMBER_ROLES


class MissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.country}, {obj.election_date:%Y-%m-%d})"


# The stages' names as the forms show them (observation.models.Stage, which this app cannot
# import, has the same labels).
STAGE_LABELS = {
    "OPENING": _("Opening"),
    "VOTING": _("Voting"),
    "CLOSING": _("Closing"),
    "COUNTING": _("Counting"),
    "TABULATION": _("Tabulation"),
}
# What an empty due time means (``missions.report_due.DEFAULT_DUE``).
DUE_HELP = {
    "OPENING": _("Empty: one hour after the polls open."),
    "VOTING": _("Empty: six hours after the polls open."),
    "CLOSING": _("Empty: half an hour after the polls close."),
    "COUNTING": _("Empty: four hours after the polls close."),
    "TABULATION": _("Empty: eight hours after the polls close."),
}


class MissionForm(forms.Form):
    """A new mission: what ``mission_create`` takes, and an earlier mission to copy from."""

    name = forms.CharField(label=pgettext_lazy("name of a mission", "Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    election_date = forms.DateField(
        label=_("Election day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    polls_open = forms.TimeField(
        label=_("Polls open"),
        initial="07:00",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    polls_close = forms.TimeField(
        label=_("Polls close"),
        initial="20:00",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    registered_voters = forms.IntegerField(
        label=_("Registered voters (if known)"), required=False, min_value=0
    )
    languages = forms.CharField(label=_("Languages"), max_length=200, required=False)
    copy_from = MissionChoiceField(
        label=_("Copy the set-up of an earlier mission"),
        queryset=Mission.objects.none(),
        required=False,
        empty_label=_("No: start from the default checklists"),
        help_text=_(
            "Its current checklists with their questions and SMS keywords, its teams (their "
            "codes) and its candidates. Finding categories are the same in every mission."
        ),
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + sorted(
            ((code, f"{name} ({code})") for code, name in COUNTRIES.items()),
            key=lambda choice: choice[1],
        )
        self.fields["timezone"].choices = [("", "—")] + [
            (name, name) for name in sorted(zoneinfo.available_timezones())
        ]
        self.fields["languages"].help_text = _(
            "Language codes separated by commas, the observers' default first (%(codes)s)."
        ) % {"codes": ", ".join(site_languages())}
        for stage in REPORT_STAGES:
            self.fields[f"due_{stage}"] = forms.TimeField(
                label=STAGE_LABELS[stage],
                required=False,
                input_formats=["%H:%M"],
                help_text=DUE_HELP[stage],
                widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            )
        self.fields["copy_from"].queryset = sources

    def election_fields(self):
        names = ("name", "country", "election_date", "timezone", "registered_voters")
        return [self[name] for name in names]

    def due_fields(self):
        return [self[f"due_{stage}"] for stage in REPORT_STAGES]

    def clean_languages(self):
        raw = self.cleaned_data.get("languages") or ""
        codes = [code.strip() for code in raw.replace(";", ",").split(",") if code.strip()]
        try:
            return languages_clean(codes)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("polls_open"), cleaned.get("polls_close")
        if opens and closes and opens >= closes:
            self.add_error("polls_close", _("The polls must close after they open."))
        return cleaned

    def mission_data(self) -> dict:
        """The fields ``mission_create`` takes."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "country": data["country"],
            "election_date": data["election_date"],
            "timezone": data["timezone"],
            "polls_open": data["polls_open"],
            "polls_close": data["polls_close"],
            "registered_voters": data["registered_voters"],
            "languages": data["languages"],
            "report_due": {
                stage: data[f"due_{stage}"].strftime("%H:%M")
                for stage in REPORT_STAGES
                if data.get(f"due_{stage}") is not None
            },
        }


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV in UTF-8, or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password (for a new account)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in MEMBER_ROLES])


class TeamCreateForm(forms.Form):
    code = forms.CharField(label=_("Team code"), max_length=64)


class RegionOrganisationFilterForm(forms.Form):
    """A page's region and organisation filters (GET), their choices the mission's own."""

    region = forms.TypedChoiceField(label=_("Region"), coerce=int, required=False, empty_value=None)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, regions=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (r["id"], r["name"]) for r in regions
        ]
        self.fields["organisation"].choices = [("", _("All organisations"))] + [
            (o["id"], o["name"]) for o in organisations
        ]


class TeamFilterForm(RegionOrganisationFilterForm):
    """The teams page's search and filters (GET). A value that does not validate (a stale link,
    another mission's region) filters nothing, as on the dashboard."""

    field_order = ["q", "region", "organisation"]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Team code or observer's name")}
        ),
    )

    def filters(self) -> TeamFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return TeamFilters(
            search=data.get("q") or "",
            region_id=data.get("region"),
            organisation_id=data.get("organisation"),
        )


class MissionTeamField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.code


class TeamAssignForm(forms.Form):
    team = MissionTeamField(label=_("Team"), queryset=Team.objects.none())
    usernames = forms.CharField(
        label=_("Observers' usernames (one per line, or separated by commas)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(mission=mission).order_by("code", "id")


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"— {obj.name}" if obj.depth > 1 else obj.name


class DeploymentForm(forms.Form):
    team = MissionTeamField(label=_("Team"), queryset=Team.objects.none())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    area = AreaField(label=_("Area"), queryset=Area.objects.none(), required=False)
    stations = forms.CharField(
        label=_("Or polling stations' codes (one per line, or separated by commas)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)

    def __init__(self, *args, mission, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(mission=mission).order_by("code", "id")
        self.fields["area"].queryset = Area.objects.filter(mission=mission, depth__lte=2)
        # Regions each followed by their districts, without a query per option.
        self.fields["area"].choices = [("", "—")] + [
            (area.pk, self.fields["area"].label_from_instance(area)) for area in areas
        ]
        self.initial.setdefault("day", mission.election_date)


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("Stations to draw"), min_value=1)
    seed = forms.IntegerField(
        label=_("Seed (leave empty for a random one; the same seed redraws the same sample)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
    )


class SampleUseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the estimates use this sample?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AuditMomentField(forms.CharField):
    """A date (the whole day in the mission's timezone) or an ISO 8601 time with an offset."""

    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(required=False, max_length=40, strip=True, **kwargs)

    def moment(self, value: str, tzinfo) -> dt.datetime | None:
        try:
            return self._moment(value, tzinfo)
        except OverflowError:  # 9999-12-31 as an end: the day after it does not exist
            raise forms.ValidationError(
                _("Give a date (2022-11-20) or a time with its offset (2022-11-20T10:05+06:00).")
            ) from None

    def _moment(self, value: str, tzinfo) -> dt.datetime | None:
        if not value:
            return None
        if len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                day = None
            if day is not None:
                if self.end:
                    day += dt.timedelta(days=1)
                return dt.datetime.combine(day, dt.time(0), tzinfo=tzinfo)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                _("Give a date (2022-11-20) or a time with its offset (2022-11-20T10:05+06:00).")
            ) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Give the time with its offset, as in +06:00."))
        # The filter's end is exclusive; a time given as the end is meant to be included.
        return moment + dt.timedelta(microseconds=1) if self.end else moment


class AuditFilterForm(forms.Form):
    """Narrows the audit log (page and API alike). Dates are days in the mission's timezone:
    ``from`` includes its whole day and so does ``to``."""

    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)

    def __init__(self, data=None, *, mission, **kwargs):
        super().__init__(data, **kwargs)
        self.mission = mission
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = AuditMomentField(
            end=False,
            label=pgettext_lazy("start of a range of days", "From"),
            widget=forms.DateInput(attrs={"type": "date"}),
        )
        self.fields["to"] = AuditMomentField(
            end=True,
            label=pgettext_lazy("end of a range of days", "To"),
            widget=forms.DateInput(attrs={"type": "date"}),
        )

    def clean(self):
        cleaned = super().clean()
        tzinfo = self.mission.tzinfo
        for name in ("from", "to"):
            if name in cleaned:
                try:
                    cleaned[name] = self.fields[name].moment(cleaned[name], tzinfo)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        since, until = cleaned.get("from"), cleaned.get("to")
        if since is not None and until is not None and until <= since:
            self.add_error("to", _("The end comes before the start."))
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters the valid fields give; a field with an error filters nothing."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return AuditFilters(
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            actor=data.get("actor") or "",
            since=data.get("from"),
            until=data.get("to"),
        )
