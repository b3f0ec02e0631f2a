#!/usr/bin/python3
"""Drives python-caldav (Debian's python3-caldav 0.11) against a CalDAV server exactly as one would
drive it against iCloud: only the gateway URL, an Apple ID and an app-specific password.

    /usr/bin/python3 drive.py GATEWAY_URL APPLE_ID APP_PASSWORD

Prints one JSON object per step on stdout: {"step": ..., "ok": true|false, ...facts}. The caller
asserts the facts; this script only reports them. Where a step needs something done on the server
side "as if on an iPhone", the script prints {"await": "<what>"} and waits for one line on stdin.

Stdlib and caldav only (caldav brings requests, lxml, icalendar, vobject and
recurring_ical_events with it, as installed by `apt-get install python3-caldav`).
"""

import json
import re
import sys
import traceback
from datetime import datetime, timezone

import caldav
from caldav.elements import cdav, dav
from caldav.lib import error
from caldav.lib.url import URL

GATEWAY, APPLE_ID, PASSWORD = sys.argv[1:4]

UID = "PYTHON-CALDAV-CONFORMANCE-1"
EVENT = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//conformance//python-caldav//EN",
        "BEGIN:VEVENT",
        "UID:" + UID,
        "DTSTAMP:20261121T090000Z",
        "DTSTART:20261202T100000Z",
        "DTEND:20261202T110000Z",
        "SEQUENCE:0",
        "SUMMARY:Created by python-caldav",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def emit(step, **facts):
    facts.setdefault("ok", True)
    print(json.dumps({"step": step, **facts}, default=str), flush=True)


def fail(step, exc, **facts):
    emit(step, ok=False, error=describe(exc), trace=traceback.format_exc(limit=4), **facts)


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def await_server(what):
    """Asks the test to do something on the server side and waits until it says it has."""
    print(json.dumps({"await": what}), flush=True)
    line = sys.stdin.readline()
    if not line:
        raise RuntimeError("stdin closed while waiting for " + what)


def summary_of(obj):
    return str(obj.icalendar_component.get("SUMMARY"))


def recurrence_ids(comp):
    """RECURRENCE-ID values as ISO strings (python-caldav's client-side expansion adds one even to
    an override that already has its own, so there may be two)."""
    value = comp.get("RECURRENCE-ID")
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [v.dt.isoformat() for v in values]


def name_of(cal):
    return str(cal.url).rstrip("/").rsplit("/", 1)[-1]


