#!/usr/bin/env python3
"""Load InboxGuard and Radicale with the same CalDAV requests, interleaved, and print the ratios.

What it does
  1. Starts both servers on loopback ports (or uses running ones: --inboxguard-url, --radicale-url):
     InboxGuard from its jar (`serve --demo`, fresh data directory), Radicale (the Debian package, `radicale`)
     with a config file of its own (htpasswd auth, plain passwords, filesystem storage) written to --workdir.
  2. Makes two calendars on each with MKCALENDAR: one for reads, one for the PUT phase (so that the calendar the
     reads hit holds the same events on both servers all run long), and PUTs the same --events events (real
     iCalendar bodies, unique UIDs, a third of them in Europe/Berlin with a VTIMEZONE) into the read calendar.
  3. Runs four phases, each for --seconds per server with --threads client threads:
       GET       one calendar object                          expects 200 and the object's UID
       REPORT    calendar-query, a one-week time-range, getetag  expects 207 and exactly the events of that week
                 (103 windows, one every 3.5 days, so some cut through events)
       MULTIGET  calendar-multiget of --multiget hrefs, calendar-data  expects 207 and every object with its UID
       PUT       a new event (If-None-Match: *)               expects 201 or 204
     The servers alternate phase by phase (InboxGuard, Radicale, then Radicale, InboxGuard, ...: the order is
     swapped for every phase and every round), for --rounds rounds, so that machine noise hits both alike.
     Every status is checked; wrong answers (a 207 with missing or extra objects, say) are counted apart from
     errors, and the first few of each are printed with their request and response.
  4. Prints per phase and server: requests/s, median and p95 latency, errors, wrong answers, server CPU per
     request (for servers it started) and the ratio InboxGuard/Radicale; then a final table of the ratios.
     Absolute numbers depend on the machine; the ratios are what to compare.

How to run (from the repository root; Python 3.9+, standard library only; Java 17 and `apt-get install radicale`):
    mvn -q -DskipTests package
    nice -n 19 python3 integration-tests/src/test/bench/compare_radicale.py \
        --jar plugin-impl/target/inboxguard.jar --seconds 5 --threads 4 --rounds 3
  The servers it starts inherit the client's niceness. `--help` lists every option.
  Against servers that already run (each needs user alice, password alice, or --user/--password):
    python3 compare_radicale.py --inboxguard-url http://127.0.0.1:8080 --radicale-url http://127.0.0.1:5232
"""

import argparse
import base64
import datetime as dt
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

try:
    from zoneinfo import ZoneInfo
    BERLIN = ZoneInfo("Europe/Berlin")
except Exception:  # no tz database: every event in UTC
    BERLIN = None

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
PHASES = ("GET", "REPORT", "MULTIGET", "PUT")
WEEK0 = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)  # a Monday
WEEKS = 52  # the preloaded events span 52 weeks from WEEK0
WINDOWS = 103  # one-week query windows, starting every 3.5 days (Monday 00:00Z, Thursday 12:00Z, ...)
SAMPLES = 3  # examples kept of each kind of failure, per server and phase

VTIMEZONE_BERLIN = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")

SUBJECTS = ["Budget review", "Sprint planning", "1:1 with Sam", "Design crit", "Customer call: Müller GmbH",
            "Quarterly all-hands", "Dentist", "Team lunch", "Release retro", "Board prep", "Interview (backend)",
            "Architecture sync", "Yoga", "Parent-teacher meeting", "Vendor demo", "Hiring committee"]
PLACES = ["Room 4.12, Berlin office", "https://meet.example.com/abc-defg-hij", "Café Einstein, Unter den Linden",
          "Zoom", "Building B, ground floor", "Phone: +49 30 1234567"]


# ---------------------------------------------------------------------------------------------- iCalendar bodies

