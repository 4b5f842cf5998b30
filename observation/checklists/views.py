"""The checklist pages: coordinators edit, analysts read (and get a 403 on the editor),
everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from missions.access import STAFF_ROLES, coordinator_mission_for, mission_for, role_in
from missions.languages import language_name, required_languages, translation_languages
from missions.models import MemberRole

from ..models import Checklist, QuestionType
from ..observe.selectors import choice_label, question_help, question_text
from .forms import FIELD_FOR_ERROR, QuestionFormSet, formset_questions, question_initial
from .services import (
    ChecklistInvalid,
    checklist_questions,
    checklist_revise,
    checklist_translations,
    checklists_overview,
    checklists_translation_gaps,
)


def _can_edit(request, mission) -> bool:
    return role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR


@login_required
@require_GET
def checklist_list(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    checklists = checklists_overview(mission=mission)
    checklists_translation_gaps(mission=mission, checklists=checklists)
    return render(
        request,
        "observation/checklist_list.html",
        {
            "mission": mission,
            "checklists": checklists,
            "can_edit": _can_edit(request, mission),
            **_languages_context(mission),
        },
    )


def _languages_context(mission) -> dict:
    return {
        "mission_languages": [
            {"code": code, "name": language_name(code)}
            for code in translation_languages(mission=mission)
        ],
        "required_languages": [
            {"code": code, "name": language_name(code)}
            for code in required_languages(mission=mission)
        ],
    }


@login_required
@require_GET
def checklist_detail(request, mission_id, checklist_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    checklist = get_object_or_404(Checklist, pk=checklist_id, mission=mission)
    language = get_language() or "en"
    stored = checklist_questions(checklist=checklist)
    questions = [
        {
            "question": question,
            "localised": question_text(question, language),
            "help": question_help(question, language),
            "choices": [choice_label(c, language) for c in question.choices or []],
            "translations": translations,
        }
        for question, translations in zip(
            stored, checklist_translations(mission=mission, questions=stored), strict=True
        )
    ]
    return render(
        request,
        "observation/checklist_detail.html",
        {
            "mission": mission,
            "checklist": checklist,
            "questions": questions,
            "can_edit": _can_edit(request, mission) and checklist.is_current,
            **_languages_context(mission),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, mission_id, checklist_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    checklist = get_object_or_404(Checklist, pk=checklist_id, mission=mission)
    coordinator_mission_for(user=request.user, mission_id=mission.pk)  # analysts: 403
    if not checklist.is_current:
        messages.info(
            request, _("This is an old version: it is kept with its visits and cannot be edited.")
        )
        return redirect(
            "observation:checklist-detail", mission_id=mission.pk, checklist_id=checklist.pk
        )
    page_errors = []
    form_kwargs = {"mission_languages": translation_languages(mission=mission)}
    if request.method == "POST":
        formset = QuestionFormSet(request.POST, prefix="q", form_kwargs=form_kwargs)
        if formset.is_valid():
            questions, forms_in_order = formset_questions(formset)
            old_codes = {q.code for q in checklist_questions(checklist=checklist)}
            try:
                revised = checklist_revise(
                    checklist=checklist,
                    actor=request.user,
                    questions=questions,
                    now=timezone.now(),
                )
            except ChecklistInvalid as invalid:
                page_errors = _attach_errors(invalid, forms_in_order)
            else:
                if revised.pk != checklist.pk:
                    messages.success(
                        request,
                        _("Saved as version %(version)s. Visits already made keep version %(old)s.")
                        % {"version": revised.version, "old": checklist.version},
                    )
                else:
                    messages.success(request, _("Checklist saved."))
                _warn_untranslated(request, mission, revised, old_codes)
                return redirect(
                    "observation:checklist-detail", mission_id=mission.pk, checklist_id=revised.pk
                )
        else:
            page_errors = [_("Some questions need fixing: see the messages in red.")]
    else:
        formset = QuestionFormSet(
            prefix="q",
            form_kwargs=form_kwargs,
            initial=[
                {**question_initial(q), "ORDER": position}
                for position, q in enumerate(checklist_questions(checklist=checklist), start=1)
            ],
        )
    has_visits = checklist.visits.exists()
    return render(
        request,
        "observation/checklist_edit.html",
        {
            "mission": mission,
            "checklist": checklist,
            "formset": formset,
            "page_errors": page_errors,
            "has_visits": has_visits,
            "types": QuestionType.choices,
            **_languages_context(mission),
        },
        status=400 if page_errors else 200,
    )


def _warn_untranslated(request, mission, checklist: Checklist, old_codes: set) -> None:
    """After a save: a new question without a text in one of the mission's languages is said
    so at once (the observers who read those languages would get it in English)."""
    stored = checklist_questions(checklist=checklist)
    for question, translations in zip(
        stored, checklist_translations(mission=mission, questions=stored), strict=True
    ):
        if question.code not in old_codes and translations["missing"]:
            messages.warning(
                request,
                _("The new question %(code)s has no translation into %(languages)s yet.")
                % {"code": question.code, "languages": translations["missing_text"]},
            )


def _attach_errors(invalid: ChecklistInvalid, forms_in_order) -> list[str]:
    """Show each of the service's errors next to the field it is about."""
    page_errors = []
    for error in invalid.errors:
        if error.index is None or error.index >= len(forms_in_order):
            page_errors.append(error.message)
            continue
        form = forms_in_order[error.index]
        field = FIELD_FOR_ERROR.get(error.field)
        form.add_error(field, error.message)
        # Also listed at the top, so an error far down the page is not missed.
        code = form.data.get(form.add_prefix("code"), "")
        page_errors.append(
            _("Question %(number)s (%(code)s): %(message)s")
            % {"number": error.index + 1, "code": code or "?", "message": error.message}
        )
    return page_errors
