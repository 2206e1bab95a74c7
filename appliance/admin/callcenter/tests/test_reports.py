"""The reports and the call list over generated history in the agency's real tables (MariaDB):
each report agrees with a straightforward recount here, summarized days and live ones alike;
CSV and XLSX open; the permissions refuse; the labels are Russian and English."""

from __future__ import annotations

import csv
import io
import random
import zoneinfo
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appliance.admin.callcenter.admin_pages.recordings import recording_url
from appliance.admin.callcenter.dialplan.tests.model import make_unit
from appliance.admin.callcenter.models import (
    AgentTimeMonth,
    Disposition,
    InboundTopic,
    Recording,
    SummarizedDay,
)
from appliance.admin.callcenter.reports import definitions, summary
from appliance.admin.callcenter.reports.periods import SETTLE, Period
from appliance.agency.database import SCHEMA
from testkit import call_history

from .factories import make_group
from .test_russian_pages import english_texts, visible_text

pytestmark = [pytest.mark.integration]

ZONE = "Asia/Kathmandu"  # UTC+05:45: local days are not UTC days
DAYS = 12
SL = {"100": 10, "101": 40}  # thresholds of the topics the admin knows; the others: 20
REPORTS_URL = "admin:callcenter_callday_changelist"
CALLS_URL = "admin:callcenter_callrecord_changelist"


@pytest.fixture(scope="module")
def agency_tables(admin_database):
    """The agency's tables, from the agency's own DDL (CREATE commits: outside the test's
    rolled-back transaction)."""
    with connection.cursor() as cursor:
        for ddl in SCHEMA:
            cursor.execute(ddl)


@pytest.fixture
def history(agency_tables, admin_db):
    """DAYS days of calls and intervals up to now, in the agency's tables; rolled back after."""
    with timezone.override(ZONE):
        now = datetime.now(UTC).replace(tzinfo=None)
        start = datetime.combine(now.date() - timedelta(days=DAYS - 1), datetime.min.time())
        rng = random.Random(17)
        agents = call_history.agents(8)
        calls = [
            row for row in call_history.call_rows(rng, start, DAYS, 120, agents) if row[15] <= now
        ]
        intervals = [
            row
            for row in call_history.interval_rows(rng, start, DAYS, agents, per_day=12)
            if row[5] <= now
        ]
        with connection.cursor() as cursor:
            call_history.insert(cursor, "agency_call", call_history.CALL_COLUMNS, calls)
            call_history.insert(cursor, "agency_interval", call_history.INTERVAL_COLUMNS, intervals)
        group = make_group("group0")
        for number, seconds in SL.items():
            InboundTopic(
                number=number, name=f"Topic {number}", group=group, service_level_seconds=seconds
            ).save()
        Disposition(code="sale", name_ru="Продажа", name_en="Sale").save()
        yield {
            "calls": [dict(zip(call_history.CALL_COLUMNS, row, strict=True)) for row in calls],
            "intervals": [
                dict(zip(call_history.INTERVAL_COLUMNS, row, strict=True)) for row in intervals
            ],
            "today": timezone.localdate(),
        }


def local_date(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(ZONE)).date()


def in_period(moment: datetime, period: Period) -> bool:
    return period.first <= local_date(moment) <= period.last


def recount_calls(calls, period: Period) -> dict[tuple[str, str], Counter]:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for call in calls:
        if call["leg"] != 0 or not in_period(call["offered_at"], period):
            continue
        count = counts[(call["direction"], call["topic"])]
        count["offered"] += 1
        count[call["result"]] += 1
        if call["result"] == "answered":
            count["talk"] += call["talk_seconds"]
            count["answered_wait"] += call["wait_seconds"]
            threshold = SL.get(call["topic"], 20)
            if call["direction"] == "in" and call["wait_seconds"] <= threshold:
                count["answered_in_sl"] += 1
    return counts


def reported_calls(period: Period, now: datetime | None = None):
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in summary.call_rows(period, now):
        for name in summary.CALL_COUNTS:
            counts[(row["direction"], row["topic"])][name] += row[name]
    return counts


def assert_same_calls(recounted, reported):
    assert set(recounted) == set(reported)
    for key, count in recounted.items():
        got = reported[key]
        for name in (
            "offered",
            "answered",
            "abandoned",
            "closed",
            "no_route",
            "failed",
            "answered_in_sl",
        ):
            assert got[name] == count[name], (key, name)
        for name in ("talk", "answered_wait"):
            assert got[name] == pytest.approx(count[name], abs=0.01), (key, name)


