"""Web pages of leads and the pool (see views_leads)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_leads as views

urlpatterns: list[URLPattern] = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/qualify/", views.lead_qualify, name="lead_qualify"),
    path("leads/<int:lead_id>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:lead_id>/release/", views.lead_release, name="lead_release"),
    path("leads/<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    path("pool/", views.pool, name="pool"),
    path("pool/leads/<int:lead_id>/claim/", views.pool_lead_claim, name="pool_lead_claim"),
    path(
        "pool/accounts/<int:account_id>/claim/",
        views.pool_account_claim,
        name="pool_account_claim",
    ),
    path(
        "pool/accounts/<int:account_id>/release/",
        views.pool_account_release,
        name="pool_account_release",
    ),
]
