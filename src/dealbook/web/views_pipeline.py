"""Pipeline pages: the board (drag and drop between stages), the deal list and the deal page.

A thin skin: reads through the pipeline, customers, activities and org selectors (scoped to
the signed-in user), writes through the pipeline services (which check the policy and audit).
A deal the user may not see is a 404, never a 403 or the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from dealbook.activities import selectors as activity_selectors
from dealbook.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from dealbook.customers import selectors as customer_selectors
from dealbook.org import selectors as org_selectors
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, can_write, read_access
from dealbook.org.visibility import viewer_for
from dealbook.pipeline import selectors, services
from dealbook.pipeline.enums import DealStatus, RequirableField
from dealbook.pipeline.models import Deal, Pipeline
from dealbook.web.forms import actor_of
from dealbook.web.navigation import url_or_none

LIST_PAGE_SIZE = 25
LIST_SORTS = {
    "-updated_at": gettext_lazy("Recently updated"),
    "updated_at": gettext_lazy("Least recently updated"),
    "-amount": gettext_lazy("Amount, largest first"),
    "amount": gettext_lazy("Amount, smallest first"),
    "expected_close_date": gettext_lazy("Expected close, soonest first"),
    "-expected_close_date": gettext_lazy("Expected close, latest first"),
}
STALE_MESSAGE = gettext_lazy(
    "Someone else changed this deal after you opened it. Nothing was changed: "
    "this is the deal as it is now."
)
# A stage requirement → the value the move dialog asks for (line items are added on the
# deal page, not in the dialog).
REQUIREMENT_INPUTS = {
    RequirableField.AMOUNT: ("amount",),
    RequirableField.EXPECTED_CLOSE_DATE: ("expected_close_date",),
    RequirableField.CONTACTS: ("contact_ids",),
    RequirableField.COMPETITORS: ("competitor_ids",),
    RequirableField.NEXT_STEP: ("next_step",),
    RequirableField.LOST_REASON: ("lost_reason_id", "lost_note"),
    RequirableField.LINE_ITEMS: (),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control form-control-sm"})


def _select(multiple: bool = False) -> forms.Select:
    if multiple:
        return forms.SelectMultiple(attrs={"class": "form-select"})
    return forms.Select(attrs={"class": "form-select form-select-sm"})


# --- the filters the board and the list share ---------------------------------------------


class DealFilterForm(forms.Form):
    """Owner, team and close period; the owner and team choices are only those the user sees."""

    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), coerce=int, required=False, empty_value=None
    )
    close_from = forms.DateField(
        label=gettext_lazy("Closing from"), required=False, widget=DateInput()
    )
    close_to = forms.DateField(label=gettext_lazy("Closing to"), required=False, widget=DateInput())

    def __init__(self, data: QueryDict, *, actor: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        everyone = ("", _("Everyone"))
        owner_field = self.fields["owner"]
        team_field = self.fields["team"]
        assert isinstance(owner_field, forms.ChoiceField)
        assert isinstance(team_field, forms.ChoiceField)
        owner_field.choices = [everyone, *_owner_choices(actor)]
        team_field.choices = [("", _("All teams")), *_team_choices(actor)]
        owner_field.widget.attrs["class"] = team_field.widget.attrs["class"] = (
            "form-select form-select-sm"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("close_from"), cleaned.get("close_to")
        if start and end and start > end:
            self.add_error("close_to", _("The close period ends before it starts."))
        return cleaned

    def value_of(self, name: str) -> Any:
        """The field's clean value, or None when it was left empty or is invalid."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    @property
    def has_choices(self) -> bool:
        """Whether the owner / team filters offer anything beyond the user's own deals."""
        return len(self.fields["owner"].choices) > 2 or len(self.fields["team"].choices) > 1  # type: ignore[attr-defined]


def _owner_choices(actor: User) -> list[tuple[int, str]]:
    users = org_selectors.user_list(actor=actor)
    if read_access(actor.role, Entity.DEAL) is not Access.ALL:
        users = users.filter(pk__in=sorted(viewer_for(actor).owner_ids))
    return [(user.pk, str(user)) for user in users]


