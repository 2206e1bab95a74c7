from datetime import UTC, datetime

from appliance.agency.operators.license_notice import DAY, expiry_notice, parse_not_after
from appliance.agency.operators.tests.test_service import logged_in

END = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_a_license_ending_within_the_warning_days_is_announced() -> None:
    notice = expiry_notice(END, 14, END.timestamp() - 3.5 * DAY)
    assert notice is not None and notice["not_after"] == "2027-03-01T12:00:00+00:00"
    assert notice["message"].render("en") == (
        "the license expires on 2027-03-01 12:00 UTC (days left: 4); ask the administrator to "
        "renew it"
    )
    assert notice["message"].render("ru") == (
        "срок действия лицензии истекает 2027-03-01 12:00 UTC (осталось дней: 4); обратитесь к "
        "администратору для её продления"
    )


def test_no_notice_long_before_the_end_for_a_perpetual_license_or_when_switched_off() -> None:
    assert expiry_notice(END, 14, END.timestamp() - 15 * DAY) is None
    assert expiry_notice(None, 14, END.timestamp()) is None
    assert expiry_notice(END, 0, END.timestamp() - DAY) is None


def test_an_expired_license_says_so() -> None:
    notice = expiry_notice(END, 14, END.timestamp() + 60)
    assert notice is not None and str(notice["message"]).startswith(
        "the license expired on 2027-03-01"
    )


def test_not_after_text_from_the_license_is_parsed_naive_as_utc() -> None:
    assert parse_not_after("2027-03-01 12:00:00+00:00") == END
    assert parse_not_after("2027-03-01T12:00:00") == END
    assert parse_not_after(None) is None


async def test_login_sends_the_license_notification_when_the_end_is_near(world) -> None:
    service, _, _, notifier = world
    service.logins.license_warn_days = 14
    service.logins.license_not_after = datetime.fromtimestamp(service.clock() + 2 * DAY, UTC)
    client, reply = await logged_in(service)
    assert reply["resumed"] is False
    (sent,) = [s for s in notifier.sent if s[2] == "license"]
    assert sent[0] is client and sent[1] == "notification"
    assert "days left: 2" in str(sent[3]["message"])
    assert set(sent[3]) == {"message", "not_after"}  # the schema's fields


async def test_login_sends_no_license_notification_far_from_the_end(world) -> None:
    service, _, _, notifier = world
    service.logins.license_warn_days = 14
    service.logins.license_not_after = datetime.fromtimestamp(service.clock() + 30 * DAY, UTC)
    await logged_in(service)
    assert "license" not in notifier.names()
