"""The checklist editor's form: one row per question, reordered and deleted in a formset.

The form only turns text into Python values; the rules (unique codes, conditions, bounds,
choices) are checked by ``observation.checklists.checklist_questions_clean``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.parsing import yes_no

from ..models import QuestionType
from .services import CHOICE_TYPES, CODE_MAX, TEXT_MAX


def choices_to_text(choices) -> str:
    """Stored choices as editor lines: ``VALUE`` or ``VALUE | English | Russian | Kazakh``."""
    lines = []
    for choice in choices:
        if isinstance(choice, dict):
            i18n = choice.get("label_i18n") or {}
            parts = [
                choice["value"],
                choice.get("label") or "",
                i18n.get("ru", ""),
                i18n.get("kk", ""),
            ]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        else:
            lines.append(choice)
    return "\n".join(lines)


def text_to_choices(text: str) -> list:
    choices = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            choices.append(parts[0])
            continue
        parts += [""] * (4 - len(parts))
        value, label, ru, kk = parts[:4]
        choices.append(
            {
                "value": value,
                "label": label or value,
                "label_i18n": {k: v for k, v in (("ru", ru), ("kk", kk)) if v},
            }
        )
    return choices


def parse_condition_value(raw: str, target_type: str | None):
    """The typed value of "show only if ... equals <raw>", after the target question's type."""
    raw = (raw or "").strip()
    if target_type == QuestionType.YES_NO:
        answer = yes_no(raw)
        return raw if answer is None else answer
    if target_type == QuestionType.INTEGER:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def condition_value_to_text(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


class QuestionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX)
    text = forms.CharField(label=_("Question (English)"), max_length=TEXT_MAX)
    text_ru = forms.CharField(label=_("Russian"), max_length=TEXT_MAX, required=False)
    text_kk = forms.CharField(label=_("Kazakh"), max_length=TEXT_MAX, required=False)
    type = forms.ChoiceField(label=_("Answer type"), choices=QuestionType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: VALUE, or VALUE | English | Russian | Kazakh labels."),
    )
    min = forms.IntegerField(label=_("Minimum"), required=False)
    max = forms.IntegerField(label=_("Maximum"), required=False)
    show_if_question = forms.CharField(
        label=_("Show only if question"),
        max_length=CODE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"list": "question-codes", "autocomplete": "off"}),
    )
    show_if_equals = forms.CharField(label=_("equals"), max_length=200, required=False)

    def spec(self, types_by_code: dict) -> dict:
        """The question as ``checklist_revise`` takes it."""
        data = self.cleaned_data
        type_ = data["type"]
        show_if = None
        if data["show_if_question"].strip():
            target = data["show_if_question"].strip()
            show_if = {
                "question": target,
                "equals": parse_condition_value(data["show_if_equals"], types_by_code.get(target)),
            }
        return {
            "code": data["code"].strip(),
            "text": data["text"].strip(),
            "text_i18n": {"ru": data["text_ru"], "kk": data["text_kk"]},
            "type": type_,
            "required": data["required"],
            # A question switched to another type keeps no stale choices or bounds.
            "choices": text_to_choices(data["choices"]) if type_ in CHOICE_TYPES else [],
            "min": data["min"] if type_ == QuestionType.INTEGER else None,
            "max": data["max"] if type_ == QuestionType.INTEGER else None,
            "show_if": show_if,
        }


def question_initial(question) -> dict:
    show_if = question.show_if or {}
    return {
        "code": question.code,
        "text": question.text,
        "text_ru": (question.text_i18n or {}).get("ru", ""),
        "text_kk": (question.text_i18n or {}).get("kk", ""),
        "type": question.type,
        "required": question.required,
        "choices": choices_to_text(question.choices or []),
        "min": question.min,
        "max": question.max,
        "show_if_question": show_if.get("question", ""),
        "show_if_equals": condition_value_to_text(show_if.get("equals")),
    }


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, can_order=True, can_delete=True, max_num=200, absolute_max=200
)

# Where a service error about a question's field is shown in its row.
FIELD_FOR_ERROR = {
    "code": "code",
    "text": "text",
    "text_i18n": "text_ru",
    "type": "type",
    "choices": "choices",
    "min": "min",
    "max": "max",
    "show_if": "show_if_question",
}


def formset_questions(formset) -> tuple[list[dict], list]:
    """The questions of a valid formset in their new order, and the form of each."""
    forms_in_order = list(formset.ordered_forms)
    types_by_code = {
        form.cleaned_data["code"].strip(): form.cleaned_data["type"] for form in forms_in_order
    }
    return [form.spec(types_by_code) for form in forms_in_order], forms_in_order
