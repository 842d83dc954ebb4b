"""A signed-in reader suggests a book for the library to buy (荐购) and sees the library's answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wenyun.circulation.portal_views import reader_required
from wenyun.core.web import done

from . import forms, selectors, services


@reader_required
def suggest(request: HttpRequest, reader) -> HttpResponse:
    form = forms.SuggestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not (data["isbn"] or data["title"]):
            messages.error(request, _("Give the book's ISBN or its title."))
        elif done(
            request,
            lambda: services.suggestion_add(
                reader=reader,
                isbn=data["isbn"],
                title=data["title"],
                author=data["author"],
                note=data["note"],
            ),
            _("Thank you: the library will answer your suggestion here."),
        ):
            return redirect("portal:suggest:suggest")
    return render(
        request,
        "acquisitions/portal/suggest.html",
        {
            "title": _("Suggest a book"),
            "form": form,
            "mine": list(selectors.suggestions_of_reader(reader=reader)[:50]),
        },
    )
