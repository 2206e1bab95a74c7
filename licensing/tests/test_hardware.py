"""Reading raw facts: which NICs count as physical, which values count as real."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import psutil

from licensing.hardware import Host
from licensing.server_id import facts_from_raw


def link(mac: str) -> SimpleNamespace:
    return SimpleNamespace(family=psutil.AF_LINK, address=mac)


def make_host(tmp_path: Path, interfaces: dict[str, tuple[str, bool]]) -> Host:
    """interfaces: name -> (mac, has a /sys/class/net/<name>/device link)."""
    net = tmp_path / "net"
    for name, (_mac, physical) in interfaces.items():
        (net / name).mkdir(parents=True)
        if physical:
            (net / name / "device").mkdir()
    (tmp_path / "machine-id").write_text("0123456789ABCDEF0123456789abcdef\n")
    (tmp_path / "product_uuid").write_text("4C4C4544-0042-3510-8051-B4C04F4E3732\n")
    addresses = {name: [link(mac)] for name, (mac, _p) in interfaces.items()}
    return Host(
        machine_id_path=tmp_path / "machine-id",
        dmi_uuid_path=tmp_path / "product_uuid",
        dmi_uuid_copy_path=tmp_path / "run-copy",
        sys_class_net=net,
        interface_addresses=lambda: addresses,
        hostname=lambda: "pbx1",
    )


def test_it_keeps_only_physical_nics(tmp_path: Path) -> None:
    host = make_host(
        tmp_path,
        {
            "eth0": ("52:54:00:12:34:56", True),
            "enp3s0": ("52-54-00-AB-CD-EF", True),
            "lo": ("00:00:00:00:00:00", False),
            "docker0": ("02:42:ac:11:00:01", False),
            "veth1a2b": ("aa:bb:cc:dd:ee:01", True),
            "br0": ("aa:bb:cc:dd:ee:02", False),
            "virbr0": ("aa:bb:cc:dd:ee:03", False),
            "tun0": ("aa:bb:cc:dd:ee:04", False),
            "wg0": ("aa:bb:cc:dd:ee:05", False),
            "dummy7": ("aa:bb:cc:dd:ee:06", True),
            "eth9": ("aa:bb:cc:dd:ee:07", False),
        },
    )
    assert host.physical_macs() == ["52:54:00:12:34:56", "52:54:00:ab:cd:ef"]


def test_it_ignores_placeholder_macs_and_non_link_addresses(tmp_path: Path) -> None:
    host = make_host(tmp_path, {"eth0": ("00:00:00:00:00:00", True)})
    host.interface_addresses = lambda: {
        "eth0": [
            link("00:00:00:00:00:00"),
            SimpleNamespace(family=2, address="192.0.2.1"),
            link("not-a-mac"),
        ]
    }
    assert host.physical_macs() == []


def test_it_normalises_machine_id_and_dmi_uuid(tmp_path: Path) -> None:
    host = make_host(tmp_path, {"eth0": ("52:54:00:12:34:56", True)})
    assert host.machine_id() == "0123456789abcdef0123456789abcdef"
    assert host.dmi_uuid() == "4c4c4544-0042-3510-8051-b4c04f4e3732"
    assert host.facts() == facts_from_raw(
        "0123456789abcdef0123456789abcdef",
        "4c4c4544-0042-3510-8051-b4c04f4e3732",
        ["52:54:00:12:34:56"],
        "pbx1",
    )


def test_unreadable_or_placeholder_values_count_as_missing(tmp_path: Path) -> None:
    host = make_host(tmp_path, {})
    host.dmi_uuid_path = tmp_path / "absent"
    assert host.dmi_uuid() is None
    (tmp_path / "placeholder").write_text("03000200-0400-0500-0006-000700080009")
    host.dmi_uuid_path = tmp_path / "placeholder"
    assert host.dmi_uuid() is None
    (tmp_path / "machine-id").write_text("uninitialized\n")
    assert host.machine_id() is None
    facts = host.facts()
    assert (facts.machine_id, facts.dmi_uuid, facts.nics) == (None, None, ())


def test_an_unprivileged_daemon_reads_the_copy_of_the_dmi_uuid(tmp_path: Path) -> None:
    host = make_host(tmp_path, {})
    host.dmi_uuid_path = tmp_path / "unreadable-for-this-user"
    assert host.dmi_uuid() is None
    (tmp_path / "run-copy").write_text("4C4C4544-0042-3510-8051-B4C04F4E3732\n")
    assert host.dmi_uuid() == "4c4c4544-0042-3510-8051-b4c04f4e3732"
