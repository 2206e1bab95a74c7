import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def test_every_request_is_logged_with_user_and_status(caplog):
    User.objects.create_superuser("root", "", "root-Pass-2026")
    client = Client()
    client.force_login(User.objects.get(username="root"))
    logger = logging.getLogger("uzor.access")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="uzor.access"):
            client.get("/admin/callcenter/operator/?q=101", REMOTE_ADDR="10.1.2.3")
            Client().get("/admin/", REMOTE_ADDR="10.9.9.9")
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "uzor.access"]
    assert any(
        line.startswith('10.1.2.3 root "GET /admin/callcenter/operator/?q=101" 200')
        for line in lines
    ), lines
    assert any(line.startswith('10.9.9.9 - "GET /admin/" 302') for line in lines), lines
