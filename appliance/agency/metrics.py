"""Prometheus metrics of the agency, read from the live objects when scraped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from appliance.ami.manager import AMIManager

if TYPE_CHECKING:
    from appliance.agency.acp.server import ACPServer
    from appliance.agency.operators.service import OperatorService


class _Live(Collector):
    def __init__(
        self, acp: ACPServer, units: Mapping[str, AMIManager], operators: OperatorService
    ) -> None:
        self.acp = acp
        self.units = units
        self.operators = operators

    def collect(self) -> Iterable[Metric]:
        terminals = GaugeMetricFamily("uzor_agency_terminals", "Connected terminals")
        terminals.add_metric([], len(self.acp.clients))
        yield terminals
        sessions = GaugeMetricFamily("uzor_agency_operators", "Logged-in operators")
        sessions.add_metric([], len(self.operators.sessions))
        yield sessions
        dropped = CounterMetricFamily("uzor_agency_terminals_dropped", "Slow terminals dropped")
        dropped.add_metric([], self.acp.dropped)
        yield dropped
        errors = CounterMetricFamily("uzor_agency_acp_errors", "ACP error replies", labels=["code"])
        for code, count in sorted(self.acp.errors.items()):
            errors.add_metric([code], count)
        yield errors
        events = CounterMetricFamily(
            "uzor_agency_ami_events", "AMI events received", labels=["unit"]
        )
        reconnects = CounterMetricFamily(
            "uzor_agency_ami_reconnects", "AMI reconnects", labels=["unit"]
        )
        up = GaugeMetricFamily("uzor_agency_ami_up", "AMI link up (1) or not (0)", labels=["unit"])
        for name, unit in sorted(self.units.items()):
            events.add_metric([name], unit.total_events())
            reconnects.add_metric([name], unit.reconnects)
            up.add_metric([name], 1 if unit.up else 0)
        yield events
        yield reconnects
        yield up


class Metrics:
    def __init__(
        self, acp: ACPServer, units: Mapping[str, AMIManager], operators: OperatorService
    ) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_Live(acp, units, operators))
        self.action_latency = Histogram(
            "uzor_agency_ami_action_seconds",
            "AMI action latency",
            ["action"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        for unit in units.values():
            self.watch(unit)

    def watch(self, unit: AMIManager) -> None:
        """Time the actions of ``unit`` (also one connected while the agency runs)."""
        unit.action_latency.append(self.observe)

    def observe(self, action: str, seconds: float) -> None:
        self.action_latency.labels(action).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
