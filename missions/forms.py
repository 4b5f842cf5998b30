"""Browser forms of the set-up pages: imports, members, teams, deployments, samples."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Area, Team
from .services import MEMBER_ROLES


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
