"""Forms of the operations room's pages (the API checks the same rules in ``api.py``; both
hand the values to the same services, which hold the rules that matter)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from missions.deployment import split_list
from missions.forms import RegionOrganisationFilterForm
from missions.languages import language_name, site_languages
from missions.report_due import REPORT_STAGES, report_due_times
from observation.models import Severity, Stage

from ..models import MESSAGE_MAX_LENGTH, Triage
from .services import INCIDENT_NOTE_MAX_LENGTH, NOTE_MAX_LENGTH

STAGE_CHOICES = [(s.value, s.label) for s in Stage if s.value in REPORT_STAGES]


class ReportingFilterForm(RegionOrganisationFilterForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=STAGE_CHOICES, required=False)

    field_order = ["stage", "region", "organisation"]

    def values(self) -> dict:
        """The chosen filters; a value that does not validate is left out (as on the
        dashboard: a stale link still shows the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "stage": data.get("stage") or "OPENING",
            "region_id": data.get("region") if "region" not in self.errors else None,
            "organisation_id": data.get("organisation")
            if "organisation" not in self.errors
            else None,
        }


class ContactForm(forms.Form):
    team = forms.CharField(max_length=64)
    stage = forms.ChoiceField(choices=STAGE_CHOICES)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, strip=True)


class ReportingSettingsForm(forms.Form):
    """The due time of each stage's report, and the mission's languages."""

    languages = forms.CharField(
        label=_("Languages"),
        max_length=200,
        required=False,
        help_text=_("Language codes separated by commas, the observers' default first."),
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        current = report_due_times(mission=mission)
        for value, label in STAGE_CHOICES:
            self.fields[f"due_{value}"] = forms.TimeField(
                label=label,
                input_formats=["%H:%M"],
                required=True,
                widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
                initial=current[value],
            )
        self.fields["languages"].initial = ", ".join(mission.languages or [])
        self.fields["required_languages"] = forms.MultipleChoiceField(
            label=_("Required before a checklist goes live"),
            choices=[(code, language_name(code)) for code in site_languages() if code != "en"],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(mission.required_languages or []),
            help_text=_(
                "A checklist whose questions, help or choices lack a text in one of these "
                "languages cannot be saved (go live). Choose among the mission's languages."
            ),
        )
        self.fields["languages"].help_text = _(
            "Language codes separated by commas, the observers' default first (%(codes)s)."
        ) % {"codes": ", ".join(site_languages())}

    def report_due(self) -> dict:
        return {
            stage: self.cleaned_data[f"due_{stage}"].strftime("%H:%M")
            for stage, _label in STAGE_CHOICES
        }

    def language_list(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        return [code.strip() for code in raw.replace(";", ",").split(",") if code.strip()]


class IncidentFilterForm(forms.Form):
    triage = forms.ChoiceField(
        label=_("Triage"), choices=[("", _("Any"))] + Triage.choices, required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Any")), (Severity.CRITICAL, Severity.CRITICAL.label)]
        + [(Severity.SERIOUS, Severity.SERIOUS.label)],
        required=False,
    )
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (r["code"], r["name"]) for r in regions
        ]

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: (data.get(name) or None) if name not in self.errors else None
            for name in ("triage", "severity", "region")
        }


TRIAGE_TARGETS = [(value, label) for value, label in Triage.choices if value != Triage.NEW]


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Keep the status"))] + TRIAGE_TARGETS,
        required=False,
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=INCIDENT_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(u, u) for u in assignees]


class AcknowledgeForm(forms.Form):
    findings = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any whole numbers: the service checks they are the mission's incidents.
        values = self.data.getlist("findings") if hasattr(self.data, "getlist") else []
        self.fields["findings"].choices = [(v, v) for v in values if str(v).isdigit()][:1000]


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.CharField(
        label=_("Teams"),
        required=False,
        max_length=20000,
        help_text=_("Team codes separated by spaces or commas; leave both empty for everyone."),
    )

    def __init__(self, *args, regions=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = [(r["code"], r["name"]) for r in regions]
        self.translation_fields = []
        for code in languages[1:]:
            name = f"text_{code}"
            self.fields[name] = forms.CharField(
                label=_("Message in %(language)s") % {"language": language_name(code)},
                max_length=MESSAGE_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            )
            self.translation_fields.append((code, name))

    def text_i18n(self) -> dict:
        return {
            code: self.cleaned_data[name]
            for code, name in self.translation_fields
            if self.cleaned_data.get(name)
        }

    def team_codes(self) -> list[str]:
        return split_list(self.cleaned_data.get("teams") or "")
