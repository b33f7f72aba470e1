"""Web pages of the customers workspace: the accounts list, an account's 360° page with its
quick "log a call / visit / note / task" form, and the account create and edit forms.

A thin skin: reads go through the customers, pipeline and activities selectors (scoped to the
signed-in user), writes through their services (policy, version check, audit). A record the
user may not see is a 404, never a 403 or the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dealbook.activities import selectors as activity_selectors
from dealbook.activities import services as activity_services
from dealbook.activities.enums import ActivityKind
from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.customers.enums import CompanySize, Industry, LifecycleStage, Source
from dealbook.customers.models import Account
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_write, read_access
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.web.forms import (
    actor_of,
    apply_domain_error,
    blank_owner_label,
    duplicate_rows,
    owner_choices,
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
    sort_query,
)
from dealbook.web.navigation import url_or_none

ACCOUNTS_PER_PAGE = 25
CONTACTS_SHOWN = 50
DEALS_SHOWN = 25
TIMELINE_ENTRIES = 50
TASK_DUE_TIME = dt.time(18, 0)  # a task due "on a day" is due by the end of its working day
LOG_KINDS = (ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.NOTE, ActivityKind.TASK)
SORT_CHOICES = [
    ("-updated_at", _("Recently updated")),
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("last_activity_at", _("Longest without contact")),
    ("-last_activity_at", _("Latest contact")),
    ("-created_at", _("Newest")),
]
# Service field names → form field names (the rest are the same on both sides).
FORM_FIELDS = {"owner_id": "owner", "contact_id": "contact", "due_at": "due_date"}


def _people(actor: User) -> list[User]:
    """The owner choices of the filters and of the account form."""
    return visible_people(actor, Entity.ACCOUNT)


def _visible_account(actor: User, account_id: int) -> Account:
    try:
        return customer_selectors.account_get(actor=actor, account_id=account_id)
    except NotFound:
        raise Http404 from None


STALE_MESSAGE = _(
    "Someone else changed this account while you were editing it. Nothing was "
    "saved. Their changes are listed below and your values are still in the form: "
    "save again to keep yours."
)


def _apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    apply_domain_error(form, error, names=FORM_FIELDS, stale_message=STALE_MESSAGE)


# --- the accounts list -------------------------------------------------------------------------


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    industry = forms.ChoiceField(
        label=_("Industry"),
        required=False,
        choices=with_blank(Industry.choices, _("Any industry")),
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=with_blank(LifecycleStage.choices, _("Any stage")),
    )
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=with_blank(CompanySize.choices, _("Any size"))
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=with_blank(Source.choices, _("Any source"))
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=60)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    idle = forms.IntegerField(
        label=_("No contact for (days)"), required=False, min_value=1, max_value=3650
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(person.pk), str(person)) for person in people], _("Anyone")
        )
        styled(self)


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = AccountFilterForm(request.GET, people=_people(actor))
    form.is_valid()  # invalid values are dropped (and shown as such); valid ones still filter
    cleaned = form.cleaned_data
    sort = cleaned.get("sort") or "-updated_at"
    filters = customer_selectors.AccountFilters(
        q=(cleaned.get("q") or "").strip(),
        owner_id=cleaned.get("owner"),
        industry=cleaned.get("industry") or "",
        region=(cleaned.get("region") or "").strip(),
        size=cleaned.get("size") or "",
        source=cleaned.get("source") or "",
        lifecycle_stage=cleaned.get("lifecycle_stage") or "",
        tag=(cleaned.get("tag") or "").strip(),
        idle_days=cleaned.get("idle"),
    )
    number = page_number(request.GET.get("page"))
    page = page_of(
        customer_selectors.account_list(actor=actor, filters=filters, sort=sort),
        number,
        ACCOUNTS_PER_PAGE,
    )
    params = filter_params(request, form)
    return render(
        request,
        "web/customers/account_list.html",
        {
            "form": form,
            **page_context(page, number, params),
            "sort": sort,
            "is_filtered": is_filtered(params),
            # Column headers sort by their column, a second click the other way round.
            "name_sort_query": sort_query(params, sort, "name"),
            "contact_sort_query": sort_query(params, sort, "last_activity_at"),
            "can_create": can_write(actor.role, Entity.ACCOUNT),
        },
    )


# --- the account page and its quick log form ------------------------------------------------


class LogForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(kind.value, kind.label) for kind in LOG_KINDS],
        initial=ActivityKind.CALL.value,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact = forms.TypedChoiceField(
        label=_("Contact"), required=False, coerce=int, empty_value=None
    )
    due_date = forms.DateField(
        label=_("Due (tasks)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, contacts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(contact.pk), str(contact)) for contact in contacts], _("— none —")
        )
        styled(self)

    def due_at(self) -> dt.datetime | None:
        """A task's due day at the end of the working day, in the organisation's zone."""
        day = self.cleaned_data.get("due_date")
        if self.cleaned_data.get("kind") != ActivityKind.TASK or day is None:
            return None
        return dt.datetime.combine(day, TASK_DUE_TIME, timezone.get_current_timezone())


def _account_contacts(actor: User, account: Account) -> list[Any]:
    if read_access(actor.role, Entity.CONTACT) is Access.NONE:
        return []
    contacts = customer_selectors.contact_list(
        actor=actor, filters=customer_selectors.ContactFilters(account_id=account.pk)
    )
    return list(contacts[: CONTACTS_SHOWN + 1])


def _timeline(actor: User, account: Account, new_activity_id: int | None = None) -> dict:
    entries = activity_selectors.account_timeline(
        actor=actor, account_id=account.pk, limit=TIMELINE_ENTRIES
    )
    return {
        "account": account,
        "new_activity_id": new_activity_id,
        "entries": [
            {
                "entry": entry,
                "url": url_or_none("deal_detail", entry.object_id)
                if entry.object_type == "deal"
                else None,
                "is_new": entry.kind == "activity" and entry.object_id == new_activity_id,
            }
            for entry in entries
        ],
    }


def _detail_context(
    request: HttpRequest, account: Account, contacts: list[Any], log_form: LogForm
) -> dict:
    actor = actor_of(request)
    return {
        "account": account,
        "tags": sorted(tag.name for tag in account.tags.all()),
        "contacts": contacts[:CONTACTS_SHOWN],
        "more_contacts": len(contacts) > CONTACTS_SHOWN,
        "sees_contacts": read_access(actor.role, Entity.CONTACT) is not Access.NONE,
        **deals_card(actor, pipeline_selectors.DealFilters(account_id=account.pk), DEALS_SHOWN),
        "log_form": log_form,
        "can_log": can_write(actor.role, Entity.ACTIVITY),
        "can_edit": can_write(actor.role, Entity.ACCOUNT),
        "timeline": _timeline(actor, account),
    }


@login_required
@require_GET
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = _visible_account(actor, account_id)
    contacts = _account_contacts(actor, account)
    context = _detail_context(request, account, contacts, LogForm(contacts=contacts))
    return render(request, "web/customers/account_detail.html", context)


@login_required
@require_POST
def account_log(request: HttpRequest, account_id: int) -> HttpResponse:
    """Log a call, visit, note or task at the account. From htmx: the fresh form, and the
    timeline with the new entry swapped in out of band (no page load); 422 with the form
    and its errors when invalid. Without htmx: back to the account page."""
    actor = actor_of(request)
    account = _visible_account(actor, account_id)
    contacts = _account_contacts(actor, account)
    form = LogForm(request.POST, contacts=contacts)
    activity = None
    if form.is_valid():
        try:
            activity = activity_services.activity_log(
                actor=actor,
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                account_id=account.pk,
                contact_id=form.cleaned_data["contact"],
                due_at=form.due_at(),
            )
        except PermissionDenied as refused:
            return HttpResponse(refused.message, status=403)
        except DomainError as error:
            _apply_domain_error(form, error)
    is_htmx = request.headers.get("HX-Request") == "true"
    if activity is None:
        if is_htmx:
            context = {"account": account, "log_form": form}
            return render(request, "web/customers/partials/log_form.html", context, status=422)
        context = _detail_context(request, account, contacts, form)
        return render(request, "web/customers/account_detail.html", context, status=422)
    if not is_htmx:
        return HttpResponseRedirect(reverse("account_detail", args=[account.pk]) + "#timeline")
    return render(
        request,
        "web/customers/partials/log_done.html",
        {
            "account": account,
            "log_form": LogForm(contacts=contacts),
            "logged": activity,
            "timeline": _timeline(actor, account, new_activity_id=activity.pk),
        },
    )


# --- create and edit ---------------------------------------------------------------------------


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=with_blank(Industry.choices, "—")
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Stage"), choices=LifecycleStage.choices, initial=LifecycleStage.PROSPECT
    )
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=with_blank(CompanySize.choices, "—")
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=with_blank(Source.choices, "—")
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=60)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    ignore_duplicates = forms.BooleanField(
        label=_("Save anyway: it is a different company"), required=False
    )

    VALUE_FIELDS = (
        "name",
        "industry",
        "lifecycle_stage",
        "size",
        "source",
        "region",
        "phone",
        "website",
        "address",
        "description",
    )

    def __init__(self, *args: Any, people: list[User], blank_owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(person.pk), str(person)) for person in people], blank_owner
        )
        self.duplicates: list[customer_selectors.DuplicateMatch] = []
        styled(self)

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}


class AccountEditForm(AccountForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _duplicate_warning(
    actor: User, form: AccountForm, error: DomainError, exclude_id: int | None
) -> None:
    """The service refused a look-alike: list the matches (linked where visible) and offer
    to save anyway."""
    form.duplicates = customer_selectors.account_duplicates(
        actor=actor,
        name=form.cleaned_data.get("name", ""),
        phone=form.cleaned_data.get("phone", ""),
        exclude_id=exclude_id,
    )
    field = error.field if error.field in form.fields else None
    form.add_error(
        field,
        _("An account with the same name or phone already exists: see the list above."),
    )


def _save_error(actor: User, form: AccountForm, error: DomainError, exclude_id: int | None) -> None:
    if error.code == "duplicate":
        _duplicate_warning(actor, form, error, exclude_id)
    else:
        _apply_domain_error(form, error)


def _duplicate_rows(form: AccountForm) -> list[dict]:
    return duplicate_rows(
        form.duplicates, "account_detail", lambda match: match.id if match.is_visible else None
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_write(actor.role, Entity.ACCOUNT):
        return HttpResponse(_("Your role cannot create accounts."), status=403)
    people = _people(actor)
    form = AccountForm(request.POST or None, people=people, blank_owner=_("Me"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                account = customer_services.account_create(
                    actor=actor,
                    owner_id=form.cleaned_data["owner"],
                    tags=form.tag_names(),
                    ignore_duplicates=form.cleaned_data["ignore_duplicates"],
                    **form.values(),
                )
            except DomainError as error:
                _save_error(actor, form, error, exclude_id=None)
            else:
                return HttpResponseRedirect(reverse("account_detail", args=[account.pk]))
        status = 422
    return render(
        request,
        "web/customers/account_form.html",
        {"form": form, "account": None, "duplicates": _duplicate_rows(form)},
        status=status,
    )


def _edit_initial(account: Account) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(account, name) for name in AccountForm.VALUE_FIELDS}
    initial.update(
        owner=account.owner_id,
        tags=", ".join(sorted(tag.name for tag in account.tags.all())),
        version=account.version,
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        account = customer_selectors.account_get_for_change(actor=actor, account_id=account_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    people = owner_choices(_people(actor), account.owner)
    blank_owner = blank_owner_label(account.owner_id)
    form = AccountEditForm(
        request.POST or None, initial=_edit_initial(account), people=people, blank_owner=blank_owner
    )

    def save(form: AccountEditForm) -> None:
        values = form.values()
        if form.cleaned_data["owner"] is not None:
            values["owner_id"] = form.cleaned_data["owner"]
        customer_services.account_update(
            actor=actor,
            account_id=account.pk,
            version=form.cleaned_data["version"],
            values=values,
            tags=form.tag_names(),
            ignore_duplicates=form.cleaned_data["ignore_duplicates"],
        )

    status: int | None = 200
    if request.method == "POST":
        status = submit_edit(
            form,
            save,
            actor=actor,
            record=account,
            place_error=lambda form, error: _save_error(actor, form, error, account.pk),
        )
        if status is None:
            return HttpResponseRedirect(reverse("account_detail", args=[account.pk]))
    return render(
        request,
        "web/customers/account_form.html",
        {"form": form, "account": account, "duplicates": _duplicate_rows(form)},
        status=status,
    )
