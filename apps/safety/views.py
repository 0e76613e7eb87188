"""Managers' safety pages: test a message, and the phrases screening looks for."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import MANAGER_ROLES, role_required
from apps.safety import selectors, services
from apps.safety.choices import SafetyCategory
from apps.safety.forms import BuiltInSwitchOffForm, SafetyPhraseForm, TestMessageForm
from apps.safety.languages import LANGUAGES
from apps.safety.models import SafetyPhrase


@role_required(*MANAGER_ROLES)
def test_message(request: HttpRequest) -> HttpResponse:
    """Try any text: what would match, what would not count and why, and the answer the
    person would be shown. Nothing is saved."""
    form = TestMessageForm(request.POST or None)
    screening = answers = None
    if request.method == "POST" and form.is_valid():
        screening = selectors.safety_screen_text(text=form.cleaned_data["text"])
        if screening.category:
            answers = [
                (
                    module.NAME,
                    services.safety_answer(
                        category=screening.category, preferred_language=code
                    ).message,
                )
                for code, module in LANGUAGES.items()
            ]
    return render(
        request,
        "safety/test_message.html",
        {"form": form, "screening": screening, "answers": answers},
    )


@role_required(*MANAGER_ROLES)
def phrase_list(request: HttpRequest) -> HttpResponse:
    """The hospital's phrases (add, switch off or on), the built-in phrases for review
    (switching one off asks for a reason), and the log of changes."""
    form = SafetyPhraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_phrase_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Phrase added: it applies from the next inquiry.")
            return redirect("safety:phrase_list")
    return _phrase_page(request, form=form)


def _phrase_page(request: HttpRequest, *, form=None, off_form=None, status=200) -> HttpResponse:
    # One category at a time: all of them make a page of several hundred rows.
    category = request.GET.get("category", "")
    category = category if category in SafetyCategory.values else SafetyCategory.values[0]
    return render(
        request,
        "safety/phrase_list.html",
        {
            "form": form or SafetyPhraseForm(),
            "off_form": off_form,
            "phrases": selectors.safety_phrase_list(),
            "built_ins": selectors.built_in_phrase_list(category=category),
            "categories": SafetyCategory.choices,
            "category": category,
            "log": selectors.safety_phrase_log(),
        },
        status=status,
    )


@role_required(*MANAGER_ROLES)
@require_POST
def phrase_switch(request: HttpRequest, phrase_id: int) -> HttpResponse:
    """Switch one of the hospital's phrases off or back on."""
    phrase = get_object_or_404(SafetyPhrase, pk=phrase_id)
    services.safety_phrase_switch(
        actor=request.user, phrase=phrase, active=request.POST.get("active") == "1"
    )
    return redirect("safety:phrase_list")


@role_required(*MANAGER_ROLES)
@require_POST
def built_in_switch_off(request: HttpRequest) -> HttpResponse:
    """Switch a built-in phrase off, with the reason; the page again with the error when
    the reason is missing."""
    form = BuiltInSwitchOffForm(request.POST)
    if form.is_valid():
        try:
            services.built_in_phrase_switch_off(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Built-in phrase switched off; the change is logged.")
            return redirect("safety:phrase_list")
    return _phrase_page(request, off_form=form, status=400)


@role_required(*MANAGER_ROLES)
@require_POST
def built_in_switch_on(request: HttpRequest) -> HttpResponse:
    services.built_in_phrase_switch_on(actor=request.user, key=request.POST.get("key", ""))
    return redirect("safety:phrase_list")