def fold(line):
    """Folds one content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(parts) + "\r\n"


def escape_text(s):
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def make_event(uid, i, start_utc, minutes, berlin):
    """One VCALENDAR with one VEVENT, as a desktop client would write it. Returns the body (str)."""
    stamp = "20261120T101500Z"
    end_utc = start_utc + dt.timedelta(minutes=minutes)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//InboxGuard bench//compare_radicale//EN", "CALSCALE:GREGORIAN"]
    body_tz = ""
    if berlin and BERLIN is not None:
        body_tz = VTIMEZONE_BERLIN
        s, e = start_utc.astimezone(BERLIN), end_utc.astimezone(BERLIN)
        when = ["DTSTART;TZID=Europe/Berlin:" + s.strftime("%Y%m%dT%H%M%S"),
                "DTEND;TZID=Europe/Berlin:" + e.strftime("%Y%m%dT%H%M%S")]
    else:
        when = ["DTSTART:" + start_utc.strftime("%Y%m%dT%H%M%SZ"), "DTEND:" + end_utc.strftime("%Y%m%dT%H%M%SZ")]
    subject = SUBJECTS[i % len(SUBJECTS)]
    description = ("Agenda:\n1. Where we stand (numbers attached to the invitation)\n2. Open questions from last "
                   "time, see the shared notes\n3. Next steps and owners\n\nPlease send apologies if you cannot "
                   "make it. Event %d of the benchmark calendar." % i)
    event = (["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + stamp, "CREATED:" + stamp, "LAST-MODIFIED:" + stamp]
             + when
             + ["SUMMARY:" + escape_text(subject), "LOCATION:" + escape_text(PLACES[i % len(PLACES)]),
                "DESCRIPTION:" + escape_text(description), "CATEGORIES:Work,Bench", "CLASS:PUBLIC",
                "STATUS:CONFIRMED", "TRANSP:OPAQUE", "SEQUENCE:0",
                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM",
                "END:VEVENT", "END:VCALENDAR"])
    head = "".join(fold(line) for line in lines)
    return head + body_tz + "".join(fold(line) for line in event)


class Event:
    __slots__ = ("name", "uid", "start", "end", "body")

    def __init__(self, name, uid, start, end, body):
        self.name, self.uid, self.start, self.end, self.body = name, uid, start, end, body


def preload_events(n, run_id):
    """n events spread over 52 weeks from WEEK0, working hours, every third one in Europe/Berlin."""
    events = []
    for i in range(n):
        day = i * (WEEKS * 7) // n
        local_hour = 8 + (i * 7) % 10
        minute = (i * 15) % 60
        minutes = (30, 45, 60, 90)[i % 4]
        berlin = i % 3 == 0 and BERLIN is not None
        if berlin:
            d = (WEEK0 + dt.timedelta(days=day)).date()
            start = dt.datetime(d.year, d.month, d.day, local_hour, minute, tzinfo=BERLIN).astimezone(dt.timezone.utc)
        else:
            start = WEEK0 + dt.timedelta(days=day, hours=local_hour, minutes=minute)
        token = uuid.uuid4().hex
        uid = "%s-%04d-%s@bench.example.com" % (run_id, i, token[:12])
        body = make_event(uid, i, start, minutes, berlin)
        events.append(Event("ev-%04d-%s.ics" % (i, token[:8]), uid, start, start + dt.timedelta(minutes=minutes),
                            body.encode("utf-8")))
    return events


def week_window(w):
    """Window w: seven days from WEEK0 + 3.5 w days, so that half the windows cut through events at noon UTC."""
    start = WEEK0 + dt.timedelta(hours=84 * w)
    return start, start + dt.timedelta(days=7)


def expected_by_week(events):
    """The names each window must match: RFC 4791 9.9, start < window end and end > window start."""
    out = []
    for w in range(WINDOWS):
        ws, we = week_window(w)
        out.append(frozenset(e.name for e in events if e.start < we and e.end > ws))
    return out


def utc_stamp(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def calendar_query(w):
    ws, we = week_window(w)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<D:prop><D:getetag/></D:prop>'
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            '<C:time-range start="%s" end="%s"/>'
            '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>' % (utc_stamp(ws), utc_stamp(we))
            ).encode("utf-8")


def calendar_multiget(paths):
    hrefs = "".join("<D:href>%s</D:href>" % p for p in paths)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<D:prop><D:getetag/><C:calendar-data/></D:prop>%s</C:calendar-multiget>' % hrefs).encode("utf-8")


MKCALENDAR_BODY = ('<?xml version="1.0" encoding="utf-8"?>\n'
                   '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                   '<D:displayname>%s</D:displayname>'
                   '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
                   '</D:prop></D:set></C:mkcalendar>')


def parse_multistatus(data, members_only=False):
    """{basename of href: {property tag: text (or '' if empty)}} for the properties each response has with 200.
    members_only: leave out hrefs ending in / (the collection itself in a PROPFIND Depth 1)."""
    root = ET.fromstring(data)
    if root.tag != DAV + "multistatus":
        raise ValueError("root element is %s, not DAV:multistatus" % root.tag)
    found = {}
    for resp in root.findall(DAV + "response"):
        href = resp.findtext(DAV + "href") or ""
        if members_only and href.endswith("/"):
            continue
        name = urllib.parse.unquote(href.rstrip("/").rsplit("/", 1)[-1])
        props = {}
        for ps in resp.findall(DAV + "propstat"):
            status = ps.findtext(DAV + "status") or ""
            if " 200 " in status + " ":
                prop_el = ps.find(DAV + "prop")
                for prop in (list(prop_el) if prop_el is not None else []):
                    props[prop.tag] = prop.text or ""
        found[name] = props
    return found


# -------------------------------------------------------------------------------------------------- HTTP client

class Target:
    def __init__(self, name, url, home, user, password):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise SystemExit("%s: only http:// URLs are supported, not %r" % (name, url))
        self.name, self.host, self.port = name, u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.home = self.prefix + home.format(user=user)
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")
        self.proc = None  # the server process, when this script started it
        self.version = "?"
        self.read_cal = self.put_cal = None
        self.puts_ok = 0  # PUTs of the PUT phases answered 201 or 204

    def url(self):
        return "http://%s:%d%s" % (self.host, self.port, self.prefix or "/")

    def cpu_seconds(self):
        """utime + stime of the server process (all its threads), or None if it was not started here."""
        if self.proc is None:
            return None
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None


class Client:
    """One persistent connection (reopened whenever the server closes it), as a CalDAV client keeps one."""

    def __init__(self, target, keepalive=True, timeout=60):
        self.t, self.keepalive, self.timeout = target, keepalive, timeout
        self.conn = None
        self.connects = 0

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        h = {"Authorization": self.t.auth, "User-Agent": "inboxguard-bench/1"}
        if headers:
            h.update(headers)
        if not self.keepalive:
            h["Connection"] = "close"
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.t.host, self.t.port, timeout=self.timeout)
                self.connects += 1
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.BadStatusLine):
                self.close()
                if attempt == 0 and reused:
                    continue  # an idle keep-alive connection the server had closed: ask again on a new one
                raise
            except Exception:
                self.close()
                raise
            if resp.will_close or not self.keepalive:
                self.close()
            return resp.status, resp.headers, data
        raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------------- the workload

class Workload:
    def __init__(self, args, events, run_id):
        self.args, self.events, self.run_id = args, events, run_id
        self.by_week = expected_by_week(events)
        self.counters = {}  # (target name, phase) -> itertools.count: both servers see the same sequence

    def next_k(self, target, phase):
        return next(self.counters.setdefault((target.name, phase), itertools.count()))

    def one(self, client, target, phase, k):
        """Sends request k of a phase. Returns (ok, wrong, description of the request, description of a failure)."""
        a = self.args
        ev = self.events
        if phase == "GET":
            e = ev[(k * 7) % len(ev)]
            path = target.read_cal + e.name
            status, headers, data = client.request("GET", path)
            req = "GET %s" % path
            if status != 200:
                return False, False, req, describe(status, headers, data)
            if b"UID:" + e.uid.encode() not in data or not headers.get("ETag"):
                return True, True, req, "200 without the UID %s or without an ETag: %s" % (
                    e.uid, describe(status, headers, data))
            return True, False, req, None
        if phase == "REPORT":
            w = k % WINDOWS
            body = calendar_query(w)
            path = target.read_cal
            status, headers, data = client.request("REPORT", path, body, {
                "Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
            req = "REPORT %s (Depth: 1)\n%s" % (path, body.decode())
            if status != 207:
                return False, False, req, describe(status, headers, data)
            try:
                found = parse_multistatus(data)
            except Exception as ex:  # not XML
                return True, True, req, "unreadable 207 (%s): %s" % (ex, describe(status, headers, data))
            got = {n for n, p in found.items() if p.get(DAV + "getetag")}
            want = self.by_week[w]
            if got != want or len(found) != len(want):
                return True, True, req, "window %d: expected %d objects, got %d with a getetag (%d responses); " \
                    "missing %s, extra %s; %s" % (w, len(want), len(got), len(found), sorted(want - got)[:5],
                                                   sorted(set(found) - want)[:5], describe(status, headers, data))
            return True, False, req, None
        if phase == "MULTIGET":
            m = min(a.multiget, len(ev))
            first = (k * m) % len(ev)
            picked = [ev[(first + j * 13) % len(ev)] for j in range(m)]
            hrefs = [target.read_cal + e.name for e in picked]
            body = calendar_multiget(hrefs)
            path = target.read_cal
            status, headers, data = client.request("REPORT", path, body, {
                "Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
            req = "REPORT %s (calendar-multiget of %d hrefs)\n%s" % (path, m, body.decode())
            if status != 207:
                return False, False, req, describe(status, headers, data)
            try:
                found = parse_multistatus(data)
            except Exception as ex:
                return True, True, req, "unreadable 207 (%s): %s" % (ex, describe(status, headers, data))
            bad = [e.name for e in picked
                   if "UID:" + e.uid not in found.get(e.name, {}).get(CALDAV + "calendar-data", "")
                   or not found.get(e.name, {}).get(DAV + "getetag")]
            if bad or len(found) != len(picked):
                return True, True, req, "%d of %d objects without calendar-data with their UID or a getetag " \
                    "(%s); %d responses; %s" % (len(bad), m, bad[:5], len(found), describe(status, headers, data))
            return True, False, req, None
        if phase == "PUT":
            token = "%s-%s-%d" % (self.run_id, target.name.lower(), k)
            uid = "put-%s@bench.example.com" % token
            start = WEEK0 + dt.timedelta(days=k % 364, hours=8 + k % 10)
            body = make_event(uid, k, start, 60, k % 3 == 0).encode("utf-8")
            path = target.put_cal + "put-%s.ics" % token
            status, headers, data = client.request("PUT", path, body, {
                "Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
            req = "PUT %s (If-None-Match: *, %d bytes)" % (path, len(body))
            if status not in (201, 204):
                return False, False, req, describe(status, headers, data)
            return True, False, req, None
        raise ValueError(phase)


def describe(status, headers, data, limit=1500):
    text = data.decode("utf-8", "replace")
    if len(text) > limit:
        text = text[:limit] + "... (%d bytes in all)" % len(data)
    hdr = ", ".join("%s: %s" % (k, v) for k, v in headers.items()
                    if k.lower() in ("content-type", "etag", "location", "connection", "content-length"))
    return "HTTP %d [%s]\n%s" % (status, hdr, text)


class Result:
    def __init__(self):
        self.latencies = []
        self.count = self.errors = self.wrong = self.connects = 0
        self.elapsed = 0.0
        self.server_cpu = None
        self.client_cpu = 0.0
        self.samples = []  # (kind, request, response)

    def add(self, other):
        self.latencies += other.latencies
        self.count += other.count
        self.errors += other.errors
        self.wrong += other.wrong
        self.connects += other.connects
        self.elapsed += other.elapsed
        self.client_cpu += other.client_cpu
        if other.server_cpu is not None:
            self.server_cpu = (self.server_cpu or 0.0) + other.server_cpu
        for s in other.samples:
            if sum(1 for x in self.samples if x[0] == s[0]) < SAMPLES:
                self.samples.append(s)

    def rate(self):
        return self.count / self.elapsed if self.elapsed else 0.0

    def pct(self, p):
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] * 1000.0


def run_phase(workload, target, phase, seconds, threads, keepalive):
    res = Result()
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    state = {}

    def worker():
        client = Client(target, keepalive)
        lat, n, err, wrong, samples = [], 0, 0, 0, []
        barrier.wait()
        deadline = state["deadline"]
        try:
            while time.perf_counter() < deadline:
                k = workload.next_k(target, phase)
                t0 = time.perf_counter()
                try:
                    ok, bad, req, why = workload.one(client, target, phase, k)
                except Exception as ex:
                    ok, bad, req, why = False, False, "%s request %d" % (phase, k), "exception: %r" % (ex,)
                lat.append(time.perf_counter() - t0)
                n += 1
                if not ok:
                    err += 1
                    if len(samples) < SAMPLES:
                        samples.append(("error", req, why))
                elif bad:
                    wrong += 1
                    if len(samples) < SAMPLES:
                        samples.append(("wrong", req, why))
        finally:
            client.close()
            with lock:
                res.latencies += lat
                res.count += n
                res.errors += err
                res.wrong += wrong
                res.connects += client.connects
                for s in samples:
                    if sum(1 for x in res.samples if x[0] == s[0]) < SAMPLES:
                        res.samples.append(s)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    cpu0, ccpu0 = target.cpu_seconds(), time.process_time()
    start = time.perf_counter()
    state["deadline"] = start + seconds
    barrier.wait()
    for t in pool:
        t.join()
    res.elapsed = time.perf_counter() - start
    if phase == "PUT":
        target.puts_ok += res.count - res.errors
    res.client_cpu = time.process_time() - ccpu0
    cpu1 = target.cpu_seconds()
    if cpu0 is not None and cpu1 is not None:
        res.server_cpu = cpu1 - cpu0
    return res


# ------------------------------------------------------------------------------------------------- the servers

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(target, path, deadline, want=None):
    last = None
    while time.time() < deadline:
        if target.proc is not None and target.proc.poll() is not None:
            raise SystemExit("%s exited with status %s while starting; see its log" % (target.name,
                                                                                       target.proc.returncode))
        try:
            c = Client(target, keepalive=False, timeout=5)
            status, _, _ = c.request("GET", path)
            if want is None or status == want:
                return
            last = "HTTP %d" % status
        except OSError as ex:
            last = repr(ex)
        time.sleep(0.2)
    raise SystemExit("%s did not answer on %s in time (last: %s)" % (target.name, path, last))


def start_inboxguard(args, workdir, started):
    if not args.jar or not os.path.isfile(args.jar):
        raise SystemExit("InboxGuard: no jar at %r (give --jar, or --inboxguard-url for a running server)" % args.jar)
    data = tempfile.mkdtemp(prefix="inboxguard-data-", dir=workdir)
    log = open(os.path.join(workdir, "inboxguard.log"), "w")
    cmd = (["java"] + args.java_opt + ["-jar", args.jar, "serve", "--demo", "--http-port", "0",
                                         "--lmtp-port", "-1", "--data", data])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True)
    started.append(proc)
    found = {}
    ready = threading.Event()

    def pump():  # copy stdout to the log, noting the URL of the banner
        for line in proc.stdout:
            log.write(line)
            log.flush()
            m = re.search(r"CalDAV at (http://[^/\s]+)/", line)
            if m:
                found["url"] = m.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(args.start_timeout) or "url" not in found:
        raise SystemExit("InboxGuard did not print its URL within %d s; see %s" % (args.start_timeout, log.name))
    t = Target("InboxGuard", found["url"], args.inboxguard_home, args.user, args.password)
    t.proc = proc
    wait_http(t, "/health", time.time() + args.start_timeout, want=200)
    t.version = "InboxGuard %s on %s" % (os.path.basename(args.jar), java_version())
    print("InboxGuard: %s, data in %s, log %s" % (t.url(), data, log.name), flush=True)
    return t


def java_version():
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30).stderr
        return out.splitlines()[0].strip()
    except Exception:
        return "java ?"


def start_radicale(args, workdir, started):
    port = free_port()
    users = os.path.join(workdir, "radicale-users")
    with open(users, "w") as f:
        f.write("%s:%s\n" % (args.user, args.password))
    collections = os.path.join(workdir, "collections")
    os.makedirs(collections, exist_ok=True)
    conf = os.path.join(workdir, "radicale.conf")
    with open(conf, "w") as f:
        f.write("# written by compare_radicale.py\n"
                "[server]\nhosts = 127.0.0.1:%d\n\n"
                "[auth]\ntype = htpasswd\nhtpasswd_filename = %s\nhtpasswd_encryption = plain\n\n"
                "[rights]\ntype = owner_only\n\n"
                "[storage]\nfilesystem_folder = %s\n\n"
                "[web]\ntype = none\n\n"
                "[logging]\nlevel = warning\nmask_passwords = True\n" % (port, users, collections))
    cmd = args.radicale_cmd.split() + ["--config", conf]
    log = open(os.path.join(workdir, "radicale.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    started.append(proc)
    t = Target("Radicale", "http://127.0.0.1:%d" % port, args.radicale_home, args.user, args.password)
    t.proc = proc
    wait_http(t, "/", time.time() + args.start_timeout)
    try:
        v = subprocess.run(args.radicale_cmd.split() + ["--version"], capture_output=True, text=True, timeout=30)
        t.version = "Radicale " + (v.stdout or v.stderr).strip()
    except Exception:
        pass
    print("Radicale:   %s, config %s, log %s" % (t.url(), conf, log.name), flush=True)
    return t


def stop(started):
    for p in started:
        if p.poll() is None:
            p.terminate()
    for p in started:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def prepare(target, workload, run_id, threads):
    """Makes the read and the PUT calendar and PUTs the preload events into the read calendar."""
    c = Client(target)
    c.request("PROPFIND", target.home, b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'
              b'<D:resourcetype/></D:prop></D:propfind>', {"Depth": "0", "Content-Type": "application/xml"})
    for kind in ("read", "put"):
        path = "%sbench-%s-%s/" % (target.home, run_id, kind)
        status, headers, data = c.request("MKCALENDAR", path, (MKCALENDAR_BODY % ("bench " + kind)).encode(),
                                          {"Content-Type": "application/xml; charset=utf-8"})
        if status != 201:
            raise SystemExit("%s: MKCALENDAR %s answered %s" % (target.name, path, describe(status, headers, data)))
        setattr(target, kind + "_cal", path)
    c.close()
    events = workload.events
    errors = []
    it = iter(range(len(events)))
    lock = threading.Lock()

    def worker():
        cl = Client(target)
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                break
            e = events[i]
            path = target.read_cal + e.name
            try:
                status, headers, data = cl.request("PUT", path, e.body, {
                    "Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
                if status not in (201, 204):
                    errors.append("PUT %s -> %s" % (path, describe(status, headers, data)))
            except Exception as ex:
                errors.append("PUT %s -> %r" % (path, ex))
        cl.close()

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    took = time.perf_counter() - t0
    if errors:
        raise SystemExit("%s: %d of %d preload PUTs failed; the first:\n%s" % (
            target.name, len(errors), len(events), errors[0]))
    # the calendar must now list exactly the preloaded objects
    status, headers, data = Client(target).request(
        "PROPFIND", target.read_cal, b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
        b'</D:prop></D:propfind>', {"Depth": "1", "Content-Type": "application/xml"})
    listed = {n for n, p in parse_multistatus(data, True).items() if p.get(DAV + "getetag")} if status == 207 else set()
    if listed != {e.name for e in events}:
        raise SystemExit("%s: after the preload, PROPFIND Depth 1 lists %d objects with an ETag, not %d (%s)" % (
            target.name, len(listed), len(events), describe(status, headers, data, 500)))
    print("preload %-10s %d events in %.1f s (%.0f PUT/s), PROPFIND lists all %d" % (
        target.name, len(events), took, len(events) / took, len(listed)), flush=True)


# ------------------------------------------------------------------------------------------------------- report

def fmt_rate(x):
    return "%.1f" % x if x < 100 else "%.0f" % x


def ratio(a, b):
    return a / b if b else float("inf")


def main():
    p = argparse.ArgumentParser(
        description="Drives the same GET, time-range REPORT, calendar-multiget and PUT load against InboxGuard "
                    "and Radicale, interleaved phase by phase, and prints requests/s, latency and the ratios "
                    "InboxGuard/Radicale. Starts both servers on loopback unless given their URLs.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--jar", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                  "../../../../plugin-impl/target/inboxguard.jar")),
                   help="InboxGuard's jar, started as `serve --demo` on a free loopback port")
    p.add_argument("--java-opt", action="append", default=[], help="a JVM option for InboxGuard (repeatable)")
    p.add_argument("--inboxguard-url", help="use this running InboxGuard instead of starting the jar")
    p.add_argument("--inboxguard-home", default="/dav/calendars/{user}/", help="calendar home under the URL")
    p.add_argument("--radicale-url", help="use this running Radicale instead of starting one")
    p.add_argument("--radicale-home", default="/{user}/", help="calendar home under the URL")
    p.add_argument("--radicale-cmd", default="radicale" if shutil.which("radicale") else sys.executable + " -m radicale",
                   help="how to start Radicale (the script adds --config FILE)")
    p.add_argument("--workdir", default="/tmp/radicale-bench",
                   help="Radicale's config, users file and collections, InboxGuard's data, the server logs")
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="alice")
    p.add_argument("--events", type=int, default=500, help="events preloaded into each read calendar")
    p.add_argument("--seconds", type=float, default=5, help="length of one phase on one server")
    p.add_argument("--threads", type=int, default=4, help="client threads, the same for both servers")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the four phases")
    p.add_argument("--warmup", type=float, default=2, help="seconds of each phase per server before round 1, "
                                                           "not counted (0: none)")
    p.add_argument("--multiget", type=int, default=20, help="hrefs per calendar-multiget")
    p.add_argument("--phases", default=",".join(PHASES), help="which phases, comma-separated")
    p.add_argument("--no-keepalive", action="store_true",
                   help="a new connection for every request on both servers (Radicale closes every connection "
                        "anyway; InboxGuard keeps them open by default)")
    p.add_argument("--start-timeout", type=int, default=90, help="seconds to wait for a server to start")
    args = p.parse_args()
    phases = [x.strip().upper() for x in args.phases.split(",") if x.strip()]
    for ph in phases:
        if ph not in PHASES:
            p.error("unknown phase %r (known: %s)" % (ph, ", ".join(PHASES)))
    if args.events < 1 or args.threads < 1 or args.rounds < 1:
        p.error("--events, --threads and --rounds must be at least 1")
    os.makedirs(args.workdir, exist_ok=True)
    run_id = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    keepalive = not args.no_keepalive

    started = []

    def on_signal(signum, frame):
        stop(started)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    t_begin = time.time()
    try:
        ig = (Target("InboxGuard", args.inboxguard_url, args.inboxguard_home, args.user, args.password)
              if args.inboxguard_url else start_inboxguard(args, args.workdir, started))
        ra = (Target("Radicale", args.radicale_url, args.radicale_home, args.user, args.password)
              if args.radicale_url else start_radicale(args, args.workdir, started))
        targets = [ig, ra]
        events = preload_events(args.events, run_id)
        workload = Workload(args, events, run_id)
        print("run %s: %d events (%d in Europe/Berlin), %d threads, %g s per phase and server, %d rounds, "
              "%d hrefs per multiget, keep-alive %s; client Python %s, niceness %d" % (
                  run_id, len(events), sum(1 for i in range(len(events)) if i % 3 == 0 and BERLIN),
                  args.threads, args.seconds, args.rounds, args.multiget, "on" if keepalive else "off",
                  sys.version.split()[0], os.nice(0)), flush=True)
        for t in targets:
            prepare(t, workload, run_id, args.threads)

        if args.warmup > 0:
            for ph in phases:
                for t in targets:
                    r = run_phase(workload, t, ph, args.warmup, args.threads, keepalive)
                    print("warm-up %-8s %-10s %6d requests, %d errors, %d wrong" % (
                        ph, t.name, r.count, r.errors, r.wrong), flush=True)
                    for kind, req, why in r.samples:
                        print("  warm-up %s: %s\n    -> %s" % (kind, req.splitlines()[0], why.replace("\n", "\n       ")))

        results = {(t.name, ph): Result() for t in targets for ph in phases}
        per_round = {(t.name, ph): [] for t in targets for ph in phases}
        print("\n%-5s %-8s %-10s %9s %8s %8s %8s %6s %5s %7s %9s" % (
            "round", "phase", "server", "requests", "req/s", "p50 ms", "p95 ms", "errors", "wrong", "conns",
            "srv ms/req"), flush=True)
        for rnd in range(args.rounds):
            for pi, ph in enumerate(phases):
                order = targets if (rnd + pi) % 2 == 0 else targets[::-1]
                for t in order:
                    r = run_phase(workload, t, ph, args.seconds, args.threads, keepalive)
                    results[(t.name, ph)].add(r)
                    per_round[(t.name, ph)].append(r.rate())
                    srv = "%.2f" % (r.server_cpu * 1000 / r.count) if r.server_cpu is not None and r.count else "-"
                    print("%-5d %-8s %-10s %9d %8s %8.1f %8.1f %6d %5d %7d %9s" % (
                        rnd + 1, ph, t.name, r.count, fmt_rate(r.rate()), r.pct(50), r.pct(95), r.errors, r.wrong,
                        r.connects, srv), flush=True)

        # ---- per phase, over all rounds
        print("\nPer phase, all rounds together (requests/s = requests / seconds measured):")
        print("%-8s %-10s %8s %8s %8s %7s %6s %9s %10s" % (
            "phase", "server", "req/s", "p50 ms", "p95 ms", "errors", "wrong", "srv ms/req", "client CPU"))
        for ph in phases:
            for t in targets:
                r = results[(t.name, ph)]
                srv = "%.2f" % (r.server_cpu * 1000 / r.count) if r.server_cpu is not None and r.count else "-"
                print("%-8s %-10s %8s %8.1f %8.1f %7d %6d %9s %9.0f%%" % (
                    ph, t.name, fmt_rate(r.rate()), r.pct(50), r.pct(95), r.errors, r.wrong, srv,
                    100 * r.client_cpu / r.elapsed if r.elapsed else 0))
            a, b = results[(ig.name, ph)], results[(ra.name, ph)]
            print("%-8s %-10s %8.2f   (requests/s InboxGuard/Radicale)" % (ph, "ratio", ratio(a.rate(), b.rate())))

        # ---- the ratios
        print("\nRatios InboxGuard/Radicale (throughput: higher is better for InboxGuard; latency: Radicale's over "
              "InboxGuard's, higher is better for InboxGuard)")
        print("| phase | InboxGuard req/s | Radicale req/s | throughput ratio | per round | p50 ms IG / R "
              "| p95 ms IG / R | median latency ratio R/IG | errors IG / R | wrong IG / R |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
        for ph in phases:
            a, b = results[(ig.name, ph)], results[(ra.name, ph)]
            rounds = ", ".join("%.1f" % ratio(x, y) for x, y in zip(per_round[(ig.name, ph)], per_round[(ra.name, ph)]))
            print("| %s | %s | %s | **%.1f** | %s | %.1f / %.1f | %.1f / %.1f | %.1f | %d / %d | %d / %d |" % (
                ph, fmt_rate(a.rate()), fmt_rate(b.rate()), ratio(a.rate(), b.rate()), rounds,
                a.pct(50), b.pct(50), a.pct(95), b.pct(95), ratio(b.pct(50), a.pct(50)), a.errors, b.errors,
                a.wrong, b.wrong))

        for t in targets:  # every PUT answered 201/204 must have made an object
            status, headers, data = Client(t).request(
                "PROPFIND", t.put_cal, b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
                b'</D:prop></D:propfind>', {"Depth": "1", "Content-Type": "application/xml"})
            n = sum(1 for p_ in parse_multistatus(data, True).values() if p_.get(DAV + "getetag")) if status == 207 else -1
            print("%s: the PUT calendar lists %d objects; %d PUTs were answered 201/204%s" % (
                t.name, n, t.puts_ok, "" if n == t.puts_ok else "  <-- MISMATCH"))

        failures = [(k, s) for k, r in results.items() for s in r.samples]
        if failures:
            print("\nErrors and wrong answers (the first %d of each kind per server and phase):" % SAMPLES)
            for (name, ph), (kind, req, why) in failures:
                print("--- %s %s, %s\n>>> %s\n<<< %s" % (name, ph, kind, req, why))
        print("\nversions: %s | %s | Python %s" % (ig.version, ra.version, sys.version.split()[0]))
        print("total time %.0f s" % (time.time() - t_begin))
        return 1 if any(r.errors or r.wrong for r in results.values()) else 0
    finally:
        stop(started)


if __name__ == "__main__":
    sys.exit(main())
