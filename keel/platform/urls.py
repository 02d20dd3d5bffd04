from django.urls import path

from keel.platform.views import account, auth

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/", account.account, name="account"),
    path("account/tokens/", account.token_create, name="token-create"),
    path("account/tokens/<uuid:token_id>/revoke/", account.token_revoke, name="token-revoke"),
    path("account/password/", account.password_change, name="password-change"),
]
