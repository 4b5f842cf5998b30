"""Forms of review: a verdict on a visit or a finding, with its reason."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from observation.models import ReviewStatus, VisitStatus


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea({"rows": 2}), required=True
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class VisitReviewForm(ReviewForm):
    status = forms.ChoiceField(
        choices=[
            (VisitStatus.VERIFIED, _("Verify")),
            (VisitStatus.REJECTED, _("Reject")),
        ]
    )


class FindingReviewForm(ReviewForm):
    status = forms.ChoiceField(
        choices=[
            (ReviewStatus.CONFIRMED, _("Confirm")),
            (ReviewStatus.DISMISSED, pgettext_lazy("verdict on a finding", "Dismiss")),
        ]
    )
