"""Web pages of the contacts workspace: the contacts list, a contact's page (their account,
the deals they are on, their activities), and the contact create and edit forms.

A thin skin over the customers, pipeline and activities selectors (scoped to the signed-in
user) and the customers services (policy, duplicate check, version check, audit). A contact
the user may not see is a 404, never a 403 or the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dealbook.activities import selectors as activity_selectors
from dealbook.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account, Contact
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_write, read_access
from dealbook.org.saved_views import SavedViewPage
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.web.forms import (
    actor_of,
    apply_domain_error,
    duplicate_rows,
    styled,
    submit_edit,
    visible_people,
    with_blank,
)
from dealbook.web.listing import (
    deals_card,
    filter_params,
    is_filtered,
    page_context,
    page_number,
    page_of,
    query,
    sort_query,
)
from dealbook.web.navigation import url_or_none

CONTACTS_PER_PAGE = 25
DEALS_SHOWN = 25
ACTIVITIES_SHOWN = 50
ACCOUNT_CHOICES_SHOWN = 300
SORT_CHOICES = [
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("-updated_at", _("Recently updated")),
    ("updated_at", _("Least recently updated")),
]
# Service field names → form field names (the rest are the same on both sides).
FORM_FIELDS = {"account_id": "account"}
STALE_MESSAGE = _(
    "Someone else changed this contact while you were editing it. Nothing was saved. Their "
    "changes are listed below and your values are still in the form: save again to keep yours."
)


def _refuse_without_contacts(actor: User) -> None:
    """Roles that read no contacts see no contact page (as if it did not exist)."""
    if read_access(actor.role, Entity.CONTACT) is Access.NONE:
        raise Http404


def _visible_contact(actor: User, contact_id: int) -> Contact:
    try:
        return customer_selectors.contact_get(actor=actor, contact_id=contact_id)
    except NotFound:
        raise Http404 from None


# --- the contacts list -------------------------------------------------------------------------


class ContactFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    account = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    owner = forms.TypedChoiceField(
        label=_("Account owner"), required=False, coerce=int, empty_value=None
    )
    primary = forms.BooleanField(label=_("Primary contacts only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(person.pk), str(person)) for person in people], _("Anyone")
        )
        styled(self)


def _filtered_account(actor: User, account_id: int | None) -> Account | None:
    """The account the list is narrowed to, when the user may see it."""
    if account_id is None:
        return None
    try:
        return customer_selectors.account_get(actor=actor, account_id=account_id)
    except NotFound:
        return None


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _refuse_without_contacts(actor)
    form = ContactFilterForm(request.GET, people=visible_people(actor, Entity.ACCOUNT))
    form.is_valid()  # invalid values are dropped (and shown as such); valid ones still filter
    cleaned = form.cleaned_data
    sort = cleaned.get("sort") or "name"
    account = _filtered_account(actor, cleaned.get("account"))
    filters = customer_selectors.ContactFilters(
        q=(cleaned.get("q") or "").strip(),
        account_id=cleaned.get("account"),
        owner_id=cleaned.get("owner"),
        is_primary=True if cleaned.get("primary") else None,
    )
    number = page_number(request.GET.get("page"))
    page = page_of(
        customer_selectors.contact_list(actor=actor, filters=filters, sort=sort),
        number,
        CONTACTS_PER_PAGE,
    )
    params = filter_params(request, form)
    return render(
        request,
        "web/contacts/contact_list.html",
        {
            "form": form,
            **page_context(page, number, params),
            "sort": sort,
            "account": account,
            "is_filtered": is_filtered(params),
            "saved_view_page": SavedViewPage.CONTACTS,
            "name_sort_query": sort_query(params, sort, "name"),
            "without_account_query": query(params, account=None, page=None),
        },
    )


# --- a contact's page ----------------------------------------------------------------------------


@login_required
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = actor_of(request)
    contact = _visible_contact(actor, contact_id)
    sees_activities = read_access(actor.role, Entity.ACTIVITY) is not Access.NONE
    activities = (
        list(
            activity_selectors.activity_list(
                actor=actor,
                filters=activity_selectors.ActivityFilters(contact_id=contact.pk),
            )[: ACTIVITIES_SHOWN + 1]
        )
        if sees_activities
        else []
    )
    return render(
        request,
        "web/contacts/contact_detail.html",
        {
            "contact": contact,
            "account": contact.account,
            **deals_card(actor, pipeline_selectors.DealFilters(contact_id=contact.pk), DEALS_SHOWN),
            "sees_activities": sees_activities,
            "activities": [
                {
                    "activity": activity,
                    "url": url_or_none("deal_detail", activity.deal_id)
                    if activity.deal_id
                    else None,
                }
                for activity in activities[:ACTIVITIES_SHOWN]
            ],
            "more_activities": len(activities) > ACTIVITIES_SHOWN,
            "can_edit": can_write(actor.role, Entity.CONTACT),
        },
    )


# --- create and edit ---------------------------------------------------------------------------


class ContactForm(forms.Form):
    # An account id from the choices; the service checks the user may see it.
    account = forms.IntegerField(label=_("Account"), min_value=1)
    name = forms.CharField(label=_("Name"), max_length=120)
    title = forms.CharField(label=_("Job title"), required=False, max_length=120)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Email"), required=False, max_length=200)
    wechat = forms.CharField(label=_("WeChat"), required=False, max_length=60)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    ignore_duplicates = forms.BooleanField(
        label=_("Save anyway: it is a different person"), required=False
    )

    VALUE_FIELDS = ("name", "title", "phone", "email", "wechat", "is_primary", "notes")

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].widget = forms.Select(
            choices=with_blank(
                [(str(account.pk), account.name) for account in accounts], _("— choose —")
            )
        )
        self.duplicates: list[dict[str, Any]] = []
        styled(self)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}


class ContactEditForm(ContactForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _account_choices(actor: User, chosen: Account | None) -> list[Account]:
    """Visible accounts by name for the account select, the chosen one always among them."""
    accounts = list(
        customer_selectors.account_list(actor=actor, sort="name")[:ACCOUNT_CHOICES_SHOWN]
    )
    if chosen is not None and chosen.pk not in {account.pk for account in accounts}:
        accounts.insert(0, chosen)
    return accounts


def _apply_domain_error(form: ContactForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    if isinstance(error, StaleVersion):
        form.is_stale = True  # type: ignore[attr-defined]
    apply_domain_error(form, error, names=FORM_FIELDS, stale_message=STALE_MESSAGE)


def _duplicate_warning(actor: User, form: ContactForm, exclude_id: int | None) -> None:
    """The service refused a look-alike (same email or phone): list the matches, linked
    where the user may open them, and offer to save anyway."""
    matches = customer_selectors.contact_duplicates(
        actor=actor,
        email=form.cleaned_data.get("email", ""),
        phone=form.cleaned_data.get("phone", ""),
        exclude_id=exclude_id,
    )
    visible = set(
        customer_selectors.visible_contacts(actor=actor)
        .filter(pk__in=[match.pk for match in matches])
        .values_list("pk", flat=True)
    )
    form.duplicates = duplicate_rows(
        matches, "contact_detail", lambda match: match.pk if match.pk in visible else None
    )
    form.add_error(
        None, _("A contact with the same email or phone already exists: see the list below.")
    )


def _save_error(actor: User, form: ContactForm, error: DomainError, exclude_id: int | None) -> None:
    if error.code == "duplicate":
        _duplicate_warning(actor, form, exclude_id)
    else:
        _apply_domain_error(form, error)


def _requested_account(actor: User, raw: str | None) -> Account | None:
    try:
        account_id = int(raw or "")
    except ValueError:
        return None
    try:
        return customer_selectors.account_get(actor=actor, account_id=account_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _refuse_without_contacts(actor)
    if not can_write(actor.role, Entity.CONTACT):
        return HttpResponse(_("Your role cannot change contacts."), status=403)
    account = _requested_account(actor, request.GET.get("account"))
    form = ContactForm(
        request.POST or None,
        initial={"account": account.pk if account else None},
        accounts=_account_choices(actor, account),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contact = customer_services.contact_create(
                    actor=actor,
                    account_id=form.cleaned_data["account"],
                    ignore_duplicates=form.cleaned_data["ignore_duplicates"],
                    **form.values(),
                )
            except DomainError as error:
                _save_error(actor, form, error, exclude_id=None)
            else:
                return HttpResponseRedirect(reverse("contact_detail", args=[contact.pk]))
        status = 422
    return render(
        request,
        "web/contacts/contact_form.html",
        {"form": form, "contact": None, "account": account},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        contact = customer_selectors.contact_get_for_change(actor=actor, contact_id=contact_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    initial = {name: getattr(contact, name) for name in ContactForm.VALUE_FIELDS}
    initial.update(account=contact.account_id, version=contact.version)
    form = ContactEditForm(
        request.POST or None,
        initial=initial,
        accounts=_account_choices(actor, contact.account),
    )

    def save(form: ContactEditForm) -> None:
        customer_services.contact_update(
            actor=actor,
            contact_id=contact.pk,
            version=form.cleaned_data["version"],
            values={**form.values(), "account_id": form.cleaned_data["account"]},
            ignore_duplicates=form.cleaned_data["ignore_duplicates"],
        )

    status: int | None = 200
    if request.method == "POST":
        status = submit_edit(
            form,
            save,
            actor=actor,
            record=contact,
            place_error=lambda form, error: _save_error(actor, form, error, contact.pk),
        )
        if status is None:
            return HttpResponseRedirect(reverse("contact_detail", args=[contact.pk]))
    return render(
        request,
        "web/contacts/contact_form.html",
        {"form": form, "contact": contact, "account": contact.account},
        status=status,
    )
