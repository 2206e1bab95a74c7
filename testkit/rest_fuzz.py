"""The agency's REST API fuzzed from its own OpenAPI document (``appliance.agency.rest.openapi``)
with schemathesis: for every operation, positive (schema-valid) and negative (schema-breaking)
cases, each sent three times: with the token, without one, and with a wrong one. Every response
is checked by schemathesis' own checks (no 5xx, status code, content type and body as the
document says, negative data refused, positive data accepted) and by ours: a 4xx answer has
the documented error shape ``{error_id, message, details}``.

``fuzz_rest(base_url, token, examples)`` returns a :class:`RestReport`; used by
tests/integration/agency/test_rest_fuzz.py.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import requests
import schemathesis
from hypothesis import HealthCheck
from schemathesis.generation.modes import GenerationMode

WRONG_TOKEN = "wrong-token-wrong-token"


@dataclass
class RestReport:
    cases: int = 0  # generated cases (each sent up to three times)
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # "GET /api/mode 401" -> count
    failures: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)  # no negative case could be made

    def fail(self, what: str, detail: str) -> None:
        self.failures[what] += 1
        if len(self.samples) < 30:
            self.samples.append(f"{what}: {detail[:400]}")

    def summary(self) -> str:
        per_status: Counter[str] = Counter()
        for key, count in self.statuses.items():
            per_status[key.rsplit(" ", 1)[1]] += count
        return "\n".join(
            [
                f"REST cases generated {self.cases}, requests sent {self.requests}",
                "responses per status: "
                + ", ".join(f"{s}: {n}" for s, n in sorted(per_status.items())),
                *(f"  {key}: {count}" for key, count in sorted(self.statuses.items())),
                f"no negative case possible: {', '.join(self.unsatisfiable) or '-'}",
                f"failures {sum(self.failures.values())}",
                *(f"  {line}" for line in self.samples),
            ]
        )


def check_error_shape(response: requests.Response) -> str | None:
    """What is wrong with an error answer's body, or None."""
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:120]!r}"
    if not isinstance(body, dict) or set(body) != {"error_id", "message", "details"}:
        return f"not {{error_id, message, details}}: {body!r}"[:300]
    if not isinstance(body["error_id"], str) or not body["error_id"]:
        return f"error_id: {body['error_id']!r}"
    if not isinstance(body["message"], str) or not body["message"]:
        return f"message: {body['message']!r}"
    if not isinstance(body["details"], dict):
        return f"details is not an object: {body['details']!r}"
    return None


def fuzz_rest(
    base_url: str, token: str, examples: int = 50, client_id: str | None = None
) -> RestReport:
    """``client_id``: a connected terminal's id given to the ``{client_id}`` operations (their
    bodies are then checked against a client that exists; the first positive ``DELETE`` ends
    its session), else the ids are generated (404)."""
    from appliance.agency.rest.openapi import document

    report = RestReport()
    schema = schemathesis.openapi.from_dict(document())
    http = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err raises: the document is ours
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            target = _Target(base_url, token, http, report)
            fixed = (
                {"client_id": client_id} if client_id and "{client_id}" in operation.path else None
            )
            _explore(operation, mode, examples, target, fixed)
    return report


@dataclass
class _Target:
    base_url: str
    token: str
    http: requests.Session
    report: RestReport


def _explore(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    target: _Target,
    path_parameters: dict[str, str] | None,
) -> None:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: Any) -> None:
        target.report.cases += 1
        _send(case, target, mode)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing in the operation can be made invalid
        target.report.unsatisfiable.append(f"{operation.method.upper()} {operation.path}")


def _send(case: Any, target: _Target, mode: GenerationMode) -> None:
    base_url, token, http, report = target.base_url, target.token, target.http, target.report
    operation = f"{case.method} {case.path}"
    for auth, bearer in (("token", token), ("no token", None), ("wrong token", WRONG_TOKEN)):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        if bearer is None and case.headers:
            case.headers.pop("Authorization", None)
        try:
            response = case.call(base_url=base_url, session=http, headers=headers, timeout=10)
        except requests.RequestException as exc:
            report.fail(f"{operation}: no answer ({auth})", repr(exc))
            continue
        report.requests += 1
        report.statuses[f"{operation} {response.status_code}"] += 1
        what = f"{operation} ({mode.value}, {auth})"
        sent = _describe(case)
        if response.status_code >= 500:
            report.fail(f"{what}: {response.status_code}", f"{sent} -> {response.text[:200]}")
        if response.status_code >= 400:
            problem = check_error_shape(response)
            if problem is not None:
                report.fail(f"{what}: error shape", f"{sent} -> {problem}")
        secured = operation != "GET /status"
        if bearer != token and secured and response.status_code != 401:
            report.fail(f"{what}: not refused", f"{sent} -> {response.status_code}")
        if bearer != token and secured:
            continue  # schemathesis' checks judge the authenticated answers
        try:
            case.validate_response(response)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis' failures
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for failure in found:
                title = str(failure).strip().splitlines()
                name = title[0] if title else type(failure).__name__
                report.fail(f"{what}: {name}", f"{sent}: {str(failure)[:300]}")
        except Exception as exc:  # a check that could not run is a finding too
            report.fail(f"{what}: check error {type(exc).__name__}", f"{sent}: {exc}")


def _describe(case: Any) -> str:
    parts = [f"{case.method} {case.formatted_path}"]
    if case.query:
        parts.append(f"query={case.query!r}")
    if case.headers:
        parts.append(f"headers={case.headers!r}")
    if case.body is not None and not _is_unset(case.body):
        parts.append(f"body={json.dumps(case.body, default=repr)[:200]}")
    return " ".join(parts)


def _is_unset(value: Any) -> bool:
    return type(value).__name__ == "NotSet"
