"""Drives InboxGuard with python-caldav, a real third-party CalDAV client (Debian's python3-caldav).

Usage: caldav_client.py URL USER PASSWORD. Prints one line per step and "OK" at the end; exits non-zero on the
first step that fails.
"""
import sys
from datetime import datetime, timezone

import caldav

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//inboxguard//client test//EN
BEGIN:VEVENT
UID:client-test-1@example.com
DTSTAMP:20261121T080000Z
DTSTART:20261203T100000Z
DTEND:20261203T110000Z
SUMMARY:Written by python-caldav
END:VEVENT
END:VCALENDAR
"""


def step(name):
    print(name, flush=True)


def main():
    url, user, password = sys.argv[1:4]
    client = caldav.DAVClient(url=url, username=user, password=password)

    step("discovery: principal from " + url)
    principal = client.principal()
    home = principal.calendar_home_set
    step("calendar home: " + str(home.url))

    step("create a calendar")
    calendar = principal.make_calendar(name="Client test", cal_id="client-test")
    assert any(str(c.url).rstrip("/").endswith("client-test") for c in principal.calendars()), \
        "the new calendar is listed"

    step("create an event")
    calendar.save_event(EVENT)
    events = calendar.events()
    assert len(events) == 1, "one event: %d" % len(events)

    step("sync: first token")
    synced = calendar.objects_by_sync_token(load_objects=True)
    assert len(list(synced)) == 1, "the first sync lists the event"
    token = synced.sync_token

    step("update the event")
    event = calendar.event_by_uid("client-test-1@example.com")
    event.data = event.data.replace("Written by python-caldav", "Updated by python-caldav")
    event.save()
    assert "Updated by python-caldav" in calendar.event_by_uid("client-test-1@example.com").data

    step("sync: the change since the token")
    changed = calendar.objects_by_sync_token(sync_token=token, load_objects=True)
    assert len(list(changed)) == 1, "the update is reported"

    step("time-range search")
    found = calendar.date_search(start=datetime(2026, 12, 3, tzinfo=timezone.utc),
                                 end=datetime(2026, 12, 4, tzinfo=timezone.utc), expand=False)
    assert len(found) == 1, "the event is in its day: %d" % len(found)
    empty = calendar.date_search(start=datetime(2027, 1, 1, tzinfo=timezone.utc),
                                 end=datetime(2027, 1, 2, tzinfo=timezone.utc), expand=False)
    assert len(empty) == 0, "and not in another: %d" % len(empty)

    step("delete the event")
    calendar.event_by_uid("client-test-1@example.com").delete()
    assert len(calendar.events()) == 0, "no events left"

    step("delete the calendar")
    calendar.delete()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
