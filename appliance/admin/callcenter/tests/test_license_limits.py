"""The admin shows this server's license and keeps to its PBX-unit limit (real MariaDB, real
licenses signed by an ephemeral vendor key)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.license_status import LicenseLimitError
from appliance.admin.callcenter.models import PbxUnit
from testkit.licensing import LicenseFiles, make_license_files
from testkit.tools import free_port

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def licensed(files: LicenseFiles):  # type: ignore[no-untyped-def]
    location = {"path": str(files.license_path), "public_keys": str(files.public_keys)}
    return override_settings(UZOR_LICENSE={**location, "required": True})


@pytest.fixture
def one_unit_license(tmp_path: Path) -> Iterator[LicenseFiles]:
    files = make_license_files(tmp_path / "lic", max_pbx_units=1, customer="ACME Contact")
    with licensed(files):
        yield files


@pytest.fixture
def client() -> Client:
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    client = Client()
    client.force_login(root)
    return client


def unit(name: str, enabled: bool = True) -> PbxUnit:
    made = PbxUnit(
        name=name,
        address="127.0.0.1",
        ami_port=free_port(),
        ami_user="uzor",
        ami_secret="s3cret",
        enabled=enabled,
    )
    made.save()
    return made


def unit_form(name: str) -> dict[str, str]:
    return {
        "name": name,
        "address": "127.0.0.1",
        "ami_port": "5038",
        "ami_user": "uzor",
        "ami_secret": "s3cret",
        "enabled": "on",
    }


def test_the_index_shows_the_license(client: Client, one_unit_license: LicenseFiles) -> None:
    page = client.get(reverse("admin:index")).content.decode()
    assert "ACME Contact" in page and one_unit_license.license.license_id in page
    assert "Enabled PBX units, at most" in page
    assert "no end date" in page


def test_the_index_shows_the_license_in_russian(
    client: Client, one_unit_license: LicenseFiles
) -> None:
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Лицензия" in page and "ACME Contact" in page
    assert "Enabled PBX units" not in page


def test_the_index_warns_before_the_license_ends(client: Client, tmp_path: Path) -> None:
    ends = datetime.now(UTC) + timedelta(days=10, hours=1)
    files = make_license_files(tmp_path / "lic", not_after=ends)
    with licensed(files):
        page = client.get(reverse("admin:index")).content.decode()
        russian = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "The license ends in 10 days" in page
    assert ends.strftime("%Y-%m-%d") in page
    assert "Лицензия закончится через 10 дней" in russian


def test_a_far_end_date_shows_the_days_left_without_a_warning(
    client: Client, tmp_path: Path
) -> None:
    files = make_license_files(tmp_path / "lic", not_after=datetime.now(UTC) + timedelta(days=200))
    with licensed(files):
        page = client.get(reverse("admin:index")).content.decode()
    assert "Days left" in page and "The license ends in" not in page


def test_enabling_a_unit_beyond_the_license_is_refused(one_unit_license: LicenseFiles) -> None:
    unit("pbx1")
    with pytest.raises(ValidationError) as refused:
        unit("pbx2")
    assert "The license allows 1 enabled PBX unit." in str(refused.value)
    spare = unit("pbx2", enabled=False)  # a disabled unit does not count
    spare.enabled = True
    with pytest.raises(ValidationError):
        spare.save()


def test_the_admin_form_says_why_a_second_unit_cannot_be_enabled(
    client: Client, one_unit_license: LicenseFiles
) -> None:
    unit("pbx1")
    url = reverse("admin:callcenter_pbxunit_add")
    response = client.post(url, unit_form("pbx2"))
    assert response.status_code == 200
    assert "The license allows 1 enabled PBX unit." in response.content.decode()
    russian = client.post(url, unit_form("pbx2"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Лицензия допускает 1 включённый юнит АТС." in russian
    assert not PbxUnit.objects.filter(name="pbx2").exists()


def test_apply_is_refused_when_more_units_are_enabled_than_licensed(tmp_path: Path) -> None:
    unit("pbx1"), unit("pbx2")  # enabled under a bigger license, now replaced by a smaller one
    files = make_license_files(tmp_path / "lic", max_pbx_units=1)
    with licensed(files), pytest.raises(LicenseLimitError) as refused:
        apply_dialplan(timeout=2)
    assert "allows 1 enabled PBX unit and 2 are enabled" in str(refused.value)


def test_the_apply_button_reports_the_license_limit(client: Client, tmp_path: Path) -> None:
    unit("pbx1"), unit("pbx2")
    files = make_license_files(tmp_path / "lic", max_pbx_units=1)
    with licensed(files):
        response = client.post(reverse("admin:callcenter_pbxunit_apply"), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("Nothing was applied: the license allows 1" in m for m in shown), shown
