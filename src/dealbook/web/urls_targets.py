"""Web pages of SMART targets (views_targets)."""

from __future__ import annotations

from django.urls import URLPattern, path

from dealbook.web import views_target_people as people
from dealbook.web import views_targets as views

urlpatterns: list[URLPattern] = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/recommend/", views.target_recommend, name="target_recommend"),
    path("targets/<int:target_id>/", views.target_detail, name="target_detail"),
    path("targets/<int:target_id>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:target_id>/approve/", views.target_approve, name="target_approve"),
    path("targets/<int:target_id>/lock/", views.target_lock, name="target_lock"),
    path("targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("targets/<int:target_id>/cascade/", views.target_cascade, name="target_cascade"),
    path(
        "targets/people/<int:user_id>/",
        people.target_person_history,
        name="target_person_history",
    ),
    path(
        "targets/people/<int:user_id>/leave/",
        people.target_leave_add,
        name="target_leave_add",
    ),
    path(
        "targets/people/<int:user_id>/leave/<int:leave_id>/delete/",
        people.target_leave_delete,
        name="target_leave_delete",
    ),
]
