"""Reading the raw hardware facts of this machine (the hashing and matching live in server_id).

The DMI product UUID is readable by root only. Daemons running as the `uzor` user read the copy
a root `ExecStartPre=+-` step of their systemd unit may leave in /run/uzor/dmi-product-uuid
(see README "Licensing"); without it they simply lack that fact and rely on the other two.

A network interface counts as physical when /sys/class/net/<name>/device exists (the kernel
links real devices - PCI, USB, virtio - there and not virtual ones), its name is not one of the
well-known virtual kinds (loopback, bridges, veth, docker, ...) and its MAC is a real one.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from licensing.server_id import HardwareFacts, facts_from_raw

VIRTUAL_NAME_PREFIXES = (
    "lo",
    "br",
    "virbr",
    "veth",
    "docker",
    "vnet",
    "tap",
    "tun",
    "ifb",
    "dummy",
    "bond",
    "team",
    "vxlan",
    "wg",
    "zt",
    "cni",
    "flannel",
    "cali",
    "kube",
    "lxc",
    "lxd",
    "podman",
    "macvtap",
)
_BOGUS_MACS = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}
_BOGUS_DMI_UUIDS = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",  # a placeholder common on cheap boards
}
_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_MACHINE_ID_RE = re.compile(r"^[0-9a-f]{32}$")

InterfaceAddresses = Callable[[], Mapping[str, Sequence[Any]]]


@dataclass
class Host:
    """Where the facts are read from; tests point it at a fake root."""

    machine_id_path: Path = Path("/etc/machine-id")
    dmi_uuid_path: Path = Path("/sys/class/dmi/id/product_uuid")
    dmi_uuid_copy_path: Path = Path("/run/uzor/dmi-product-uuid")
    sys_class_net: Path = Path("/sys/class/net")
    interface_addresses: InterfaceAddresses = field(default=psutil.net_if_addrs)
    hostname: Callable[[], str] = field(default=socket.gethostname)

    def machine_id(self) -> str | None:
        value = _read_text(self.machine_id_path)
        return value if value and _MACHINE_ID_RE.match(value) else None

    def dmi_uuid(self) -> str | None:
        value = _read_text(self.dmi_uuid_path) or _read_text(self.dmi_uuid_copy_path)
        if not value or value in _BOGUS_DMI_UUIDS:
            return None
        return value

    def physical_macs(self) -> list[str]:
        macs = set()
        for name, addresses in self.interface_addresses().items():
            if not self.is_physical(name):
                continue
            for address in addresses:
                if address.family != psutil.AF_LINK:
                    continue
                mac = str(address.address).lower().replace("-", ":")
                if _MAC_RE.match(mac) and mac not in _BOGUS_MACS:
                    macs.add(mac)
        return sorted(macs)

    def is_physical(self, name: str) -> bool:
        if name.startswith(VIRTUAL_NAME_PREFIXES):
            return False
        if "/" in name or name in {".", ".."}:
            return False
        return (self.sys_class_net / name / "device").exists()

    def facts(self) -> HardwareFacts:
        return facts_from_raw(
            machine_id=self.machine_id(),
            dmi_uuid=self.dmi_uuid(),
            macs=self.physical_macs(),
            hostname=self.hostname(),
        )


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip().lower()
    except OSError:
        return None


def read_host() -> Host:
    return Host()
