from django.urls import path

from keel.organisation.views import context, organisation, people, trail

urlpatterns = [
    path("organisation/", organisation.organisation_page, name="organisation"),
    path("organisation/profile/", organisation.organisation_edit, name="organisation-edit"),
    path("organisation/systems/new/", organisation.system_create, name="system-create"),
    path("organisation/systems/<slug:ms>/edit/", organisation.system_edit, name="system-edit"),
    path("scope/", organisation.scope_list, name="scope-list"),
    path("scope/versions/<uuid:scope_id>/approve/", organisation.scope_approve, name="scope-approve"),
    path("scope/<slug:ms>/<str:standard>/", organisation.scope_detail, name="scope-detail"),
    path("scope/<slug:ms>/<str:standard>/draft/", organisation.scope_draft, name="scope-draft"),
    path("context/", context.context_page, name="context"),
    path("context/parties/new/", context.party_create, name="party-create"),
    path("context/parties/<uuid:pk>/", context.party_row, name="party-row"),
    path("context/parties/<uuid:pk>/edit/", context.party_edit, name="party-edit"),
    path("context/parties/<uuid:pk>/delete/", context.party_delete, name="party-delete"),
    path("context/issues/new/", context.issue_create, name="issue-create"),
    path("context/issues/<uuid:pk>/", context.issue_row, name="issue-row"),
    path("context/issues/<uuid:pk>/edit/", context.issue_edit, name="issue-edit"),
    path("context/issues/<uuid:pk>/delete/", context.issue_delete, name="issue-delete"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<uuid:user_id>/", people.person_edit, name="person-edit"),
    path("people/<uuid:user_id>/password/", people.person_password, name="person-password"),
    path("people/<uuid:user_id>/deactivate/", people.person_deactivate, name="person-deactivate"),
    path("people/<uuid:user_id>/activate/", people.person_activate, name="person-activate"),
    path("people/<uuid:user_id>/grant/", people.role_grant, name="role-grant"),
    path("people/roles/<uuid:assignment_id>/revoke/", people.role_revoke, name="role-revoke"),
    path("trail/", trail.trail_page, name="trail"),
]