def test_calls_per_topic_agree_with_a_recount_for_summarized_and_live_days(history):
    with timezone.override(ZONE):
        today = history["today"]
        period = Period(today - timedelta(days=DAYS - 2), today)
        recounted = recount_calls(history["calls"], period)
        assert sum(c["offered"] for c in recounted.values()) > 500
        assert_same_calls(recounted, reported_calls(period))
        summarized = SummarizedDay.objects.count()
        assert summarized >= DAYS - 3  # the settled days; today (and maybe yesterday) are live
        # asked again: nothing summarized twice, the same figures
        assert_same_calls(recounted, reported_calls(period))
        assert SummarizedDay.objects.count() == summarized
        # everything live (as if no day had settled) counts the same
        before = datetime.combine(period.first, datetime.min.time(), tzinfo=UTC) - SETTLE
        assert_same_calls(recounted, reported_calls(period, now=before))


def test_the_topic_and_queue_tables_show_the_recounted_service_level_and_averages(history):
    with timezone.override(ZONE):
        period = Period(history["today"] - timedelta(days=5), history["today"] - timedelta(days=1))
        recounted = recount_calls(history["calls"], period)
        table = definitions.calls_per_topic(period, definitions.Viewer(False))
        rows = {row["topic"]: row for row in table.rows}
        for number in SL:
            count = recounted[("in", number)]
            row = rows[f"{number} Topic {number}"]
            queued = count["answered"] + count["abandoned"]
            assert row["service_level"] == round(100 * count["answered_in_sl"] / queued, 1)
            assert row["average_talk"] == round(count["talk"] / count["answered"], 1)
        queues = definitions.calls_per_queue(period, definitions.Viewer(False))
        per_group = Counter()
        for call in history["calls"]:
            if (
                call["leg"] == 0
                and call["direction"] == "in"
                and in_period(call["offered_at"], period)
            ):
                per_group[call["group_name"]] += 1
        assert {row["group"]: row["offered"] for row in queues.rows} == dict(per_group)


def test_a_changed_service_level_threshold_summarizes_the_days_again(history):
    with timezone.override(ZONE):
        period = Period(history["today"] - timedelta(days=6), history["today"] - timedelta(days=2))
        reported_calls(period)
        SL["100"] = 90
        try:
            InboundTopic.objects.filter(number="100").update(service_level_seconds=90)
            assert_same_calls(recount_calls(history["calls"], period), reported_calls(period))
        finally:
            SL["100"] = 10


def test_operator_time_agrees_with_a_recount(history):
    with timezone.override(ZONE):
        period = Period(history["today"] - timedelta(days=DAYS - 1), history["today"])
        expected: dict[tuple[str, str, str], float] = defaultdict(float)
        for interval in history["intervals"]:
            if in_period(interval["started_at"], period):
                key = (interval["agent"], interval["state"], interval["reason"] or "")
                expected[key] += interval["seconds"]
        got = {
            (r["agent"], r["state"], r["reason"]): r["seconds"]
            for r in summary.agent_time_rows(period)
        }
        assert set(got) == set(expected)
        for key, seconds in expected.items():
            assert got[key] == pytest.approx(seconds, abs=0.01)
        table = definitions.operator_time(period, definitions.Viewer(False))
        assert {row["state"] for row in table.rows} >= {"Ready", "Pause", "Post-call work"}


def test_operator_time_over_whole_months_agrees_with_a_recount(history):
    """Whole months come from the monthly sums, the days around them from the daily ones."""
    with timezone.override(ZONE):
        today = history["today"]
        start = datetime.combine(today - timedelta(days=100), datetime.min.time())
        older = list(
            call_history.interval_rows(random.Random(3), start, 88, ["3001", "3002"], per_day=4)
        )
        with connection.cursor() as cursor:
            call_history.insert(cursor, "agency_interval", call_history.INTERVAL_COLUMNS, older)
        intervals = history["intervals"] + [
            dict(zip(call_history.INTERVAL_COLUMNS, row, strict=True)) for row in older
        ]
        for period in (
            Period(today - timedelta(days=95), today),
            Period(today - timedelta(days=70), today - timedelta(days=20)),
        ):
            expected: dict[tuple[str, str, str], float] = defaultdict(float)
            for interval in intervals:
                if in_period(interval["started_at"], period):
                    key = (interval["agent"], interval["state"], interval["reason"] or "")
                    expected[key] += interval["seconds"]
            got = summary.agent_time_rows(period)
            assert {(r["agent"], r["state"], r["reason"]) for r in got} == set(expected)
            for row in got:
                key = (row["agent"], row["state"], row["reason"])
                assert row["seconds"] == pytest.approx(expected[key], abs=0.01), (period, key)
        assert AgentTimeMonth.objects.filter(agent="3001").values("month").distinct().count() >= 2


