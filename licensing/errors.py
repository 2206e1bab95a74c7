# ruff: noqa: N818 - the error names are the public API (README.md, "Licensing")
"""The errors of license loading and verification.

Every error is a subclass of `LicenseError`; `str(error)` is a message an administrator can act
on (what is wrong and what to do or send to the vendor), in the active language (see
`licensing.i18n`). Verification never returns False: it raises one of these.
"""

from __future__ import annotations

from typing import ClassVar

from licensing.i18n import N_, _


class LicenseError(Exception):
    """Base class: the license (or the material needed to check it) is not acceptable."""

    error_id: ClassVar[str] = "license-error"
    template: ClassVar[str] = N_("The license cannot be used: {reason}")

    def __init__(self, **fields: object) -> None:
        self.fields = fields
        super().__init__(self.error_id, fields)

    def __str__(self) -> str:
        """The message on one printable line, whatever the (partly untrusted) fields hold."""
        message = _(self.template).format(**self.fields)
        return " ".join("".join(c if c.isprintable() else " " for c in message).split())


class LicenseMissing(LicenseError):
    error_id = "license-missing"
    template = N_(
        "There is no license file at {path}. Send this server's ID to the vendor and save the "
        "license you receive as {path}."
    )


class LicenseMalformed(LicenseError):
    error_id = "license-malformed"
    template = N_(
        "The license in {path} is damaged or is not an Uzor license ({reason}). Paste the whole "
        "block from -----BEGIN UZOR LICENSE----- to -----END UZOR LICENSE----- again, or ask the "
        "vendor to send the license again."
    )


class BadSignature(LicenseError):
    error_id = "bad-signature"
    template = N_(
        "The signature of license {license_id} is not valid: the license was changed after the "
        "vendor signed it, or the vendor did not issue it. Do not edit the license file; ask the "
        "vendor to send license {license_id} again."
    )


class UnknownKey(LicenseError):
    error_id = "unknown-key"
    template = N_(
        "License {license_id} is signed with vendor key {key_id}, which this installation does "
        "not know (known keys: {known_keys}). Update Uzor (the uzor-common package carries the "
        "vendor's keys) or ask the vendor for a license signed with a current key."
    )


class WrongServer(LicenseError):
    error_id = "wrong-server"
    template = N_(
        "License {license_id} was issued for another server ({licensed_host}): only {matched} "
        "of the 3 hardware facts match this server ({facts}), at least 2 are needed. Send this "
        "server's ID to the vendor to get a license for it."
    )


class Expired(LicenseError):
    error_id = "license-expired"
    template = N_(
        "License {license_id} expired on {not_after} (the clock says {now}). Ask the vendor to "
        "renew it; send them this server's ID."
    )


class NotYetValid(LicenseError):
    error_id = "license-not-yet-valid"
    template = N_(
        "License {license_id} was issued on {issued_at}, but the system clock says {now}, which "
        "is earlier: the clock has been set back or is wrong. Set the correct time (timedatectl, "
        "NTP) and start again; if the clock is right, tell the vendor the license's issue date "
        "is in the future."
    )


class PublicKeyError(LicenseError):
    error_id = "public-key-error"
    template = N_(
        "The vendor's public keys cannot be read from {path} ({reason}). Reinstall the "
        "uzor-common package, which carries them, or fix the configured key path."
    )


class MalformedServerId(LicenseError):
    error_id = "server-id-malformed"
    template = N_(
        "The server ID is not valid ({reason}). Copy the whole line starting with '1|' exactly "
        "as the configurator or `uzor-license server-id` printed it."
    )


class PrivateKeyError(LicenseError):
    error_id = "private-key-error"
    template = N_(
        "The vendor's private key cannot be used from {path} ({reason}). Use the vendor.key file "
        "written by `uzor-license keygen`."
    )


class SignatureMalformed(LicenseError):
    error_id = "signature-malformed"
    template = N_(
        "The signature file {path} is damaged or not an Uzor signature ({reason}). Get the "
        "original file and its signature again."
    )


class FileSignatureInvalid(LicenseError):
    error_id = "file-signature-invalid"
    template = N_(
        "The signature of {path} is not valid ({reason}). Do not use this file; get the "
        "original from the vendor again."
    )