def main():
    # ---- discovery: gateway -> principal -> calendar-home-set on the partition host ----------------
    client = caldav.DAVClient(url=GATEWAY, username=APPLE_ID, password=PASSWORD)
    principal = client.principal()
    home_prop = principal.get_property(cdav.CalendarHomeSet())
    emit("principal", url=str(principal.url), homeSet=home_prop)

    # python-caldav 0.11 follows a calendar-home-set on another *host name* by moving client.url
    # there (its iCloud branch, objects.py Principal.calendar_home_set). The mock's partition is
    # another host name (localhost vs 127.0.0.1), as iCloud's is, so the library works unmodified.
    calendars = principal.calendars()
    home = str(principal.calendar_home_set.url)
    listed = []
    for cal in calendars:
        entry = {"name": name_of(cal), "url": str(cal.url), "displayName": cal.name}
        try:
            entry["components"] = cal.get_supported_components()
        except Exception as exc:  # reported, not fatal
            entry["componentsError"] = describe(exc)
        listed.append(entry)
    emit("calendars", home=home, clientUrl=str(client.url), calendars=listed)

    by_name = {name_of(c): c for c in calendars}
    work = by_name["work"]
    shared = next((c for n, c in by_name.items() if re.fullmatch(r"[0-9a-f]{64}", n)), None)

    # ---- create ------------------------------------------------------------------------------------
    event = work.save_event(EVENT)
    emit("create", url=str(event.url), id=event.id)
    await_server("check-created")

    # ---- search by date range ----------------------------------------------------------------------
    found = work.search(start=utc(2026, 12, 2), end=utc(2026, 12, 3), event=True)
    empty = work.search(start=utc(2026, 12, 24), end=utc(2026, 12, 25), event=True)
    emit(
        "search",
        found=[{"url": str(o.url), "summary": summary_of(o)} for o in found],
        emptyRange=[str(o.url) for o in empty],
    )
    # date_search (deprecated in 0.11, still there) asks for CALDAV:expand; the server returns the
    # master with its RRULE and python-caldav expands on the client side.
    home_cal = by_name["home"]
    week = home_cal.date_search(start=utc(2026, 11, 2), end=utc(2026, 11, 9))
    occurrences = []
    for o in week:
        for comp in o.icalendar_instance.walk("VEVENT"):
            occurrences.append(
                {
                    "summary": str(comp.get("SUMMARY")),
                    "start": comp.decoded("DTSTART").isoformat(),
                    "recurrenceIds": recurrence_ids(comp),
                    "hasRrule": "RRULE" in comp,
                }
            )
    emit("date-search", url=str(home_cal.url), occurrences=occurrences)

    # ---- edit and save -----------------------------------------------------------------------------
    event = found[0]
    event.vobject_instance.vevent.summary.value = "Edited by python-caldav"
    event.save()
    emit("edit", url=str(event.url))

    # ---- fetch by URL ------------------------------------------------------------------------------
    fetched = work.event_by_url(event.url)
    emit(
        "fetch",
        url=str(fetched.url),
        summary=summary_of(fetched),
        sequence=int(fetched.icalendar_component.get("SEQUENCE", -1)),
        etag=fetched.props.get(dav.GetEtag.tag),
    )

    # ---- incremental sync (RFC 6578) ---------------------------------------------------------------
    collection = work.objects_by_sync_token(load_objects=True)
    emit(
        "sync-initial",
        token=collection.sync_token,
        objects=sorted(str(o.url) for o in collection),
    )
    unchanged = work.objects_by_sync_token(collection.sync_token)
    emit("sync-unchanged", token=unchanged.sync_token, objects=[str(o.url) for o in unchanged])

    await_server("iphone-change")
    updated, deleted = collection.sync()
    emit(
        "sync-after-iphone-change",
        token=collection.sync_token,
        updated=[{"url": str(o.url), "summary": summary_of(o)} for o in updated],
        deleted=[str(o.url) for o in deleted],
    )

    # iCloud answers an unknown or expired sync token with a bare 403 (no <valid-sync-token/>).
    await_server("forget-sync-tokens")
    try:
        collection.sync()
        emit("sync-forgotten-token", raised=None)
    except Exception as exc:
        # What a python-caldav user has to do on iCloud: start over with a full listing.
        fresh = work.objects_by_sync_token(load_objects=False)
        emit(
            "sync-forgotten-token",
            raised=type(exc).__name__,
            error=describe(exc),
            recovered=sorted(str(o.url) for o in fresh),
            token=fresh.sync_token,
        )

    # ---- delete ------------------------------------------------------------------------------------
    fetched.delete()
    try:
        work.event_by_url(event.url)
        gone = False
    except error.NotFoundError:
        gone = True
    emit("delete", url=str(event.url), gone=gone)

    # ---- read-only shared calendar -----------------------------------------------------------------
    if shared is None:
        emit("read-only-share", ok=False, error="no shared (64-hex) calendar listed")
    else:
        try:
            shared.save_event(EVENT.replace(UID, UID + "-SHARED"))
            emit("read-only-share", url=str(shared.url), raised=None)
        except Exception as exc:
            emit("read-only-share", url=str(shared.url), raised=type(exc).__name__, error=describe(exc))

    # ---- wrong password ----------------------------------------------------------------------------
    try:
        caldav.DAVClient(url=GATEWAY, username=APPLE_ID, password="wrong-" + PASSWORD).principal()
        emit("wrong-password", raised=None)
    except Exception as exc:
        emit("wrong-password", raised=type(exc).__name__, error=describe(exc))

    emit("done")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:
        fail("fatal", exc)
        sys.exit(1)