def _team_choices(actor: User) -> list[tuple[int, str]]:
    access = read_access(actor.role, Entity.DEAL)
    if access is Access.NONE:
        return []
    teams = org_selectors.team_list(actor=actor)
    if access is not Access.ALL:
        managed = sorted(viewer_for(actor).managed_team_ids)
        if not managed:
            return []
        teams = teams.filter(pk__in=managed)
    return [(team.pk, team.name) for team in teams]


@dataclass(frozen=True)
class Workspace:
    """The pipeline a page shows, the pipelines to pick from, and the filters as asked."""

    pipelines: list[Pipeline]
    pipeline: Pipeline | None
    form: DealFilterForm
    query: str  # the pipeline and filters as a query string, to keep across pages and moves

    def board_filters(self) -> selectors.BoardFilters:
        return selectors.BoardFilters(
            owner_id=self.form.value_of("owner"),
            team_id=self.form.value_of("team"),
            close_from=self.form.value_of("close_from"),
            close_to=self.form.value_of("close_to"),
        )


def _workspace(request: HttpRequest, params: QueryDict) -> Workspace:
    actor = actor_of(request)
    if read_access(actor.role, Entity.DEAL) is Access.NONE:
        raise Http404
    pipelines = list(selectors.pipeline_list(actor=actor))
    pipeline = next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)
    asked_pipeline = params.get("pipeline", "")
    if asked_pipeline:
        try:
            wanted = int(asked_pipeline)
        except ValueError:
            raise Http404 from None
        pipeline = next((p for p in pipelines if p.pk == wanted), None)
        if pipeline is None:
            raise Http404
    form = DealFilterForm(params, actor=actor)
    kept: dict[str, str] = {"pipeline": str(pipeline.pk) if pipeline else ""}
    kept.update({name: str(params.get(name, "")) for name in form.fields})
    return Workspace(
        pipelines=pipelines,
        pipeline=pipeline,
        form=form,
        query=urlencode({key: value for key, value in kept.items() if value not in ("", None)}),
    )


# --- the board -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    card: selectors.BoardCard
    version: int


@dataclass(frozen=True)
class ColumnView:
    column: selectors.BoardColumn
    cards: list[CardView]

    @property
    def hidden_count(self) -> int:
        return max(self.column.count - len(self.cards), 0)


