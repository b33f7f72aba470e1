"""Web pages of the customers workspace (see the brief in docs/architecture.md, Web UI)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_customers as views

urlpatterns: list[URLPattern] = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
    path("accounts/<int:account_id>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:account_id>/log/", views.account_log, name="account_log"),
]