def test_dispositions_agree_with_a_recount(history):
    with timezone.override(ZONE):
        period = Period(history["today"] - timedelta(days=3), history["today"])
        expected = Counter(
            (c["direction"], c["topic"], c["disposition"])
            for c in history["calls"]
            if c["disposition"] and in_period(c["offered_at"], period)
        )
        got = {
            (r["direction"], r["topic"], r["disposition"]): r["calls"]
            for r in summary.disposition_rows(period)
        }
        assert got == dict(expected)
        table = definitions.dispositions_per_topic(period, definitions.Viewer(False))
        assert "Sale" in {row["disposition"] for row in table.rows}


def test_the_abandoned_list_agrees_and_hides_hidden_callers(history):
    with timezone.override(ZONE):
        period = Period(history["today"] - timedelta(days=2), history["today"])
        abandoned = [
            c for c in history["calls"]
            if c["leg"] == 0 and c["result"] == "abandoned" and in_period(c["offered_at"], period)
        ]  # fmt: skip
        assert any(c["caller_hidden"] for c in abandoned)
        plain = definitions.abandoned_calls(period, definitions.Viewer(False), limit=10_000)
        allowed = definitions.abandoned_calls(period, definitions.Viewer(True), limit=10_000)
        assert {r["call_id"] for r in plain.rows} == {c["call_id"] for c in abandoned}
        numbers = {c["call_id"]: c for c in abandoned}
        for shown, full in zip(plain.rows, allowed.rows, strict=True):
            call = numbers[shown["call_id"]]
            assert full["callback"] == call["caller"]
            assert shown["callback"] == ("hidden" if call["caller_hidden"] else call["caller"])
        assert [r["offered_at"] for r in plain.rows] == sorted(
            (r["offered_at"] for r in plain.rows), reverse=True
        )
        assert sum(row["abandoned"] for row in plain.chart.rows) == len(abandoned)


# --- the pages ---


def user_with(*codenames: str) -> Client:
    user = User.objects.create_user("supervisor", password="supervisor-pass-1", is_staff=True)
    for codename in codenames:
        user.user_permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label="callcenter")
        )
    client = Client()
    client.force_login(user)
    return client


def report_url(report: str, first: date, last: date, **extra: str) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"report": report, "first": first, "last": last, **extra}.items()
    )
    return f"{reverse(REPORTS_URL)}?{query}"


def test_reports_are_refused_without_the_permission(history):
    client = user_with("view_callrecord")
    today = history["today"]
    assert client.get(reverse(REPORTS_URL)).status_code == 403
    assert client.get(report_url("topics", today, today, format="csv")).status_code == 403
    assert "callday" not in client.get(reverse("admin:index")).content.decode()


def test_the_call_list_is_refused_without_the_permission(history):
    client = user_with("view_reports")
    assert client.get(reverse(CALLS_URL)).status_code == 403


