"""Forms of the SMS pages: the mission's numbers and keywords, and the simulator."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from missions.phones import PhoneInvalid, phone_normalise

from .api import MAX_TEXT


class SmsSettingsForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("Numbers this mission receives SMS on"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy(
            "One or more, separated by commas. A message sent to one of them belongs to this "
            "mission, even from an unknown number."
        ),
    )

    def __init__(self, *args, mission, checklists, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.checklists = checklists
        for checklist in checklists:
            self.fields[f"keyword_{checklist.pk}"] = forms.CharField(
                label=checklist.get_stage_display(),
                required=False,
                max_length=16,
                initial=checklist.sms_keyword,
            )

    def clean_numbers(self) -> list[str]:
        numbers, problems = [], []
        for raw in re.split(r"[,;\n]+", self.cleaned_data["numbers"]):
            if not raw.strip():
                continue
            try:
                number = phone_normalise(raw, country=self.mission.country)
            except PhoneInvalid as exc:
                problems.append(str(exc))
                continue
            if number not in numbers:
                numbers.append(number)
        if problems:
            raise forms.ValidationError(problems)
        return numbers

    def keywords(self) -> dict[int, str]:
        """The keywords the form sent; a checklist whose field was not sent keeps its own."""
        return {
            c.pk: self.cleaned_data.get(f"keyword_{c.pk}") or ""
            for c in self.checklists
            if f"keyword_{c.pk}" in self.data
        }


class SimulatorForm(forms.Form):
    sender = forms.CharField(label=pgettext_lazy("sms sender", "From"), max_length=64)
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )
    at = forms.DateTimeField(
        label=gettext_lazy("Arrives at (the mission's time)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_at(self):
        """A local time of the mission (the field has no offset); None: now."""
        at = self.cleaned_data.get("at")
        if at is None:
            return None
        local = at.replace(tzinfo=None) if at.tzinfo else at
        try:
            return local.replace(tzinfo=self.mission.tzinfo)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Give a date and time.")) from None


def simulator_default_time(*, mission, now) -> dt.datetime:
    """Now on the election day; on any other day, noon of the election day (a simulated
    report must fall on the election day to be stored)."""
    local = now.astimezone(mission.tzinfo)
    if local.date() == mission.election_date:
        return local
    return dt.datetime.combine(mission.election_date, dt.time(12, 0), tzinfo=mission.tzinfo)
