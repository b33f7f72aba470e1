"""Web pages of the contacts workspace, account merge and saved views of the lists."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_contacts, views_merge, views_saved_views

urlpatterns: list[URLPattern] = [
    path("contacts/", views_contacts.contact_list, name="contact_list"),
    path("contacts/new/", views_contacts.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", views_contacts.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", views_contacts.contact_edit, name="contact_edit"),
    path(
        "accounts/<int:account_id>/merge/",
        views_merge.account_merge_pick,
        name="account_merge_pick",
    ),
    path(
        "accounts/<int:account_id>/merge/<int:duplicate_id>/",
        views_merge.account_merge_confirm,
        name="account_merge_confirm",
    ),
    path("saved-views/", views_saved_views.saved_view_create, name="saved_view_create"),
    path(
        "saved-views/<int:view_id>/delete/",
        views_saved_views.saved_view_delete,
        name="saved_view_delete",
    ),
]
