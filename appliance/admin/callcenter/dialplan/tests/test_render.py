"""Rendering the model into Asterisk configuration (real MariaDB, no Asterisk)."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from appliance.admin.callcenter.dialplan import RenderError, create_revisions, load_snapshot
from appliance.admin.callcenter.dialplan.render import render_unit
from appliance.admin.callcenter.models import (
    Gateway,
    InboundTopic,
    OutboundTopic,
    Revision,
    Route,
)
from appliance.contracts import agency_dialplan
from appliance.contracts.bundle import check_bundle

from .model import build_model, make_unit

pytestmark = pytest.mark.usefixtures("admin_db")


def _sections(text: str, name: str) -> list[str]:
    """The bodies of every ``[name]`` section (several types may share a name in PJSIP)."""
    bodies, current = [], None
    for line in text.splitlines():
        if line.startswith("["):
            current = None
            if line.split("]")[0] == f"[{name}":
                current = []
                bodies.append(current)
        elif current is not None and line.strip():
            current.append(line.strip())
    return ["\n".join(body) for body in bodies]


def test_a_workplace_is_a_webrtc_endpoint_with_its_generated_secret(tmp_path):
    model = build_model(tmp_path)
    files = render_unit(load_snapshot(), "pbx1", 7)

    endpoint, aor, auth = _sections(files["pjsip.conf"], "1001")
    assert "type = endpoint" in endpoint
    for line in (
        "webrtc = yes",
        "direct_media = no",
        "rtp_timeout = 30",
        "allow = opus,ulaw",
        "context = Outbound",
        "auth = 1001",
        "aors = 1001",
    ):
        assert line in endpoint.splitlines()
    assert aor.splitlines() == ["type = aor", "max_contacts = 1", "remove_existing = yes"]
    assert f"password = {model.workplace.sip_secret}" in auth.splitlines()
    assert "username = 1001" in auth.splitlines()


def test_a_gateway_is_a_trunk_identified_by_its_address(tmp_path):
    build_model(tmp_path, gateway_host="10.0.0.5", gateway_port=5070)
    pjsip = render_unit(load_snapshot(), "pbx1", 7)["pjsip.conf"]

    endpoint, aor, identify = _sections(pjsip, "sipnet")
    assert "context = from-sipnet" in endpoint.splitlines()
    assert "transport = transport-udp" in endpoint.splitlines()
    assert "outbound_auth" not in endpoint
    assert "contact = sip:10.0.0.5:5070" in aor.splitlines()
    assert "match = 10.0.0.5" in identify.splitlines()
    assert "type = registration" not in pjsip


def test_a_gateway_with_credentials_registers_and_authenticates(tmp_path):
    model = build_model(tmp_path)
    gateway = model.gateway
    gateway.username, gateway.password, gateway.auth_domain = "0012345", "pa;ss", "sipnet.ru"
    gateway.transport = "tcp"
    gateway.save()
    pjsip = render_unit(load_snapshot(), "pbx1", 7)["pjsip.conf"]

    endpoint, _aor, _identify, auth, registration = _sections(pjsip, "sipnet")
    assert "outbound_auth = sipnet" in endpoint.splitlines()
    assert "password = pa\\;ss" in auth.splitlines()  # ';' would start a comment
    assert "realm = sipnet.ru" in auth.splitlines()
    assert "client_uri = sip:0012345@sipnet.ru" in registration.splitlines()
    assert "contact_user = 74951234567" in registration.splitlines()  # calls arrive on the DID
    assert "transport = transport-tcp" in registration.splitlines()


def test_a_group_is_a_queue_with_hold_music_timeout_and_no_wrapup_of_its_own(tmp_path):
    build_model(tmp_path)
    snapshot = load_snapshot()
    files = render_unit(snapshot, "pbx1", 7)

    (queue,) = _sections(files["queues.conf"], "sales")
    for line in ("strategy = rrmemory", "timeout = 20", "wrapuptime = 0", "musicclass = uzor-hold"):
        assert line in queue.splitlines()
    (moh,) = _sections(files["musiconhold.conf"], "uzor-hold")
    ref = snapshot.sounds["hold"].ref
    assert moh.splitlines() == ["mode = playlist", f"entry = @UZOR_SOUNDS_DIR@/{ref}"]


def test_the_dialplan_routes_a_did_through_the_topic_to_the_queue(tmp_path):
    model = build_model(tmp_path)
    snapshot = load_snapshot()
    dialplan = render_unit(snapshot, "pbx1", 42)["extensions.conf"]

    assert "UZOR_REVISION = 42" in dialplan.splitlines()
    (gateway_context,) = _sections(dialplan, "from-sipnet")
    assert "exten => 74951234567,1,Goto(Inbound,74950000001,1)" in gateway_context
    (inbound,) = _sections(dialplan, "Inbound")
    topic = model.topic
    expected = [
        f"exten => 74950000001,1,Set(__UZOR_TOPIC={topic.pk}) ; Sales line",
        "same => n,Set(__UZOR_SCRIPT_URL=https://crm.example/s?id=1)",
        f"same => n,Gosub(uzor-schedule-{model.schedule.pk},s,1)",
        "same => n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        f"same => n,Playback(@UZOR_SOUNDS_DIR@/{snapshot.sounds['greeting'].ref})",
        "same => n,Queue(sales,t,,,,,uzor-record-member)",
        f"same => n,Playback(@UZOR_SOUNDS_DIR@/{snapshot.sounds['closed'].ref})",
    ]
    positions = [inbound.splitlines().index(line) for line in expected]
    assert positions == sorted(positions)
    (schedule,) = _sections(dialplan, f"uzor-schedule-{model.schedule.pk}")
    assert "same => n,GotoIfTime(00:00-23:59,sun,*,*?closed)" in schedule


def test_the_dialplan_tells_the_agency_each_call_s_topic_and_its_end_outside_the_queue(tmp_path):
    """UserEvent UzorCall (class user, which the agency's AMI user reads): the call record's
    topic and DID when a call enters its topic, closed in non-working time or on a suspended
    topic, no_route for a number no topic or route takes, dialled for an outbound topic."""
    model = build_model(tmp_path)
    dialplan = render_unit(load_snapshot(), "pbx1", 1)["extensions.conf"]
    offered = (
        "same => n,UserEvent(UzorCall,Stage: offered,Topic: 74950000001,"
        "Did: ${FILTER(0-9*#+,${CALLERID(dnid)})},Hidden: ${UZOR_CALLER_HIDDEN})"
    )
    no_route = (
        "exten => i,1,UserEvent(UzorCall,Stage: no_route,Did: ${FILTER(0-9*#+,${INVALID_EXTEN})})"
    )
    (inbound,) = _sections(dialplan, "Inbound")
    lines = inbound.splitlines()
    assert lines.index(offered) < lines.index("same => n,Queue(sales,t,,,,,uzor-record-member)")
    assert lines[lines.index(no_route) + 1] == "same => n,Hangup(1)"
    (gateway_context,) = _sections(dialplan, "from-sipnet")
    assert no_route in gateway_context.splitlines()
    (schedule,) = _sections(dialplan, f"uzor-schedule-{model.schedule.pk}")
    closed = "same => n(closed),UserEvent(UzorCall,Stage: closed) ; the agency's call record"
    lines = schedule.splitlines()
    assert lines[lines.index(closed) + 1] == "same => n,Return(1)"
    (outbound,) = _sections(dialplan, "Outbound")
    assert "same => n,UserEvent(UzorCall,Stage: dialled,Topic: 111,Number: ${UZOR_NUMBER})" in (
        outbound.splitlines()
    )
    (routes,) = _sections(dialplan, "uzor-routes")
    lines = routes.splitlines()
    assert lines[lines.index("same => n,UserEvent(UzorCall,Stage: no_route)") + 1] == (
        "same => n,Hangup(3)"
    )

    model.topic.state = InboundTopic.State.SUSPENDED  # refused, and recorded as closed
    model.topic.save()
    (inbound,) = _sections(render_unit(load_snapshot(), "pbx1", 2)["extensions.conf"], "Inbound")
    lines = inbound.splitlines()
    assert lines[lines.index(offered) + 1] == "same => n,UserEvent(UzorCall,Stage: closed)"


def test_features_give_the_agency_its_transfer_codes(tmp_path):
    build_model(tmp_path)
    features = render_unit(load_snapshot(), "pbx1", 7)["features.conf"]

    (featuremap,) = _sections(features, "featuremap")
    assert set(featuremap.splitlines()) == {"atxfer = *2", "blindxfer = #1", "disconnect = *0"}
    assert "revision 7" in features.splitlines()[0]


def test_workplaces_are_dialable_in_outbound_for_transfers(tmp_path):
    build_model(tmp_path)
    extensions = render_unit(load_snapshot(), "pbx1", 7)["extensions.conf"]

    (outbound,) = _sections(extensions, "Outbound")
    lines = outbound.splitlines()
    assert "exten => 1001,1,Dial(PJSIP/1001,30)" in lines
    assert lines[lines.index("exten => 1001,1,Dial(PJSIP/1001,30)") + 1] == "same => n,Hangup()"


def test_the_agencys_hold_and_conference_contexts_survive_a_dialplan_reload(tmp_path):
    build_model(tmp_path)
    extensions = render_unit(load_snapshot(), "pbx1", 7)["extensions.conf"]

    (hold,) = _sections(extensions, "uzor-agency-hold")
    assert "exten => held,1,NoOp(held)" in hold.splitlines()
    assert "same => n,MusicOnHold(${UZOR_MOH})" in hold.splitlines()
    # back from hold, the caller's call ends with its bridge (no one-hour wait left behind)
    assert 'same => n,ExecIf($["${UZOR_UNHELD}" = "1"]?Hangup())' in hold.splitlines()
    assert "exten => operator,1,NoOp(operator)" in hold.splitlines()
    (conference,) = _sections(extensions, "uzor-agency-conference")
    assert "same => n,ConfBridge(${EXTEN})" in conference.splitlines()
    assert agency_dialplan.extensions_conf() in extensions  # the rows the agency installs


def test_a_hidden_caller_number_is_withheld_and_flagged(tmp_path):
    model = build_model(tmp_path)
    model.topic.hide_caller_number = True
    model.topic.save()
    (inbound,) = _sections(render_unit(load_snapshot(), "u", 1)["extensions.conf"], "Inbound")
    assert "same => n,Set(__UZOR_CALLER_HIDDEN=1)" in inbound
    assert "same => n,Set(CALLERID(pres)=prohib)" in inbound


def test_outbound_prefix_tags_the_topic_and_routes_go_in_order(tmp_path):
    model = build_model(tmp_path)
    second = Route(pattern="_8XXX.", gateway=model.gateway, order=5, transformation="7${EXTEN:1}")
    second.save()
    model.route.order = 1
    model.route.save()
    dialplan = render_unit(load_snapshot(), "u", 1)["extensions.conf"]

    (outbound,) = _sections(dialplan, "Outbound")
    assert f"exten => _111.,1,Set(__UZOR_TOPIC={model.outbound.pk}) ; Calls out" in outbound
    assert "same => n,Set(UZOR_NUMBER=${FILTER(0-9*#+,${EXTEN:3})})" in outbound
    (routes,) = _sections(dialplan, "uzor-routes")
    first_at = routes.index(f"uzor-route-{model.route.pk},")
    second_at = routes.index(f"uzor-route-{second.pk},")
    assert first_at < second_at
    assert routes.splitlines()[-1] == "same => n,Hangup(3)"  # no route: refused, cause 3
    (route,) = _sections(dialplan, f"uzor-route-{model.route.pk}")
    assert route.splitlines() == [
        "exten => _89.,1,Set(UZOR_DIAL=${EXTEN})",
        "same => n,Set(CALLERID(num)=74951112233)",
        "same => n,Dial(PJSIP/${FILTER(0-9*#+,${UZOR_DIAL})}@sipnet,120)",
        "same => n,Hangup()",
    ]
    (other,) = _sections(dialplan, f"uzor-route-{second.pk}")
    assert "exten => _8XXX.,1,Set(UZOR_DIAL=7${EXTEN:1})" in other


def test_a_dialled_number_with_other_characters_is_refused_before_any_route(tmp_path):
    """'&' adds a channel to Dial(), ',' options, '/' and '@' another technology or trunk: a
    number that FILTER() would change goes to uzor-refused, never to uzor-routes."""
    build_model(tmp_path)
    dialplan = render_unit(load_snapshot(), "u", 1)["extensions.conf"]

    (outbound,) = _sections(dialplan, "Outbound")
    lines = outbound.splitlines()
    check = "same => n,GotoIf($[${LEN(${UZOR_NUMBER})} != ${LEN(${EXTEN:3})}]?uzor-refused,s,1)"
    assert lines.index(check) < lines.index("same => n,Goto(uzor-routes,s,1)")
    assert lines.index(check) > lines.index(
        "same => n,Set(UZOR_NUMBER=${FILTER(0-9*#+,${EXTEN:3})})"
    )
    (refused,) = _sections(dialplan, "uzor-refused")
    assert "same => n,Hangup(21)" in refused.splitlines()  # call rejected: SIP 403


def test_user_text_cannot_inject_config_lines_or_dialplan_code(tmp_path):
    model = build_model(tmp_path)
    evil = "https://crm.example/a;b,c?x=${SHELL(id)}&y=$[1+1](z)\"'"
    # The model refuses control characters; rows written around it must still render safely.
    InboundTopic.objects.filter(pk=model.topic.pk).update(
        script_url=evil, name="Line 1\n[evil]\nexten => _X.,1,System(id) ;-- x"
    )
    dialplan = render_unit(load_snapshot(), "u", 1)["extensions.conf"]

    lines = dialplan.splitlines()
    assert not [x for x in lines if x.startswith("[evil]") or "System(id)" in x.split(";")[0]]
    assert (
        f"Set(__UZOR_TOPIC={model.topic.pk}) ; Line 1 [evil] exten => _X.,1,System(id) ,-- x"
        in dialplan
    )
    line = next(x for x in lines if "UZOR_SCRIPT_URL=" in x)  # the inbound topic comes first
    assert line.endswith(
        "Set(__UZOR_SCRIPT_URL=https://crm.example/a%3Bb%2Cc?x=%24%7BSHELL%28id%29%7D"
        "&y=%24%5B1+1%5D%28z%29%22%27)"
    )


@translation.override("en")
def test_a_value_that_cannot_be_made_safe_is_refused_naming_the_object(tmp_path):
    model = build_model(tmp_path)
    Gateway.objects.filter(pk=model.gateway.pk).update(password="line1\nline2", username="u")
    with pytest.raises(RenderError, match="gateway sipnet: password"):
        render_unit(load_snapshot(), "u", 1)
    Gateway.objects.filter(pk=model.gateway.pk).update(password="ok")
    Route.objects.filter(pk=model.route.pk).update(transformation="${SHELL(id)}")
    with pytest.raises(RenderError, match="number transformation"):
        render_unit(load_snapshot(), "u", 1)


@translation.override("en")
def test_a_bad_sound_name_or_transport_is_refused(tmp_path):
    from appliance.admin.callcenter.models import Sound

    model = build_model(tmp_path)
    Gateway.objects.filter(pk=model.gateway.pk).update(transport="tls")
    with pytest.raises(RenderError, match="gateway sipnet: transport"):
        render_unit(load_snapshot(), "u", 1)
    Gateway.objects.filter(pk=model.gateway.pk).update(transport="udp")
    Sound.objects.filter(pk=model.greeting.pk).update(name="x)\nexten=>s,1,System(id")
    with pytest.raises(RenderError, match="sound name"):
        render_unit(load_snapshot(), "u", 1)


def test_trunks_are_known_only_by_address_and_workplaces_by_user_name(tmp_path):
    build_model(tmp_path, gateway_host="10.0.0.5")
    pjsip = render_unit(load_snapshot(), "u", 1)["pjsip.conf"]
    trunk = _sections(pjsip, "sipnet")[0].splitlines()
    workplace = _sections(pjsip, "1001")[0].splitlines()
    assert "identify_by = ip" in trunk
    assert "identify_by = username" in workplace and "auth = 1001" in workplace
    # a workplace's SIP only from the app node's nginx (admin.yaml workplace_signalling_from)
    rules = [line for line in workplace if line.startswith(("deny", "permit"))]
    assert rules == [
        "deny = 0.0.0.0/0.0.0.0",
        "deny = ::/0",
        "permit = 127.0.0.0/8",
        "permit = ::1/128",
    ]


def test_the_units_sip_acl_lets_in_only_the_gateways_and_the_app_node(tmp_path):
    """res_pjsip_acl's section: deny everyone, permit each gateway's address and the networks
    workplaces come from (the app node's nginx); a gateway known by name is written as the
    placeholder line uzor-confgen resolves on the unit."""
    model = build_model(tmp_path, gateway_host="10.0.0.5")
    (acl,) = _sections(render_unit(load_snapshot(), "u", 1)["pjsip.conf"], "uzor-acl")
    assert [line for line in acl.splitlines() if not line.startswith(";")] == [
        "type = acl",
        "deny = 0.0.0.0/0.0.0.0",
        "deny = ::/0",
        "permit = 10.0.0.5/32",
        "permit = 127.0.0.0/8",
        "permit = ::1/128",
    ]
    Gateway.objects.filter(pk=model.gateway.pk).update(host="sip.carrier.example")
    (acl,) = _sections(render_unit(load_snapshot(), "u", 1)["pjsip.conf"], "uzor-acl")
    assert "permit = @UZOR_ADDRESSES:sip.carrier.example@" in acl


@translation.override("en")
@pytest.mark.parametrize("reserved", ["anonymous", "Anonymous", "transport-udp", "uzor-refused"])
def test_a_gateway_with_a_reserved_name_is_refused(tmp_path, reserved):
    model = build_model(tmp_path)
    Gateway.objects.filter(pk=model.gateway.pk).update(name=reserved)  # around the model's rules
    with pytest.raises(RenderError, match="reserved"):
        render_unit(load_snapshot(), "u", 1)


@translation.override("en")
def test_a_gateway_into_the_outbound_context_is_refused(tmp_path):
    from appliance.admin.callcenter.models import Context

    model = build_model(tmp_path)
    Gateway.objects.filter(pk=model.gateway.pk).update(context=Context.outbound())
    with pytest.raises(RenderError, match="Outbound"):
        render_unit(load_snapshot(), "u", 1)


def test_revisions_are_numbered_hashed_and_verifiable_per_unit(tmp_path):
    build_model(tmp_path)
    first_unit, _ = make_unit("pbx1")
    second_unit, _ = make_unit("pbx2", port=5039)

    made = create_revisions([first_unit, second_unit], created_by="admin")
    again = create_revisions([first_unit])

    first, second = made[first_unit.pk], made[second_unit.pk]
    assert first.number < second.number < again[first_unit.pk].number
    for unit, revision in ((first_unit, first), (second_unit, second)):
        bundle = check_bundle(revision.bundle.encode(), revision.content_hash, unit.name)
        assert bundle["revision"] == revision.number
        assert f"UZOR_REVISION = {revision.number}" in bundle["files"]["extensions.conf"]
        assert sorted(bundle["files"]) == [
            "extensions.conf",
            "features.conf",
            "musiconhold.conf",
            "pjsip.conf",
            "queues.conf",
        ]
        assert len(bundle["sounds"]) == 3
    assert Revision.current(first_unit) == again[first_unit.pk]
    with pytest.raises(ValueError, match="immutable"):
        first.save()
    assert json.loads(first.bundle)["created_at"]


def test_a_render_error_creates_no_revision(tmp_path):
    model = build_model(tmp_path)
    unit, _ = make_unit()
    OutboundTopic.objects.filter(pk=model.outbound.pk).update(prefix="1x1")
    with pytest.raises(RenderError):
        create_revisions([unit])
    assert not Revision.objects.exists()
