import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.controls.tests.test_api import make_control

pytestmark = pytest.mark.django_db


def test_print(admin_client, isms, aims):
    for i in range(3):
        make_control(isms, f"C{i}", links=[("iso27001:2022:A.5.1", "full")])
    for url in ("/controls/",):
        admin_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            r = admin_client.get(url)
        print("\n=====", url, r.status_code, len(ctx.captured_queries))
        for q in ctx.captured_queries:
            print("  -", q["sql"][-400:])
