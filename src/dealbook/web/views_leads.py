"""Web pages of leads and the pool: the leads list, a lead's page with its actions (qualify,
disqualify, release, convert), the lead create and edit forms, the conversion form, and the
pool of unowned leads and accounts that reps claim from.

A thin skin: reads go through the leads, customers, pipeline and activities selectors (scoped
to the signed-in user), writes through the leads and customers services (policy, version check,
audit). A record the user may not see is a 404, never a 403 or the page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dealbook.activities import selectors as activity_selectors
from dealbook.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.customers.enums import Industry, Source
from dealbook.leads import policies as lead_policies
from dealbook.leads import selectors, services
from dealbook.leads.enums import OPEN_LEAD_STATUSES, LeadStatus
from dealbook.leads.models import Lead
from dealbook.org.enums import SALES_ROLES
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_use_pool, can_write, read_access
from dealbook.org.visibility import viewer_for
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.web.forms import (
    actor_of,
    blank_owner_label,
    owner_choices,
    place_errors,
    styled,
    submit_edit,
    visible_people,
    with_blank,
)
from dealbook.web.listing import (
    filter_params,
    is_filtered,
    page_context,
    page_number,
    page_of,
    query,
    sort_query,
)
from dealbook.web.navigation import url_or_none

LEADS_PER_PAGE = 25
POOL_PER_PAGE = 25
ACTIVITIES_SHOWN = 30
ACCOUNT_CHOICES_SHOWN = 10
SORT_CHOICES = [
    ("-updated_at", gettext_lazy("Recently updated")),
    ("-created_at", gettext_lazy("Newest")),
    ("name", gettext_lazy("Name A–Z")),
    ("-name", gettext_lazy("Name Z–A")),
    ("last_activity_at", gettext_lazy("Longest without contact")),
    ("-last_activity_at", gettext_lazy("Latest contact")),
]
EDITABLE_STATUSES = [
    (LeadStatus.NEW.value, LeadStatus.NEW.label),
    (LeadStatus.CONTACTED.value, LeadStatus.CONTACTED.label),
]
STALE_MESSAGE = gettext_lazy(
    "Someone else changed this lead after you opened it. Nothing was changed: "
    "this is the lead as it is now."
)
STALE_FORM_MESSAGE = gettext_lazy(
    "Someone else changed this lead while you were editing it. Nothing was saved. Their "
    "changes are listed below and your values are still in the form: save again to keep yours."
)
DUPLICATE_LEAD_MESSAGE = gettext_lazy(
    "An open lead with the same email or phone already exists. Tick “Save anyway” to keep both."
)
# Service field names → form field names (the rest are the same on both sides).
LEAD_FORM_FIELDS = {"owner_id": "owner"}
CONVERT_FORM_FIELDS = {
    "account_id": "account",
    "company": "account",
    "name": "deal_name",
    "pipeline_id": "pipeline",
    "email": "ignore_duplicates",
    "phone": "ignore_duplicates",
}


def _require_lead_reader(actor: User) -> None:
    """A role that reads no leads finds no lead pages (as the board for roles without deals)."""
    if read_access(actor.role, Entity.LEAD) is Access.NONE:
        raise Http404


def _visible_lead(actor: User, lead_id: int) -> Lead:
    try:
        return selectors.lead_get(actor=actor, lead_id=lead_id)
    except NotFound:
        raise Http404 from None


def _people(actor: User) -> list[User]:
    """Colleagues whose leads the actor may see by ownership (everyone for org-wide readers)."""
    return visible_people(actor, Entity.LEAD)


def _sees_others(actor: User) -> bool:
    """Whether the actor sees leads of anyone but themself (managers, org-wide readers)."""
    if actor.is_org_wide or read_access(actor.role, Entity.LEAD) is Access.ALL:
        return True
    return len(viewer_for(actor).owner_ids) > 1


# --- the leads list ----------------------------------------------------------------------------


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=with_blank(LeadStatus.choices, gettext_lazy("Any status")),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=with_blank(Source.choices, gettext_lazy("Any source")),
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, people: list[User] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:  # a rep sees her own leads only: no owner to choose
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
                [(str(person.pk), str(person)) for person in people], gettext_lazy("Anyone")
            )
        styled(self)


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _require_lead_reader(actor)
    form = LeadFilterForm(request.GET, people=_people(actor) if _sees_others(actor) else None)
    form.is_valid()  # invalid values are dropped (and shown as such); valid ones still filter
    cleaned = form.cleaned_data
    sort = cleaned.get("sort") or "-updated_at"
    filters = selectors.LeadFilters(
        q=(cleaned.get("q") or "").strip(),
        status=cleaned.get("status") or "",
        source=cleaned.get("source") or "",
        owner_id=cleaned.get("owner"),
    )
    number = page_number(request.GET.get("page"))
    page = page_of(
        selectors.lead_list(actor=actor, filters=filters, sort=sort), number, LEADS_PER_PAGE
    )
    params = filter_params(request, form)
    return render(
        request,
        "web/leads/lead_list.html",
        {
            "form": form,
            **page_context(page, number, params),
            "sort": sort,
            "is_filtered": is_filtered(params),
            "name_sort_query": sort_query(params, sort, "name"),
            "can_create": can_write(actor.role, Entity.LEAD),
            "sees_pool": lead_policies.may_browse_pool(actor),
        },
    )


# --- create and edit ---------------------------------------------------------------------------


class LeadForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    company = forms.CharField(label=gettext_lazy("Company"), required=False, max_length=200)
    title = forms.CharField(label=gettext_lazy("Job title"), required=False, max_length=120)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=200)
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), required=False, coerce=int, empty_value=None
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=with_blank(Source.choices, "—")
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("Industry"), required=False, choices=with_blank(Industry.choices, "—")
    )
    region = forms.CharField(label=gettext_lazy("Region"), required=False, max_length=60)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    ignore_duplicates = forms.BooleanField(
        label=gettext_lazy("Save anyway: it is a different person"), required=False
    )

    VALUE_FIELDS = (
        "name",
        "company",
        "title",
        "phone",
        "email",
        "source",
        "industry",
        "region",
        "description",
    )

    def __init__(self, *args: Any, people: list[User], blank_owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(person.pk), str(person)) for person in people], blank_owner
        )
        self.duplicates: list[Lead] = []
        self.is_duplicate = False
        self.is_stale = False
        styled(self)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}


class LeadEditForm(LeadForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=EDITABLE_STATUSES)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lead.status not in (LeadStatus.NEW, LeadStatus.CONTACTED):
            del self.fields["status"]  # qualified / unqualified have their own actions
        styled(self)


def _form_error(actor: User, form: LeadForm, error: DomainError, exclude_id: int | None) -> None:
    if isinstance(error, StaleVersion):
        form.is_stale = True
        form.add_error(None, str(STALE_FORM_MESSAGE))
    elif error.code == "duplicate":
        form.is_duplicate = True
        form.duplicates = _look_alikes(actor, form, exclude_id)
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(DUPLICATE_LEAD_MESSAGE))
    else:
        place_errors(form, error, LEAD_FORM_FIELDS)


def _look_alikes(actor: User, form: LeadForm, exclude_id: int | None) -> list[Lead]:
    """Open leads the actor may open with the email or phone the form names (the service
    also refuses look-alikes the actor cannot see; those are not listed)."""
    found: dict[int, Lead] = {}
    for key in ("email", "phone"):
        value = (form.cleaned_data.get(key) or "").strip()
        if not value:
            continue
        for lead in selectors.lead_list(actor=actor, filters=selectors.LeadFilters(q=value))[:5]:
            if lead.pk != exclude_id and lead.status in OPEN_LEAD_STATUSES:
                found[lead.pk] = lead
    return list(found.values())


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_write(actor.role, Entity.LEAD):
        return HttpResponse(_("Your role cannot create leads."), status=403)
    blank_owner = (
        gettext_lazy("Me") if actor.role in SALES_ROLES else gettext_lazy("By assignment rules")
    )
    form = LeadForm(request.POST or None, people=_people(actor), blank_owner=blank_owner)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                lead = services.lead_create(
                    actor=actor,
                    owner_id=form.cleaned_data["owner"],
                    ignore_duplicates=form.cleaned_data["ignore_duplicates"],
                    **form.values(),
                )
            except DomainError as error:
                _form_error(actor, form, error, exclude_id=None)
            else:
                return HttpResponseRedirect(_after_save_url(actor, lead))
        status = 422
    return render(request, "web/leads/lead_form.html", {"form": form, "lead": None}, status=status)


def _after_save_url(actor: User, lead: Lead) -> str:
    """The lead's page, or the list when the lead went to someone the actor does not see."""
    if selectors.visible_leads(actor=actor).filter(pk=lead.pk).exists():
        return reverse("lead_detail", args=[lead.pk])
    return reverse("lead_list")


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        lead = selectors.lead_get_for_change(actor=actor, lead_id=lead_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    if lead.status == LeadStatus.CONVERTED:
        return HttpResponseRedirect(reverse("lead_detail", args=[lead.pk]))
    people = owner_choices(_people(actor), lead.owner)
    blank_owner = blank_owner_label(lead.owner_id)
    initial = {name: getattr(lead, name) for name in LeadForm.VALUE_FIELDS}
    initial.update(owner=lead.owner_id, status=lead.status, version=lead.version)
    form = LeadEditForm(
        request.POST or None,
        initial=initial,
        lead=lead,
        people=people,
        blank_owner=blank_owner,
    )

    def save(form: LeadEditForm) -> None:
        values = form.values()
        if form.cleaned_data["owner"] is not None:
            values["owner_id"] = form.cleaned_data["owner"]
        if "status" in form.fields:
            values["status"] = form.cleaned_data["status"]
        services.lead_update(
            actor=actor,
            lead_id=lead.pk,
            version=form.cleaned_data["version"],
            values=values,
            ignore_duplicates=form.cleaned_data["ignore_duplicates"],
        )

    status: int | None = 200
    if request.method == "POST":
        status = submit_edit(
            form,
            save,
            actor=actor,
            record=lead,
            place_error=lambda form, error: _form_error(actor, form, error, lead.pk),
        )
        if status is None:
            return HttpResponseRedirect(_after_save_url(actor, lead))
    return render(request, "web/leads/lead_form.html", {"form": form, "lead": lead}, status=status)


# --- the lead page and its actions ---------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DisqualifyForm(VersionForm):
    reason = forms.CharField(
        label=gettext_lazy("Why is it not qualified?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


def _may_release(actor: User) -> bool:
    return can_write(actor.role, Entity.LEAD) and (actor.is_org_wide or can_use_pool(actor.role))


def _may_convert(actor: User) -> bool:
    return all(
        can_write(actor.role, entity) for entity in (Entity.LEAD, Entity.ACCOUNT, Entity.CONTACT)
    )


def _render_lead(
    request: HttpRequest,
    lead: Lead,
    *,
    disqualify_form: DisqualifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    can_change = can_write(actor.role, Entity.LEAD)
    is_open = lead.status in OPEN_LEAD_STATUSES
    activities = (
        list(
            activity_selectors.activity_list(
                actor=actor, filters=activity_selectors.ActivityFilters(lead_id=lead.pk)
            )[:ACTIVITIES_SHOWN]
        )
        if read_access(actor.role, Entity.ACTIVITY) is not Access.NONE
        else []
    )
    context = {
        "lead": lead,
        "activities": activities,
        "can_edit": can_change and lead.status != LeadStatus.CONVERTED,
        "can_qualify": can_change
        and lead.status in (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.UNQUALIFIED),
        "can_disqualify": can_change and is_open,
        "can_release": is_open and lead.owner_id is not None and _may_release(actor),
        "can_convert": is_open and _may_convert(actor),
        "version_form": VersionForm(initial={"version": lead.version}),
        "disqualify_form": disqualify_form or DisqualifyForm(initial={"version": lead.version}),
        "release_form": ReleaseForm(auto_id="release_%s"),
        "converted": {
            "account_url": url_or_none("account_detail", lead.converted_account_id)
            if lead.converted_account_id
            else None,
            "deal_url": url_or_none("deal_detail", lead.converted_deal_id)
            if lead.converted_deal_id
            else None,
            "contact_url": url_or_none("contact_detail", lead.converted_contact_id)
            if lead.converted_contact_id
            else None,
        },
    }
    return render(request, "web/leads/lead_detail.html", context, status=status)


@login_required
@require_GET
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _render_lead(request, _visible_lead(actor_of(request), lead_id))


def _after_action(
    request: HttpRequest, lead_id: int, error: DomainError | None, done: str = ""
) -> HttpResponse:
    """Back to the lead's page, saying what happened (a stale version changed nothing)."""
    if isinstance(error, NotFound):
        raise Http404
    if isinstance(error, PermissionDenied):
        return HttpResponse(error.message, status=403)
    if isinstance(error, StaleVersion):
        messages.error(request, str(STALE_MESSAGE))
    elif error is not None:
        messages.error(request, error.message)
    elif done:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("lead_detail", args=[lead_id]))


@login_required
@require_POST
def lead_qualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    _visible_lead(actor, lead_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _after_action(request, lead_id, DomainError("invalid", _("Reload the page.")))
    try:
        services.lead_qualify(actor=actor, lead_id=lead_id, version=form.cleaned_data["version"])
    except DomainError as error:
        return _after_action(request, lead_id, error)
    return _after_action(request, lead_id, None, _("The lead is qualified."))


@login_required
@require_POST
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = _visible_lead(actor, lead_id)
    form = DisqualifyForm(request.POST)
    if not form.is_valid():
        return _render_lead(request, lead, disqualify_form=form, status=422)
    try:
        services.lead_disqualify(
            actor=actor,
            lead_id=lead_id,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except (NotFound, PermissionDenied, StaleVersion) as error:
        return _after_action(request, lead_id, error)
    except DomainError as error:
        place_errors(form, error, {})
        return _render_lead(request, lead, disqualify_form=form, status=422)
    return _after_action(request, lead_id, None, _("The lead is marked as not qualified."))


@login_required
@require_POST
def lead_release(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = _visible_lead(actor, lead_id)
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
    try:
        services.lead_release(actor=actor, lead_id=lead_id, reason=reason)
    except DomainError as error:
        return _after_action(request, lead_id, error)
    messages.success(request, _("%(name)s is back in the pool.") % {"name": lead.name})
    return HttpResponseRedirect(reverse("pool"))


# --- converting a lead ---------------------------------------------------------------------------


class ConvertForm(forms.Form):
    NEW_ACCOUNT = "new"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    account = forms.ChoiceField(
        label=gettext_lazy("Account"), widget=forms.RadioSelect, initial=NEW_ACCOUNT
    )
    ignore_duplicates = forms.BooleanField(
        label=gettext_lazy("Create the contact anyway: it is a different person"),
        required=False,
    )
    create_deal = forms.BooleanField(
        label=gettext_lazy("Also open a deal"), required=False, initial=True
    )
    deal_name = forms.CharField(label=gettext_lazy("Deal name"), required=False, max_length=200)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    expected_close_date = forms.DateField(
        label=gettext_lazy("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    pipeline = forms.TypedChoiceField(
        label=gettext_lazy("Pipeline"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        lead: Lead,
        accounts: list[tuple[int, str]],
        pipelines: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        new_label = _("A new account: %(name)s") % {"name": lead.company or lead.name}
        self.fields["account"].choices = [  # type: ignore[attr-defined]
            (self.NEW_ACCOUNT, new_label),
            *((str(account_id), name) for account_id, name in accounts),
        ]
        self.fields["pipeline"].choices = [  # type: ignore[attr-defined]
            (str(pipeline.pk), pipeline.name) for pipeline in pipelines
        ]
        if not pipelines:
            del self.fields["pipeline"]
        styled(self)

    def account_id(self) -> int | None:
        chosen = self.cleaned_data["account"]
        return None if chosen == self.NEW_ACCOUNT else int(chosen)


def _conversion_accounts(actor: User, lead: Lead, search: str) -> list[tuple[int, str]]:
    """Visible accounts to convert into, as (id, name): look-alikes of the lead's company
    first, then the matches of the user's search among the accounts they see."""
    accounts = {
        match.id: match.name
        for match in customer_selectors.account_duplicates(actor=actor, name=lead.company)
        if match.is_visible
    }
    if search:
        found = customer_selectors.account_list(
            actor=actor, filters=customer_selectors.AccountFilters(q=search), sort="name"
        )[:ACCOUNT_CHOICES_SHOWN]
        for account in found:
            accounts.setdefault(account.pk, account.name)
    return list(accounts.items())


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = _visible_lead(actor, lead_id)
    if not _may_convert(actor):
        return HttpResponse(
            _("Your role cannot convert leads into accounts, contacts and deals."), status=403
        )
    if lead.status not in OPEN_LEAD_STATUSES:
        messages.error(request, _("Only open leads can be converted."))
        return HttpResponseRedirect(reverse("lead_detail", args=[lead.pk]))
    search = (request.GET.get("account_q") or request.POST.get("account_q") or "").strip()[:100]
    accounts = _conversion_accounts(actor, lead, search)
    pipelines = (
        list(pipeline_selectors.pipeline_list(actor=actor))
        if can_write(actor.role, Entity.DEAL)
        else []
    )
    form = ConvertForm(
        request.POST or None,
        initial={
            "version": lead.version,
            "deal_name": lead.company or lead.name,
            "create_deal": bool(pipelines),
        },
        lead=lead,
        accounts=accounts,
        pipelines=pipelines,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                result = services.lead_convert(
                    actor=actor,
                    lead_id=lead.pk,
                    version=form.cleaned_data["version"],
                    account_id=form.account_id(),
                    create_deal=form.cleaned_data["create_deal"] and bool(pipelines),
                    deal_name=form.cleaned_data["deal_name"],
                    amount=form.cleaned_data["amount"] or Decimal(0),
                    expected_close_date=form.cleaned_data["expected_close_date"],
                    pipeline_id=form.cleaned_data.get("pipeline"),
                    ignore_duplicates=form.cleaned_data["ignore_duplicates"],
                )
            except PermissionDenied as refused:
                return HttpResponse(refused.message, status=403)
            except StaleVersion:
                form.add_error(None, str(STALE_FORM_MESSAGE))
                status = 412
            except DomainError as error:
                place_errors(form, error, CONVERT_FORM_FIELDS)
            else:
                return HttpResponseRedirect(reverse("account_detail", args=[result.account.pk]))
    return render(
        request,
        "web/leads/lead_convert.html",
        {"form": form, "lead": lead, "account_q": search, "has_pipelines": bool(pipelines)},
        status=status,
    )


# --- the pool ------------------------------------------------------------------------------------


POOL_TABS = ("leads", "accounts")


@login_required
@require_GET
def pool(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not lead_policies.may_browse_pool(actor):
        raise Http404
    tab = request.GET.get("tab", "leads")
    tab = tab if tab in POOL_TABS else "leads"
    q = (request.GET.get("q") or "").strip()[:100]
    number = page_number(request.GET.get("page"))
    rows = (
        selectors.pool_lead_list(actor=actor, q=q)
        if tab == "leads"
        else customer_selectors.pool_account_list(actor=actor, q=q)
    )
    page = page_of(rows, number, POOL_PER_PAGE)
    params = {"tab": tab, "q": q}
    return render(
        request,
        "web/leads/pool.html",
        {
            "tab": tab,
            "q": q,
            **page_context(page, number, params),
            "claims": selectors.claim_status(actor=actor),
            "can_claim": can_use_pool(actor.role),
            "leads_query": query({"tab": "leads", "q": q}),
            "accounts_query": query({"tab": "accounts", "q": q}),
        },
    )


def _back_to_pool(request: HttpRequest, tab: str) -> HttpResponseRedirect:
    q = (request.POST.get("q") or "").strip()[:100]
    return HttpResponseRedirect(reverse("pool") + "?" + query({"tab": tab, "q": q}))


def _claim(request: HttpRequest, tab: str, claim: Callable[[User], Any]) -> HttpResponse:
    """Claim a lead or an account from the pool, then back to the pool's tab with a message."""
    try:
        record = claim(actor_of(request))
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You claimed %(name)s.") % {"name": record.name})
    return _back_to_pool(request, tab)


@login_required
@require_POST
def pool_lead_claim(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _claim(request, "leads", lambda actor: services.lead_claim(actor=actor, lead_id=lead_id))


@login_required
@require_POST
def pool_account_claim(request: HttpRequest, account_id: int) -> HttpResponse:
    return _claim(
        request,
        "accounts",
        lambda actor: customer_services.account_claim(actor=actor, account_id=account_id),
    )


@login_required
@require_POST
def pool_account_release(request: HttpRequest, account_id: int) -> HttpResponse:
    """Give an account back to the pool (the small form on the account page)."""
    actor = actor_of(request)
    try:
        account = customer_selectors.account_get(actor=actor, account_id=account_id)
        customer_services.account_release(
            actor=actor,
            account_id=account_id,
            reason=(request.POST.get("reason") or "").strip()[:300],
        )
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except DomainError as error:
        messages.error(request, error.message)
        return _back_to_pool(request, "accounts")
    messages.success(request, _("%(name)s is back in the pool.") % {"name": account.name})
    return _back_to_pool(request, "accounts")
