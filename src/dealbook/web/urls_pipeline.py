"""Web pages of the pipeline workspace: the board, the deal list and the deal page."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_deal_forms
from dealbook.web import views_pipeline as views

urlpatterns: list[URLPattern] = [
    path("pipeline/", views.pipeline_board, name="pipeline_board"),
    path("pipeline/list/", views.pipeline_list, name="pipeline_list"),
    path("deals/new/", views_deal_forms.deal_create, name="deal_create"),
    path("deals/<int:deal_id>/edit/", views_deal_forms.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:deal_id>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:deal_id>/win/", views.deal_win, name="deal_win"),
    path("deals/<int:deal_id>/lose/", views.deal_lose, name="deal_lose"),
]
