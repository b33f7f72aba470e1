"""Saving and deleting a list page's view (its filters and sort under a name).

The bar above a list (templatetags/dealbook_saved_views.py) posts here; both answers go back
to the list: after saving, opened with the saved view; after deleting, as it was.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dealbook.core.errors import DomainError, NotFound
from dealbook.org import services as org_services
from dealbook.org.saved_views import SavedViewPage
from dealbook.web.forms import actor_of

# Page key → URL name of the list it saves.
LIST_ROUTES = {
    SavedViewPage.ACCOUNTS: "account_list",
    SavedViewPage.CONTACTS: "contact_list",
    SavedViewPage.DEALS: "pipeline_list",
}


class SavedViewForm(forms.Form):
    page = forms.ChoiceField(choices=SavedViewPage.choices)
    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=60)
    query = forms.CharField(required=False, max_length=2000)
    is_shared = forms.BooleanField(label=gettext_lazy("Share with my team"), required=False)


def _list_url(page: str, query: str = "") -> str:
    url = reverse(LIST_ROUTES[SavedViewPage(page)])
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if "page" not in request.POST or request.POST["page"] not in LIST_ROUTES:
        raise Http404
    page = request.POST["page"]
    query = request.POST.get("query", "")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label or field
            messages.error(request, f"{label}: {' '.join(errors)}")
        return HttpResponseRedirect(_list_url(page, query))
    try:
        view = org_services.saved_view_create(
            actor=actor_of(request),
            page=page,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
            is_shared=form.cleaned_data["is_shared"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_list_url(page, query))
    messages.success(request, _("Saved the view %(name)s.") % {"name": view.name})
    return HttpResponseRedirect(_list_url(page, view.query))


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    page = request.POST.get("page", "")
    if page not in LIST_ROUTES:
        raise Http404
    try:
        org_services.saved_view_delete(actor=actor_of(request), view_id=view_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The view was deleted."))
    return HttpResponseRedirect(_list_url(page, request.POST.get("query", "")))
