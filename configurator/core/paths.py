"""Where the configurator reads and writes, under a filesystem prefix (``--root``) so tests
and image builders never touch the live system."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    root: Path = Path("/")

    def under_root(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    @property
    def is_live_system(self) -> bool:
        return self.root.resolve() == Path("/")

    @property
    def etc_uzor(self) -> Path:
        return self.under_root("/etc/uzor")

    @property
    def secrets_dir(self) -> Path:
        return self.etc_uzor / "secrets"

    @property
    def db_password_file(self) -> Path:
        return self.secrets_dir / "db_password"

    @property
    def django_secret_key_file(self) -> Path:
        return self.secrets_dir / "django_secret_key"

    @property
    def agency_dir(self) -> Path:
        return self.etc_uzor / "agency"

    @property
    def agency_conf_d(self) -> Path:
        """Local additions to the agency's configuration (uzor-agency's postinst makes it)."""
        return self.agency_dir / "conf.d"

    @property
    def agency_secrets_dir(self) -> Path:
        """The agency's own secrets, readable by its system user only (not the admin's)."""
        return self.agency_dir / "secrets"

    @property
    def agency_db_password_file(self) -> Path:
        return self.agency_secrets_dir / "db_password"

    @property
    def bundle_signing_key_file(self) -> Path:
        return self.secrets_dir / "bundle_signing_key"

    @property
    def supervisor_signing_key_file(self) -> Path:
        """The admin's key that signs the wallboard's tokens (the admin's user only)."""
        return self.secrets_dir / "supervisor_signing_key"

    @property
    def agency_supervisor_key_file(self) -> Path:
        """Its public half, with which the agency checks the wallboard's tokens."""
        return self.agency_dir / "supervisor_key.pub"

    @property
    def agency_token_file(self) -> Path:
        return self.agency_secrets_dir / "api_token"

    @property
    def legacy_agency_token_file(self) -> Path:
        """Where versions before the agency's own system user kept its API token."""
        return self.secrets_dir / "agency_api_token"

    @property
    def admin_config(self) -> Path:
        return self.etc_uzor / "admin.yaml"

    def agency_config(self, instance: int = 1) -> Path:
        return self.agency_dir / f"{instance}.yaml"

    @property
    def agency_legacy_user_dropin(self) -> Path:
        """uzor-agency's postinst keeps an upgraded agency running as ``uzor`` with this systemd
        drop-in while its configuration still names the admin's secrets."""
        return self.under_root("/etc/systemd/system/uzor-agency@.service.d/uzor-legacy-user.conf")

    @property
    def license_file(self) -> Path:
        return self.etc_uzor / "license.key"

    @property
    def public_keys(self) -> Path:
        return self.under_root("/usr/share/uzor/keys")

    @property
    def tls_dir(self) -> Path:
        return self.etc_uzor / "tls"

    @property
    def tls_certificate(self) -> Path:
        return self.tls_dir / "uzor.crt"

    @property
    def tls_key(self) -> Path:
        return self.tls_dir / "uzor.key"

    @property
    def nginx_tls_snippet(self) -> Path:
        return self.under_root("/etc/nginx/snippets/uzor-tls.conf")

    @property
    def nginx_hsts_snippet(self) -> Path:
        return self.under_root("/etc/nginx/snippets/uzor-hsts.conf")

    @property
    def static_root(self) -> Path:
        return self.under_root("/var/lib/uzor/static")

    @property
    def media_root(self) -> Path:
        return self.under_root("/var/lib/uzor/media")

    @property
    def mysql_socket(self) -> Path:
        return self.under_root("/run/mysqld/mysqld.sock")
