"""CPU and resident memory of the parts under load, sampled from /proc once a second; the part
``MACHINE`` (pid 0) is every CPU of the machine together (200 % = both cores of a 2-core one)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK")
MACHINE = 0  # the pseudo-pid of the whole machine


@dataclass
class Usage:
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    rss_max_kib: int = 0

    @property
    def cpu_percent(self) -> float:
        return 100.0 * self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


def _cpu_seconds(pid: int) -> float | None:
    if pid == MACHINE:
        return _machine_busy_seconds()
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _machine_busy_seconds() -> float | None:
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _rss_kib(pid: int) -> int:
    if pid == MACHINE:
        return 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Sampler:
    """Samples named processes; ``pids`` may change between samples (a restarted part)."""

    pids: dict[str, int]
    interval: float = 1.0
    usage: dict[str, Usage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[str, Usage]:
        self._stop.set()
        self._thread.join(5)
        return self.usage

    def _run(self) -> None:
        last = {name: (_cpu_seconds(pid), time.monotonic()) for name, pid in self.pids.items()}
        while not self._stop.wait(self.interval):
            for name, pid in self.pids.items():
                cpu, now = _cpu_seconds(pid), time.monotonic()
                before, then = last[name]
                usage = self.usage.setdefault(name, Usage())
                if cpu is not None and before is not None and cpu >= before:
                    usage.cpu_seconds += cpu - before
                    usage.wall_seconds += now - then
                usage.rss_max_kib = max(usage.rss_max_kib, _rss_kib(pid))
                last[name] = (cpu, now)
