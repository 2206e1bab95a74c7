"""The confgen endpoints through Django's test client on MariaDB."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from appliance.admin.callcenter.dialplan import create_revisions
from appliance.admin.callcenter.dialplan.escape import RenderError
from appliance.admin.callcenter.dialplan.revisions import refuse_directives
from appliance.admin.callcenter.dialplan.tests.model import build_model, make_unit
from appliance.contracts.bundle import signed_message
from appliance.contracts.ed25519 import ed25519_verify

pytestmark = pytest.mark.usefixtures("admin_db")


def _get(path: str, token: str | None) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/admin/confgen/{path}", **headers)


def test_a_unit_gets_its_current_revision_bundle_and_sounds(tmp_path):
    build_model(tmp_path)
    unit, token = make_unit()
    assert _get("pbx1/current", token).status_code == 404  # nothing applied yet
    revision = create_revisions([unit])[unit.pk]

    current = _get("pbx1/current", token).json()
    bundle = _get(f"pbx1/revisions/{revision.number}", token)
    assert current == {
        "revision": revision.number,
        "sha256": revision.content_hash,
        "signature": revision.signature,
    }
    assert hashlib.sha256(bundle.content).hexdigest() == revision.content_hash
    # signed with the key the public endpoint gives (what uzor-pbx-setup pins), over the
    # exact bytes served: by cryptography and by the unit's stdlib verifier alike
    public = base64.b64decode(Client().get("/admin/confgen/signing-key").content)
    signature = base64.b64decode(current["signature"])
    Ed25519PublicKey.from_public_bytes(public).verify(signature, signed_message(bundle.content))
    assert ed25519_verify(public, signed_message(bundle.content), signature)
    assert not ed25519_verify(public, signed_message(bundle.content + b" "), signature)
    sounds = bundle.json()["sounds"]
    name, sha = sorted(sounds.items())[0]
    sound = _get(f"pbx1/sounds/{name}", token)
    assert hashlib.sha256(b"".join(sound.streaming_content)).hexdigest() == sha
    assert _get("pbx1/sounds/other-0123456789ab.wav", token).status_code == 404


def test_a_wrong_token_and_an_unknown_unit_look_the_same(tmp_path):
    unit, token = make_unit()
    other, other_token = make_unit("pbx2", port=5039)
    create_revisions([unit, other])
    answers = [
        _get("pbx1/current", None),
        _get("pbx1/current", "wrong"),
        _get("pbx1/current", other_token),  # another unit's token
        _get("nosuchunit/current", token),
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1
    other_revision = other.revisions.get().number
    assert _get(f"pbx1/revisions/{other_revision}", token).status_code == 404


def test_the_signing_key_is_made_once_0600_and_its_public_half_is_public(tmp_path):
    path = tmp_path / "bundle_signing_key"
    with override_settings(UZOR_BUNDLE_SIGNING_KEY=path):
        first = Client().get("/admin/confgen/signing-key")  # no token: the key is no secret
        again = Client().get("/admin/confgen/signing-key")
    assert first.status_code == 200 and first["Content-Type"].startswith("text/plain")
    assert len(base64.b64decode(first.content)) == 32 and first.content == again.content
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"BEGIN PRIVATE KEY" in path.read_bytes()
    printed = io.StringIO()
    with override_settings(UZOR_BUNDLE_SIGNING_KEY=path):
        call_command("bundle_signing_key", stdout=printed)  # for uzor-pbx-setup --signing-key
    assert printed.getvalue().strip() == first.content.decode().strip()


def test_apply_fails_clearly_when_the_key_cannot_be_made_and_the_endpoint_says_503(tmp_path):
    unit, _token = make_unit()
    missing = tmp_path / "no-such-directory" / "bundle_signing_key"
    with override_settings(UZOR_BUNDLE_SIGNING_KEY=missing):
        with pytest.raises(RenderError, match=r"The configuration cannot be signed: .*no-such"):
            create_revisions([unit])
        answer = Client().get("/admin/confgen/signing-key")
    assert answer.status_code == 503 and b"no-such" not in answer.content
    assert not unit.revisions.exists()  # all or none


@pytest.mark.parametrize("line", ["#exec /bin/sh", "  #include /etc/shadow", "a\r#exec id"])
def test_the_admin_never_makes_a_bundle_with_an_asterisk_directive(line):
    refuse_directives({"extensions.conf": "[ok]\nexten => _#,1,NoOp()\n"})  # '#' inside: fine
    with pytest.raises(RenderError, match=r"extensions.conf, line [23]: a line starting with '#'"):
        refuse_directives({"extensions.conf": f"[ok]\n{line}\n"})
    with translation.override("ru"), pytest.raises(RenderError, match="директива Asterisk"):
        refuse_directives({"extensions.conf": f"[ok]\n{line}\n"})
