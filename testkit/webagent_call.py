"""The operator's side of an installed appliance, driven from outside the container.

- A carrier whose SIP binds 127.0.0.2: the PBX unit identifies its trunk by source address, and
  every WebSocket nginx proxies to the unit comes from 127.0.0.1, so the trunk must not.
- The walkthrough's gateway aimed at that carrier (and the topic's non-working schedule dropped,
  so the call is queued on any day), then Apply Dialplan on pbx1.
- In Chromium at ``https://<server>/agent/?host=<mac>``, the webagent itself, with every
  WebSocket URL and peer connection it opens recorded, so the test sees the phone's
  ``wss://<server>/sip/pbx1`` and reads ``getStats()`` without hooks in the app."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from testkit.pbx_carrier import Carrier
from testkit.pbx_configs import CARRIER_EXTENSIONS, pjsip_transports_conf
from testkit.target import Target

CARRIER_ADDRESS = "127.0.0.2"
UNIT_SIP = ("127.0.0.1", 5060)  # pbx1 (installer/demo_pbx.py): uzor-pbx's transports, host network

AIM_GATEWAY = """
import os
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.models import Gateway, InboundTopic, PbxUnit
gateway = Gateway.objects.get(name="sipnet")
gateway.host = os.environ["UZOR_E2E_CARRIER_HOST"]
gateway.port = int(os.environ["UZOR_E2E_CARRIER_PORT"])
gateway.save()
for topic in InboundTopic.objects.all():
    topic.non_working_schedules.clear()
for result in apply_dialplan(list(PbxUnit.objects.filter(name="pbx1")), created_by="e2e"):
    print(("applied" if result.ok else "FAILED"), result.unit, "-", result.message)
"""


def start_carrier(asterisk_unit: Any) -> Carrier:
    unit = asterisk_unit({"extensions.conf": CARRIER_EXTENSIONS}, name="carrier", start=False)
    transports = pjsip_transports_conf(unit.sip_port).replace("127.0.0.1:", f"{CARRIER_ADDRESS}:")
    unit.write_config("pjsip_transports.conf", transports)
    unit.start()
    carrier = Carrier(unit)
    carrier.point_at(UNIT_SIP)
    return carrier


def aim_gateway_at(target: Target, carrier: Carrier) -> str:
    env = {"UZOR_E2E_CARRIER_HOST": CARRIER_ADDRESS, "UZOR_E2E_CARRIER_PORT": str(carrier.sip_port)}
    return target.run(["uzor-admin", "shell", "--no-imports", "-c", AIM_GATEWAY], env=env).stdout


def agency_units(base: str, token: str, context: Any) -> list[dict[str, Any]]:
    """The agency's units with their AMI link; none while it (re)starts (nginx answers 502)."""
    request = urllib.request.Request(  # noqa: S310 - an https URL built by the test
        f"{base}/agency/status", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:  # noqa: S310
            return list(json.loads(response.read())["units"])
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (502, 503):
            return []
        raise


# Run before the webagent's own scripts: remembers every WebSocket URL and peer connection the
# page opens, so the test can see the phone's SIP URL and read getStats() without app hooks.
RECORD_CONNECTIONS = """(() => {
    window.uzorSeen = {sockets: [], connections: []};
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
        constructor(url, protocols) {
            super(url, protocols);
            window.uzorSeen.sockets.push(String(url));
        }
    };
    const NativeConnection = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends NativeConnection {
        constructor(...args) {
            super(...args);
            window.uzorSeen.connections.push(this);
        }
    };
})();"""

SEEN_SOCKETS = "() => window.uzorSeen.sockets"

AUDIO_PACKETS_IN = """async () => {
    let packets = 0;
    for (const connection of window.uzorSeen.connections) {
        (await connection.getStats()).forEach((report) => {
            if (report.type === "inbound-rtp" && report.kind === "audio") {
                packets += report.packetsReceived;
            }
        });
    }
    return packets;
}"""
