"""The authentication backend: Django's model backend, refusing people without a login.

A person in the directory who was never invited (``has_login`` False) cannot log in, and a
session of someone whose login was withdrawn is not accepted either (``get_user`` asks the same
question). docs/adr/0019-people.md."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class KeelBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user) and getattr(user, "has_login", False))
