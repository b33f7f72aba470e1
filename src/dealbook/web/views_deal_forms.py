"""Web pages that create and edit deals: the deal form, new (optionally prefilled with an
account and a pipeline) and edit.

A thin skin over the pipeline services: `deal_create` and `deal_update` validate, check the
policy, compare the version and audit once. A deal the user may not see is a 404, a role that
may not write deals a 403. Amounts are typed and shown with the active language's separators.
A deal changes stage only on the board or its page (the move path), so the edit form leaves
its account, pipeline and stage alone.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.core.money import CURRENCY_EXPONENTS, exponent
from dealbook.customers import selectors as customer_selectors
from dealbook.org import selectors as org_selectors
from dealbook.org.models import User
from dealbook.org.policies import Entity, can_write
from dealbook.pipeline import selectors, services
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import Deal, Pipeline
from dealbook.web.forms import (
    actor_of,
    apply_domain_error,
    blank_owner_label,
    owner_choices,
    styled,
    submit_edit,
    visible_people,
    with_blank,
)

# The accounts the account picker lists (by name); a prefilled or posted one is always listed.
ACCOUNT_CHOICES = 500
# Service field names → form field names (the rest are the same on both sides).
FORM_FIELDS = {
    "account_id": "account",
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "stage": "stage",
    "owner_id": "owner",
}
STALE_MESSAGE = _(
    "Someone else changed this deal while you were editing it. Nothing was saved. Their "
    "changes are listed below and your values are still in the form: save again to keep yours."
)


# --- amounts in the reader's format -----------------------------------------------------------


def _separators() -> tuple[str, str]:
    """The active language's decimal and thousands separators (Chinese amounts group with
    "," every three digits, as the money filter shows them)."""
    return get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR") or ","


def amount_text(amount: Decimal, currency: str) -> str:
    """`amount` as the form shows it: the money filter's digits without the currency code."""
    places = exponent(currency)
    decimal_separator, thousands = _separators()
    grouping = get_format("NUMBER_GROUPING") if get_format("THOUSAND_SEPARATOR") else 3
    return numberformat.format(
        amount.quantize(Decimal(1).scaleb(-places)),
        decimal_separator,
        decimal_pos=places,
        grouping=grouping,
        thousand_sep=thousands,
        force_grouping=True,
    )


def parse_amount(text: str) -> Decimal:
    """An amount typed in the reader's format (`1,234,567.50`; spaces and the thousands
    separator ignored). ValueError when it is not a number."""
    decimal_separator, thousands = _separators()
    cleaned = "".join(text.split()).replace(thousands, "")
    if decimal_separator != ".":
        cleaned = cleaned.replace(decimal_separator, ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return amount


class AmountField(forms.Field):
    """A money amount in the reader's format, cleaned to a Decimal (None when blank)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": "40"})

    def to_python(self, value: Any) -> Decimal | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            if len(text) > 40:
                raise ValueError(text)
            amount = parse_amount(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount, such as %(example)s.")
                % {"example": amount_text(Decimal("1234.5"), "CNY")},
                code="invalid",
            ) from None
        if amount < 0:
            raise forms.ValidationError(_("Must be zero or more."), code="min_value")
        return amount


class AnyIdField(forms.TypedChoiceField):
    """A select of records by id that takes any id: the service says whether the user may
    use it (and names the field when not), so a record beyond the listed ones still works."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return True

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in ("", None):
            return text
        if not str(text).isdigit():
            raise forms.ValidationError(self.error_messages["invalid_choice"] % {"value": text})
        return text


# --- the form --------------------------------------------------------------------------------


class DealForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    account = AnyIdField(label=_("Account"))
    pipeline = AnyIdField(label=_("Pipeline"), required=False)
    stage = AnyIdField(
        label=_("Stage"),
        required=False,
        help_text=_("Blank: the pipeline's first stage."),
    )
    amount = AmountField(label=_("Amount"), required=False)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(code, code) for code in sorted(CURRENCY_EXPONENTS)]
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Blank: the stage's probability."),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        people: list[User],
        blank_owner: Any,
        accounts: list[Any] | None = None,
        pipelines: list[Pipeline] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(  # type: ignore[attr-defined]
            [(str(person.pk), str(person)) for person in people], blank_owner
        )
        if accounts is not None:
            self.fields["account"].choices = with_blank(  # type: ignore[attr-defined]
                [(str(account.pk), account.name) for account in accounts], "—"
            )
        if pipelines is not None:
            self.fields["pipeline"].choices = [  # type: ignore[attr-defined]
                (str(pipeline.pk), pipeline.name) for pipeline in pipelines
            ]
            # The open stages, grouped by pipeline: the service checks the pair.
            self.fields["stage"].choices = with_blank(  # type: ignore[attr-defined]
                [
                    (
                        pipeline.name,
                        [
                            (str(stage.pk), _(stage.name))
                            for stage in sorted(
                                pipeline.stages.all(), key=lambda s: (s.order, s.pk)
                            )
                            if stage.kind == StageKind.OPEN
                        ],
                    )
                    for pipeline in pipelines
                ],
                _("First stage"),
            )
        styled(self)


