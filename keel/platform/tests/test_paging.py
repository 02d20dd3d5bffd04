"""page_of: a page and the list's length in one query, the same Page as Paginator's."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.platform.models import User
from keel.platform.paging import page_of

pytestmark = pytest.mark.django_db


def test_a_page_and_its_count_come_in_one_query_and_match_the_paginator() -> None:
    User.objects.bulk_create(User(email=f"p{i}@example.com") for i in range(5))
    qs = User.objects.order_by("email")
    for number in (1, 2, 3, "x", 0, 99):
        expected = Paginator(qs, 2).get_page(number)
        with CaptureQueriesContext(connection) as ctx:
            got = page_of(qs, 2, number)
        assert [u.email for u in got.object_list] == [u.email for u in expected.object_list], number
        assert (got.number, got.paginator.count, got.paginator.num_pages) == (
            expected.number,
            5,
            3,
        ), number
        assert (got.has_next(), got.has_previous(), got.start_index()) == (
            expected.has_next(),
            expected.has_previous(),
            expected.start_index(),
        )
        if number not in (0, 99):  # out of range falls back to the paginator's count and page
            assert len(ctx.captured_queries) == 1, number
    assert page_of(User.objects.none(), 2, 1).paginator.count == 0