@pytest.mark.parametrize(
    ("language", "title", "column"),
    [("en", "Calls per topic", "offered"), ("ru", "Звонки по темам", "поступило")],
)
def test_a_report_page_shows_a_table_and_a_chart_in_the_user_s_language(
    history, language, title, column
):
    client = user_with("view_reports")
    today = history["today"]
    page = client.get(
        report_url("topics", today - timedelta(days=3), today), HTTP_ACCEPT_LANGUAGE=language
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert title in text and column in text
    assert "<svg" in text and 'id="uzor-report-table"' in text
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("Reports" if language == "en" else "Отчёты") in index


@pytest.mark.parametrize("report", sorted(definitions.REPORTS))
def test_every_report_exports_csv_and_xlsx_that_open(history, report):
    client = user_with("view_reports")
    first, last = history["today"] - timedelta(days=4), history["today"]
    page = client.get(report_url(report, first, last))
    shown = page.context["table"]
    exported = client.get(report_url(report, first, last, format="csv"))
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == [str(c.label) for c in shown.columns]
    assert len(rows) - 1 >= len(shown.rows) > 0
    workbook = client.get(report_url(report, first, last, format="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == rows[0]
    assert len(values) == len(rows)
    number_column = next(i for i, c in enumerate(shown.columns) if c.kind in ("count", "seconds"))
    assert all(
        isinstance(v[number_column], int | float)
        for v in values[1:]
        if v[number_column] is not None
    )


def test_the_russian_report_and_call_pages_show_no_untranslated_text(history):
    client = user_with("view_reports", "view_callrecord")
    today = history["today"]
    texts = english_texts()
    paths = [reverse(CALLS_URL), reverse(CALLS_URL) + "?direction=in"]
    paths += [report_url(name, today - timedelta(days=2), today) for name in definitions.REPORTS]
    for path in paths:
        page = visible_text(client.get(path, HTTP_ACCEPT_LANGUAGE="ru").content.decode())
        assert sorted(t for t in texts if t in page) == [], path


def test_the_export_is_russian_for_a_russian_user(history):
    client = user_with("view_reports")
    today = history["today"]
    exported = client.get(
        report_url("operators", today, today, format="csv"), HTTP_ACCEPT_LANGUAGE="ru"
    )
    header = next(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert header[0] == "оператор"


def test_a_bad_period_gets_a_clear_error(history):
    client = user_with("view_reports")
    today = history["today"]
    page = client.get(report_url("topics", today, today - timedelta(days=1)))
    assert "The period ends before it starts." in page.content.decode()
    page = client.get(report_url("topics", today - timedelta(days=5000), today))
    assert "A report covers at most" in page.content.decode()
    page = client.get(
        f"{reverse(REPORTS_URL)}?report=nonsense&first=x&last=y", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()


def test_the_call_list_filters_and_hides_callers_without_the_permission(history):
    hidden = next(c for c in history["calls"] if c["caller_hidden"] and c["direction"] == "in")
    day = local_date(hidden["offered_at"]).isoformat()
    query = f"?from={day}&to={day}&topic=in:{hidden['topic']}&q={hidden['call_id']}"
    legs = {(c["call_id"], c["leg"]) for c in history["calls"] if c["call_id"] == hidden["call_id"]}
    with timezone.override(ZONE):
        plain = user_with("view_callrecord").get(reverse(CALLS_URL) + query)
        assert plain.status_code == 200
        assert {(r.call_id, r.leg) for r in plain.context["cl"].result_list} == legs
        text = plain.content.decode()
        assert hidden["caller"] not in text and "hidden" in text
        by_number = f"?from={day}&to={day}&q={hidden['caller']}"
        assert (
            hidden["call_id"]
            not in plain.client.get(reverse(CALLS_URL) + by_number).content.decode()
        )
        User.objects.filter(username="supervisor").delete()
        allowed = user_with("view_callrecord", "view_hidden_caller")
        assert hidden["caller"] in allowed.get(reverse(CALLS_URL) + query).content.decode()
        assert hidden["call_id"] in allowed.get(reverse(CALLS_URL) + by_number).content.decode()


def test_the_call_list_s_period_filter_and_filters_count_a_recount(history):
    client = user_with("view_callrecord")
    today = history["today"]
    day = (today - timedelta(days=1)).isoformat()
    with timezone.override(ZONE):
        page = client.get(reverse(CALLS_URL) + f"?from={day}&to={day}&direction=out&result=failed")
        expected = [
            c
            for c in history["calls"]
            if local_date(c["offered_at"]).isoformat() == day
            and (c["direction"], c["result"]) == ("out", "failed")
        ]
        assert page.context["cl"].result_count == len(expected) > 0
        bad = client.get(reverse(CALLS_URL) + "?from=not-a-date")
        assert bad.status_code == 302 and "e=1" in bad["Location"]


def test_summarize_reports_fills_ahead_and_again(history):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    with timezone.override(ZONE):
        call_command("summarize_reports", "--days", "5", stdout=out)
        first = int(out.getvalue().split()[1])
        assert 3 <= first <= 4  # today and, for its first hours, yesterday are live
        out = io.StringIO()
        call_command("summarize_reports", "--days", "5", stdout=out)
        assert out.getvalue().startswith("summarized 0 day(s)")
        out = io.StringIO()
        call_command("summarize_reports", "--days", "5", "--again", stdout=out)
        assert out.getvalue().startswith(f"summarized {first} day(s)")
        with pytest.raises(CommandError):
            call_command("summarize_reports", "--days", "0")


def test_the_call_list_links_a_recorded_call_to_its_recordings_for_listeners_only(history):
    first_legs = [c for c in history["calls"] if c["leg"] == 0]
    recorded, plain = first_legs[0], first_legs[1]
    Recording.objects.create(
        call_id=recorded["call_id"],
        uniqueid=f"{recorded['call_id']}9",
        unit=make_unit()[0],
        direction="inbound",
        started_at=recorded["offered_at"].replace(tzinfo=UTC),
        duration=1.0,
        size=100,
        sha256="0" * 64,
        file="recordings/test.wav",
    )
    link = recording_url(recorded["call_id"])
    with timezone.override(ZONE):
        for call in (recorded, plain):
            day = local_date(call["offered_at"]).isoformat()
            query = f"?from={day}&to={day}&q={call['call_id']}"
            listener = user_with("view_callrecord", "listen_recording")
            page = listener.get(reverse(CALLS_URL) + query).content.decode()
            assert (link in page) == (call is recorded)
            User.objects.filter(username="supervisor").delete()
        viewer = user_with("view_callrecord")
        day = local_date(recorded["offered_at"]).isoformat()
        page = viewer.get(reverse(CALLS_URL) + f"?from={day}&to={day}&q={recorded['call_id']}")
        assert page.status_code == 200
        assert recording_url(recorded["call_id"]) not in page.content.decode()
