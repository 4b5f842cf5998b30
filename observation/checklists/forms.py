"""The checklist editor's form: one row per question, reordered and deleted in a formset.

The form only turns text into Python values; the rules (unique codes, conditions, bounds,
choices) are checked by ``observation.checklists.checklist_questions_clean``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.parsing import yes_no
from missions.languages import language_name, site_languages

from ..models import QuestionType
from .services import CHOICE_TYPES, CODE_MAX, HELP_MAX, TEXT_MAX

# Translations written positionally after the English label, before labels were keyed by
# language ("VALUE | English | Russian | Kazakh"): still read.
POSITIONAL_LANGUAGES = ("ru", "kk")


def translated_languages() -> list[str]:
    """The languages a checklist text can be translated into: the site's but English."""
    return [code for code in site_languages() if code != "en"]


def field_suffix(language: str) -> str:
    return language.replace("-", "_")  # zh-hans -> text_zh_hans


def choices_to_text(choices) -> str:
    """Stored choices as editor lines: ``VALUE`` or ``VALUE | English | ru=… | kk=…``."""
    lines = []
    for choice in choices:
        if isinstance(choice, dict):
            i18n = choice.get("label_i18n") or {}
            parts = [choice["value"], choice.get("label") or ""]
            parts += [f"{code}={i18n[code]}" for code in translated_languages() if i18n.get(code)]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        else:
            lines.append(choice)
    return "\n".join(lines)


def text_to_choices(text: str) -> list:
    known = translated_languages()
    choices = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            choices.append(parts[0])
            continue
        value, label, rest = parts[0], parts[1], parts[2:]
        label_i18n = {}
        for position, part in enumerate(rest):
            code, sep, translated = part.partition("=")
            if sep and code.strip().lower() in known:
                label_i18n[code.strip().lower()] = translated.strip()
            elif part and position < len(POSITIONAL_LANGUAGES):
                label_i18n[POSITIONAL_LANGUAGES[position]] = part
        choices.append(
            {
                "value": value,
                "label": label or value,
                "label_i18n": {k: v for k, v in label_i18n.items() if v},
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
    """One question. Its text and help in English, then in each language the site speaks
    (``text_ru``, ``help_ru``, ... ``text_zh_hans``); the page shows the mission's languages
    first and the others folded away, so no stored translation is lost on save."""

    code = forms.CharField(label=_("Code"), max_length=CODE_MAX)
    text = forms.CharField(label=_("Question (English)"), max_length=TEXT_MAX)
    help = forms.CharField(
        label=_("Help (English)"),
        max_length=HELP_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    type = forms.ChoiceField(label=_("Answer type"), choices=QuestionType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: VALUE, or VALUE | English label | ru=Russian label | fr=French "
            "label ... (a language code, an equals sign and the label)."
        ),
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

    def __init__(self, *args, mission_languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mission_languages = [c for c in mission_languages if c in translated_languages()]
        for code in translated_languages():
            suffix = field_suffix(code)
            self.fields[f"text_{suffix}"] = forms.CharField(
                label=language_name(code), max_length=TEXT_MAX, required=False
            )
            self.fields[f"help_{suffix}"] = forms.CharField(
                label=language_name(code),
                max_length=HELP_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for name in (f"text_{suffix}", f"help_{suffix}"):
                self.fields[name].widget.attrs.update({"lang": code, "dir": "auto"})

    def translation_rows(self) -> list[dict]:
        """The translation fields, the mission's languages first: ``{"code", "name", "text",
        "help", "mission"}`` with the bound fields."""
        order = self.mission_languages + [
            c for c in translated_languages() if c not in self.mission_languages
        ]
        return [
            {
                "code": code,
                "name": language_name(code),
                "text": self[f"text_{field_suffix(code)}"],
                "help": self[f"help_{field_suffix(code)}"],
                "mission": code in self.mission_languages,
            }
            for code in order
        ]

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
        languages = translated_languages()
        return {
            "code": data["code"].strip(),
            "text": data["text"].strip(),
            "text_i18n": {c: data[f"text_{field_suffix(c)}"] for c in languages},
            "help": data["help"].strip(),
            "help_i18n": {c: data[f"help_{field_suffix(c)}"] for c in languages},
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
    initial = {
        "code": question.code,
        "text": question.text,
        "help": question.help,
        "type": question.type,
        "required": question.required,
        "choices": choices_to_text(question.choices or []),
        "min": question.min,
        "max": question.max,
        "show_if_question": show_if.get("question", ""),
        "show_if_equals": condition_value_to_text(show_if.get("equals")),
    }
    for code in translated_languages():
        initial[f"text_{field_suffix(code)}"] = (question.text_i18n or {}).get(code, "")
        initial[f"help_{field_suffix(code)}"] = (question.help_i18n or {}).get(code, "")
    return initial


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, can_order=True, can_delete=True, max_num=200, absolute_max=200
)

# Where a service error about a question's field is shown in its row (translations: under
# the English text, which the translation fields follow).
FIELD_FOR_ERROR = {
    "code": "code",
    "text": "text",
    "text_i18n": "text",
    "help": "help",
    "help_i18n": "help",
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