def _board_context(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    actor = actor_of(request)
    context: dict[str, Any] = {
        "workspace": workspace,
        "form": workspace.form,
        "board": None,
        "columns": [],
        "can_move": can_write(actor.role, Entity.DEAL),
    }
    if workspace.pipeline is None:
        return context
    try:
        board = selectors.pipeline_board(
            actor=actor, pipeline_id=workspace.pipeline.pk, filters=workspace.board_filters()
        )
    except NotFound:
        raise Http404 from None
    context["board"] = board
    context["columns"] = [
        ColumnView(
            column=column,
            cards=[CardView(card=card, version=card.version) for card in column.cards],
        )
        for column in board.columns
    ]
    return context


@login_required
@require_GET
def pipeline_board(request: HttpRequest) -> HttpResponse:
    workspace = _workspace(request, request.GET)
    return render(request, "web/pipeline/board.html", _board_context(request, workspace))


# --- moving a deal on the board -----------------------------------------------------------


def _lost_reason_field() -> forms.TypedChoiceField:
    """Why a deal was lost: the lose form's and the move dialog's (into a lost stage) field;
    its choices are the organisation's reasons (`_lost_reason_choices`)."""
    return forms.TypedChoiceField(
        label=gettext_lazy("Lost reason"),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _lost_reason_choices(actor: User) -> list[tuple[Any, str]]:
    return [("", "—"), *((r.pk, r.name) for r in selectors.lost_reason_list(actor=actor))]


class MoveValuesForm(forms.Form):
    """What the target stage requires and the deal lacks: only the asked fields are shown."""

    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        min_value=0,
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any", "min": "0"}),
    )
    expected_close_date = forms.DateField(
        label=gettext_lazy("Expected close date"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    contact_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Contacts"), coerce=int, widget=_select(multiple=True)
    )
    competitor_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Competitors"), coerce=int, widget=_select(multiple=True)
    )
    next_step = forms.CharField(
        label=gettext_lazy("Next step"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    lost_reason_id = _lost_reason_field()
    lost_note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, *args: Any, actor: User, deal: Deal, asked: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in asked:
                del self.fields[name]
        if "amount" in self.fields:
            self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": deal.currency}
        if "contact_ids" in self.fields:
            contacts = customer_selectors.visible_contacts(
                actor=actor, account_id=deal.account_id
            ).order_by("name", "id")
            self.fields["contact_ids"].choices = [(c.pk, c.name) for c in contacts]  # type: ignore[attr-defined]
        if "competitor_ids" in self.fields:
            self.fields["competitor_ids"].choices = [  # type: ignore[attr-defined]
                (c.pk, c.name) for c in selectors.competitor_list(actor=actor)
            ]
        if "lost_reason_id" in self.fields:
            self.fields["lost_reason_id"].choices = _lost_reason_choices(actor)  # type: ignore[attr-defined]


def _asked_inputs(requirements: list[str]) -> list[str]:
    asked: list[str] = []
    for requirement in requirements:
        asked.extend(REQUIREMENT_INPUTS.get(RequirableField(requirement), ()))
    return list(dict.fromkeys(asked))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _columns_response(
    request: HttpRequest, workspace: Workspace, *, message: str = "", status: int = 200
) -> HttpResponse:
    context = _board_context(request, workspace)
    context["board_message"] = message
    return render(request, "web/pipeline/_columns.html", context, status=status)


def _dialog_response(
    request: HttpRequest,
    *,
    deal_id: int,
    stage_id: int,
    version: int,
    requirements: list[str],
    form: MoveValuesForm | None = None,
    message: str = "",
) -> HttpResponse:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    stage = selectors.stage_get(actor=actor, stage_id=stage_id)
    if form is None:
        form = MoveValuesForm(actor=actor, deal=deal, asked=_asked_inputs(requirements))
    context = {
        "deal": deal,
        "stage": stage,
        "version": version,
        "form": form,
        "requirements": requirements,
        "requirement_labels": [str(RequirableField(name).label) for name in requirements],
        "needs_line_items": RequirableField.LINE_ITEMS in requirements,
        "message": message,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/pipeline/_move_dialog.html", context, status=422)


@login_required
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to the stage it was dropped on. Answers the refreshed board columns; a
    422 dialog asking for what the stage requires; the columns with a message otherwise."""
    actor = actor_of(request)
    workspace = _workspace(request, request.GET)
    stage_id = _int_or_none(request.POST.get("stage_id"))
    version = _int_or_none(request.POST.get("version"))
    if stage_id is None or version is None:
        message = _("The move needs a stage and the deal's version.")
        return _columns_response(request, workspace, message=message, status=400)
    requirements = [name for name in request.POST.getlist("requirement") if name]
    values: dict[str, Any] = {}
    form = None
    try:
        if requirements:
            deal = selectors.deal_get(actor=actor, deal_id=deal_id)
            form = MoveValuesForm(
                request.POST, actor=actor, deal=deal, asked=_asked_inputs(requirements)
            )
            if not form.is_valid():
                return _dialog_response(
                    request,
                    deal_id=deal_id,
                    stage_id=stage_id,
                    version=version,
                    requirements=requirements,
                    form=form,
                )
            values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
        services.deal_move_to_stage(
            actor=actor, deal_id=deal_id, stage_id=stage_id, version=version, values=values
        )
    except NotFound:
        raise Http404 from None
    except StaleVersion:
        return _columns_response(request, workspace, message=str(STALE_MESSAGE), status=412)
    except DomainError as error:
        if error.code == "stage_requirements":
            missing = [e.field for e in error.errors if e.field in RequirableField.values]
            return _dialog_response(
                request,
                deal_id=deal_id,
                stage_id=stage_id,
                version=version,
                requirements=list(dict.fromkeys([*requirements, *missing])),
                message=error.message,
            )
        if form is not None and error.errors and all(e.field in form.fields for e in error.errors):
            for field_error in error.errors:
                form.add_error(field_error.field, field_error.message)
            return _dialog_response(
                request,
                deal_id=deal_id,
                stage_id=stage_id,
                version=version,
                requirements=requirements,
                form=form,
            )
        return _columns_response(request, workspace, message=error.message, status=error.status)
    return _columns_response(request, workspace)


# --- the deal list -------------------------------------------------------------------------


class DealListForm(forms.Form):
    stage = forms.TypedChoiceField(
        label=gettext_lazy("Stage"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *DealStatus.choices],
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False, choices=LIST_SORTS.items())
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data: QueryDict, *, pipeline: Pipeline | None) -> None:
        super().__init__(data)
        stages = list(pipeline.stages.all()) if pipeline else []
        stage_field = self.fields["stage"]
        assert isinstance(stage_field, forms.ChoiceField)
        stage_field.choices = [
            ("", _("Every stage")),
            *((s.pk, _(s.name)) for s in sorted(stages, key=lambda s: (s.order, s.pk))),
        ]
        for name in ("stage", "status", "sort"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def value_of(self, name: str, default: Any = None) -> Any:
        self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


@login_required
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    workspace = _workspace(request, request.GET)
    list_form = DealListForm(request.GET, pipeline=workspace.pipeline)
    sort = list_form.value_of("sort", "-updated_at")
    page_number = list_form.value_of("page", 1)
    filters = selectors.DealFilters(
        pipeline_id=workspace.pipeline.pk if workspace.pipeline else None,
        owner_id=workspace.form.value_of("owner"),
        team_id=workspace.form.value_of("team"),
        stage_id=list_form.value_of("stage"),
        status=list_form.value_of("status", ""),
        close_from=workspace.form.value_of("close_from"),
        close_to=workspace.form.value_of("close_to"),
    )
    page = selectors.deal_page(
        actor=actor,
        filters=filters,
        sort=sort,
        limit=LIST_PAGE_SIZE,
        offset=(page_number - 1) * LIST_PAGE_SIZE,
    )
    base_query: dict[str, str | int] = {
        key: str(value)
        for key, value in request.GET.items()
        if key != "page" and value not in ("", None)
    }

    def page_url(number: int) -> str:
        return "?" + urlencode({**base_query, "page": number})

    return render(
        request,
        "web/pipeline/list.html",
        {
            "workspace": workspace,
            "form": workspace.form,
            "list_form": list_form,
            "page": page,
            "page_number": page_number,
            "previous_url": page_url(page_number - 1) if page_number > 1 else None,
            "next_url": page_url(page_number + 1) if page.has_more else None,
        },
    )


# --- the deal page -------------------------------------------------------------------------


class WinForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LoseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    lost_reason_id = _lost_reason_field()
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lost_reason_id"].choices = _lost_reason_choices(actor)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Stay:
    """One stay of the deal in a stage, with the time spent there (so far, if current)."""

    stage_name: str
    from_stage_name: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    duration: str  # "" for the final stay of a closed deal
    changed_by: str


def duration_text(seconds: int) -> str:
    """A stay's length as people say it: days and hours, hours and minutes, or minutes."""
    minutes = max(seconds, 0) // 60
    days, hours = minutes // (24 * 60), minutes // 60 % 24
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes % 60}
    return _("%(minutes)s min") % {"minutes": minutes}


def _stays(actor: User, deal: Deal) -> list[Stay]:
    """The deal's stays, oldest first. A closed deal's last stay has no length: the deal
    is done, not waiting in its won or lost stage."""
    now = timezone.now()
    is_open = deal.status == DealStatus.OPEN
    stays = []
    for row in selectors.stage_history_list(actor=actor, deal_id=deal.pk):
        if row.duration_seconds is not None:
            duration = duration_text(row.duration_seconds)
        elif row.left_at is not None:
            duration = duration_text(int((row.left_at - row.entered_at).total_seconds()))
        elif is_open:
            duration = duration_text(int((now - row.entered_at).total_seconds()))
        else:
            duration = ""
        stays.append(
            Stay(
                stage_name=row.stage.name,
                from_stage_name=row.from_stage.name if row.from_stage else "",
                entered_at=row.entered_at,
                left_at=row.left_at,
                duration=duration,
                changed_by=str(row.changed_by) if row.changed_by else "",
            )
        )
    return stays


def _render_deal(
    request: HttpRequest,
    deal_id: int,
    *,
    lose_form: LoseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    try:
        deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    except NotFound:
        raise Http404 from None
    can_change = can_write(actor.role, Entity.DEAL)
    is_open = deal.status == DealStatus.OPEN
    contacts = (
        list(
            customer_selectors.visible_contacts(actor=actor)
            .filter(pk__in=deal.contact_ids)
            .order_by("name", "id")
        )
        if deal.contact_ids
        else []
    )
    context = {
        "deal": deal,
        "account_url": url_or_none("account_detail", deal.account_id),
        "stages": list(selectors.stage_list(actor=actor, pipeline_id=deal.pipeline_id)),
        "stays": _stays(actor, deal),
        "line_items": list(selectors.line_item_list(actor=actor, deal_id=deal.pk)),
        "contacts": [(contact, url_or_none("contact_detail", contact.pk)) for contact in contacts],
        "timeline": activity_selectors.deal_timeline(actor=actor, deal_id=deal.pk, limit=30),
        "can_close": can_change and is_open,
        "win_form": WinForm(initial={"version": deal.version}),
        "lose_form": lose_form
        or (
            LoseForm(initial={"version": deal.version}, actor=actor)
            if can_change and is_open
            else None
        ),
        "board_url": reverse("pipeline_board") + "?" + urlencode({"pipeline": deal.pipeline_id}),
    }
    return render(request, "web/pipeline/deal_detail.html", context, status=status)


@login_required
@require_GET
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _render_deal(request, deal_id)


def _after_close(request: HttpRequest, deal_id: int, error: DomainError | None) -> HttpResponse:
    """Back to the deal page, saying what happened (a stale version changed nothing)."""
    if isinstance(error, NotFound):
        raise Http404
    if isinstance(error, PermissionDenied):
        raise HttpForbidden(error.message)
    if isinstance(error, StaleVersion):
        messages.error(request, str(STALE_MESSAGE))
    elif error is not None:
        messages.error(request, error.message)
    return HttpResponseRedirect(reverse("deal_detail", args=[deal_id]))


@login_required
@require_POST
def deal_win(request: HttpRequest, deal_id: int) -> HttpResponse:
    form = WinForm(request.POST)
    if not form.is_valid():
        return _after_close(
            request, deal_id, DomainError("invalid", _("Reload the page and try again."))
        )
    try:
        services.deal_win(
            actor=actor_of(request), deal_id=deal_id, version=form.cleaned_data["version"]
        )
    except DomainError as error:
        return _after_close(request, deal_id, error)
    messages.success(request, _("The deal is won. Congratulations!"))
    return _after_close(request, deal_id, None)


@login_required
@require_POST
def deal_lose(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = LoseForm(request.POST, actor=actor)
    if not form.is_valid():
        return _render_deal(request, deal_id, lose_form=form, status=422)
    try:
        services.deal_lose(
            actor=actor,
            deal_id=deal_id,
            lost_reason_id=form.cleaned_data["lost_reason_id"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except (NotFound, PermissionDenied, StaleVersion) as error:
        return _after_close(request, deal_id, error)
    except DomainError as error:
        fields = {"lost_note": "note"}
        for field_error in error.errors or []:
            name = fields.get(field_error.field, field_error.field)
            form.add_error(name if name in form.fields else None, field_error.message)
        if not error.errors:
            form.add_error(None, error.message)
        return _render_deal(request, deal_id, lose_form=form, status=422)
    messages.info(request, _("The deal is marked as lost."))
    return _after_close(request, deal_id, None)