class DealEditForm(DealForm):
    """The fields `deal_update` changes; the account, pipeline and stage stay as they are."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("account", "pipeline", "stage"):
            del self.fields[name]
        probability = self.fields["probability"]
        probability.required = True
        probability.help_text = ""
        self.has_line_items = deal.line_items.exists()
        if self.has_line_items:
            for name in ("amount", "currency"):
                self.fields[name].disabled = True
            self.fields["amount"].help_text = _(
                "The sum of the line items: change those on the deal page."
            )


def _place_error(form: forms.Form, error: DomainError) -> None:
    """A refusal next to the fields it names; the parts no field of the form takes (a stage
    requiring contacts, say) above the form."""
    apply_domain_error(form, error, names=FORM_FIELDS, stale_message=STALE_MESSAGE)
    placed = {FORM_FIELDS.get(e.field, e.field) for e in error.errors}
    if any(name in form.fields for name in placed):
        for field_error in error.errors:
            if FORM_FIELDS.get(field_error.field, field_error.field) not in form.fields:
                form.add_error(None, field_error.message)


def _refuse_create(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        # resolve_owner: an owner the actor may not assign to.
        form.add_error("owner", error.message)
        return
    _place_error(form, error)


# --- new deal --------------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _account_choices(actor: User, wanted: int | None) -> list[Any]:
    accounts = customer_selectors.visible_accounts(actor=actor).order_by("name", "id")
    listed = list(accounts.only("id", "name")[:ACCOUNT_CHOICES])
    if wanted is not None and all(account.pk != wanted for account in listed):
        extra = accounts.filter(pk=wanted).only("id", "name").first()
        if extra is not None:
            listed.insert(0, extra)
    return listed


def _create_initial(actor: User, request: HttpRequest, pipelines: list[Pipeline]) -> dict:
    initial: dict[str, Any] = {"currency": org_selectors.org_settings(actor=actor).currency}
    account_id = _int_param(request, "account")
    if account_id is not None:
        initial["account"] = account_id
    pipeline_id = _int_param(request, "pipeline")
    default = next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)
    chosen = next((p for p in pipelines if p.pk == pipeline_id), default)
    if chosen is not None:
        initial["pipeline"] = chosen.pk
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_write(actor.role, Entity.DEAL):
        return HttpResponse(_("Your role cannot create deals."), status=403)
    pipelines = list(selectors.pipeline_list(actor=actor))
    initial = _create_initial(actor, request, pipelines)
    posted_account = request.POST.get("account", "")
    wanted = int(posted_account) if posted_account.isdigit() else initial.get("account")
    form = DealForm(
        request.POST or None,
        initial=initial,
        people=visible_people(actor, Entity.DEAL),
        blank_owner=_("Me"),
        accounts=_account_choices(actor, wanted),
        pipelines=pipelines,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                deal = services.deal_create(
                    actor=actor,
                    account_id=data["account"],
                    name=data["name"],
                    owner_id=data["owner"],
                    pipeline_id=data["pipeline"],
                    stage_id=data["stage"],
                    amount=data["amount"] if data["amount"] is not None else Decimal(0),
                    currency=data["currency"],
                    expected_close_date=data["expected_close_date"],
                    probability=data["probability"],
                    next_step=data["next_step"],
                    description=data["description"],
                )
            except DomainError as error:
                _refuse_create(form, error)
            else:
                return HttpResponseRedirect(reverse("deal_detail", args=[deal.pk]))
        status = 422
    return render(
        request, "web/pipeline/deal_form.html", {"form": form, "deal": None}, status=status
    )


# --- edit a deal -----------------------------------------------------------------------------


def _edit_initial(deal: Deal) -> dict[str, Any]:
    return {
        "name": deal.name,
        "amount": amount_text(deal.amount, deal.currency),
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date,
        "probability": deal.probability,
        "owner": deal.owner_id,
        "next_step": deal.next_step,
        "description": deal.description,
        "version": deal.version,
    }


def _edit_values(form: DealEditForm, deal: Deal) -> dict[str, Any]:
    """What the form asks `deal_update` to set. The amount and currency go only when they
    differ from the deal's (a deal with line items takes its amount from them)."""
    data = form.cleaned_data
    values: dict[str, Any] = {
        name: data[name]
        for name in ("name", "expected_close_date", "probability", "next_step", "description")
    }
    if data["owner"] is not None:
        values["owner_id"] = data["owner"]
    if not form.has_line_items:
        amount = data["amount"] if data["amount"] is not None else Decimal(0)
        if amount != deal.amount or data["currency"] != deal.currency:
            values["amount"] = amount
            values["currency"] = data["currency"]
    return values


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        deal = selectors.deal_get_for_change(actor=actor, deal_id=deal_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    form = DealEditForm(
        request.POST or None,
        initial=_edit_initial(deal),
        deal=deal,
        people=owner_choices(visible_people(actor, Entity.DEAL), deal.owner),
        blank_owner=blank_owner_label(deal.owner_id),
    )

    def save(form: DealEditForm) -> None:
        services.deal_update(
            actor=actor,
            deal_id=deal.pk,
            version=form.cleaned_data["version"],
            values=_edit_values(form, deal),
        )

    status: int | None = 200
    if request.method == "POST":
        status = submit_edit(form, save, actor=actor, record=deal, place_error=_place_error)
        if status is None:
            return HttpResponseRedirect(reverse("deal_detail", args=[deal.pk]))
    return render(
        request, "web/pipeline/deal_form.html", {"form": form, "deal": deal}, status=status
    )
