"""Drives InboxGuard's CalDAV server with vdirsyncer (Debian's vdirsyncer), a real third-party sync client.

Usage: flow.py URL USER PASSWORD [WORKDIR]

vdirsyncer pairs a local filesystem storage (one .ics file per event) with a calendar on the server that it creates
itself during discovery (RFC 5689 extended MKCOL), then syncs both ways: a local event reaches the server, an event
PUT on the server by plain HTTP reaches the local directory, and a change and a delete on either side reach the
other. The config file and the status live in WORKDIR (a new temporary directory by default; VDIRSYNCER_CONFIG
points vdirsyncer at it), and every vdirsyncer run logs at debug level to WORKDIR/vdirsyncer-N.log.

With VDIRSYNCER_FLOW_PRECREATE=1 the calendar is made by MKCALENDAR (RFC 4791 §5.3.1) before discovery instead, so
that the sync steps can be tried on a server without extended MKCOL; the discover step then only checks that
vdirsyncer finds it.

Prints "ok STEP" or "FAIL STEP: why" per step and "OK" when all passed; exits 1 on the first failing step (each step
needs the ones before it). On a failure the log of the last vdirsyncer run follows.
"""
import base64
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

VDIRSYNCER = os.environ.get("VDIRSYNCER", "vdirsyncer")
COLLECTION = "inboxguard-vdirsyncer"
RUN_TIMEOUT = 90  # seconds per vdirsyncer run
DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"


class StepFailed(Exception):
    pass


def event(uid, summary, start):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//inboxguard//vdirsyncer flow//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT1H\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


class Server:
    """Plain HTTP to the server, for what the test does behind vdirsyncer's back and for checking what it did."""

    def __init__(self, url, user, password):
        self.url = url
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request(urllib.parse.urljoin(self.url, path), method=method,
                                     data=body.encode() if isinstance(body, str) else body)
        req.add_header("Authorization", self.auth)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode("utf-8", "replace")

    def propfind(self, path, depth, props):
        body = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>' + props + "</D:prop></D:propfind>")
        for _ in range(5):  # urllib follows redirects for GET only; RFC 6764 §5 bootstrapping redirects PROPFIND too
            status, headers, text = self.request("PROPFIND", path, body,
                                                 {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"})
            location = {k.lower(): v for k, v in headers.items()}.get("location")
            if status not in (301, 302, 307, 308) or not location:
                break
            path = urllib.parse.urljoin(urllib.parse.urljoin(self.url, path), location)
        if status != 207:
            raise StepFailed(f"PROPFIND {path} answered {status}: {text[:300]}")
        return ET.fromstring(text)

    def home(self):
        root = self.propfind("/.well-known/caldav", "0", "<D:current-user-principal/>")
        principal = root.find(f".//{DAV}current-user-principal/{DAV}href").text
        root = self.propfind(principal, "0", "<C:calendar-home-set/>")
        return root.find(f".//{CALDAV}calendar-home-set/{DAV}href").text

    def members(self, collection):
        """@return {path: body} of the collection's calendar objects"""
        root = self.propfind(collection, "1", "<D:resourcetype/><D:getetag/>")
        out = {}
        for response in root.findall(f"{DAV}response"):
            href = response.find(f"{DAV}href").text
            if response.find(f".//{DAV}resourcetype/{DAV}collection") is not None:
                continue
            status, _, text = self.request("GET", href)
            if status != 200:
                raise StepFailed(f"GET {href} (listed by PROPFIND) answered {status}")
            out[urllib.parse.urlparse(urllib.parse.urljoin(self.url, href)).path] = text
        return out

    def find(self, collection, uid):
        """@return (path, body) of the member with this UID, or None"""
        for path, text in self.members(collection).items():
            if f"UID:{uid}" in unfold(text):
                return path, text
        return None


def unfold(text):
    return re.sub(r"\r?\n[ \t]", "", text)


class Flow:
    def __init__(self, url, user, password, work):
        self.server = Server(url, user, password)
        self.work = work
        self.local = os.path.join(work, "local")
        self.runs = 0
        self.last_log = None
        os.makedirs(self.local, exist_ok=True)
        self.config = os.path.join(work, "config")
        with open(self.config, "w") as f:
            f.write(f"""[general]
status_path = "{os.path.join(work, 'status')}/"

[pair inboxguard]
a = "inboxguard_local"
b = "inboxguard_remote"
collections = ["{COLLECTION}"]

[storage inboxguard_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".ics"

[storage inboxguard_remote]
type = "caldav"
url = "{url}"
username = "{user}"
password = "{password}"
""")

    def vdirsyncer(self, *args, answers=""):
        """Runs vdirsyncer with this flow's config, debug logging and a timeout; fails the step on non-zero exit."""
        self.runs += 1
        log = os.path.join(self.work, f"vdirsyncer-{self.runs}.log")
        env = dict(os.environ, VDIRSYNCER_CONFIG=self.config)
        cmd = [VDIRSYNCER, "-vdebug", *args]
        try:
            p = subprocess.run(cmd, input=answers, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
            output = p.stdout + p.stderr
            code = p.returncode
        except subprocess.TimeoutExpired as e:
            output = "".join(x.decode("utf-8", "replace") if isinstance(x, bytes) else x
                             for x in (e.stdout, e.stderr) if x)
            code = f"timeout after {RUN_TIMEOUT}s"
        with open(log, "w") as f:
            f.write(f"$ VDIRSYNCER_CONFIG={self.config} {' '.join(cmd)}\n{output}")
        self.last_log = log
        if code != 0:
            raise StepFailed(f"`vdirsyncer {' '.join(args)}` exited {code}; last lines: "
                             + " | ".join(output.strip().splitlines()[-6:]))
        return output

    def local_dir(self):
        return os.path.join(self.local, COLLECTION)

    def local_with(self, uid):
        d = self.local_dir()
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name)) as f:
                text = f.read()
            if f"UID:{uid}" in unfold(text):
                return os.path.join(d, name), text
        return None

    def sync(self):
        return self.vdirsyncer("sync", "inboxguard")

    def run(self):
        steps = [
            ("discover", self.discover),  # vdirsyncer makes its own calendar (RFC 5689 §3 extended MKCOL)
            ("sync: first", self.first_sync),  # both sides empty
            ("sync: local add", self.local_to_server),  # a local event reaches the server
            ("sync: server add", self.server_to_local),  # an event PUT on the server reaches the local dir
            ("sync: local change", self.local_change),
            ("sync: server change", self.server_change),
            ("sync: local delete", self.local_delete),
            ("sync: server delete", self.server_delete),
            ("cleanup", self.cleanup),  # DELETE the calendar
        ]
        for name, body in steps:
            try:
                body()
            except (StepFailed, AssertionError, OSError, ET.ParseError) as e:
                print(f"FAIL {name}: {e}", flush=True)
                if self.last_log:
                    print(f"--- {self.last_log} (last vdirsyncer run)", flush=True)
                    with open(self.last_log) as f:
                        print(f.read()[-20000:], flush=True)
                return 1
            print(f"ok {name}", flush=True)
        print("OK", flush=True)
        return 0

    def discover(self):
        self.home = self.server.home()
        self.collection = urllib.parse.urljoin(self.home, COLLECTION + "/")
        # a calendar left by an earlier run against the same server would spare vdirsyncer the MKCOL
        status, _, text = self.server.request("DELETE", self.collection)
        if status not in (200, 204, 404):
            raise StepFailed(f"DELETE {self.collection} (left over?) answered {status}: {text[:300]}")
        precreate = os.environ.get("VDIRSYNCER_FLOW_PRECREATE") == "1"
        if precreate:
            status, _, text = self.server.request("MKCALENDAR", self.collection)
            if status != 201:
                raise StepFailed(f"RFC 4791 §5.3.1 MKCALENDAR {self.collection} answered {status}: {text[:300]}")
        # two questions at most: create the collection on the server, and the local directory
        try:
            out = self.vdirsyncer("discover", "inboxguard", answers="y\ny\ny\n")
        except StepFailed as e:
            with open(self.last_log) as f:
                m = re.search(r"^debug: MKCOL (\S+)\n(?:.*\n)*?debug: (\d{3})$", f.read(), re.M)
            if m:
                raise StepFailed(f"RFC 5689 §3 extended MKCOL {m.group(1)} answered {m.group(2)}; {e}")
            raise
        if not precreate:
            assert re.search(r"\bMKCOL\b", out), "RFC 5689 §3 vdirsyncer sent no MKCOL (did the collection exist?)"
        root = self.server.propfind(self.home, "1", "<D:resourcetype/>")
        for response in root.findall(f"{DAV}response"):
            if urllib.parse.urljoin(self.home, response.find(f"{DAV}href").text).rstrip("/") \
                    == self.collection.rstrip("/"):
                assert response.find(f".//{DAV}resourcetype/{CALDAV}calendar") is not None, \
                    "RFC 5689 §3 the MKCOL asked for a calendar, but the new collection's resourcetype is " \
                    + ET.tostring(response.find(f".//{DAV}resourcetype"), encoding="unicode")
                break
        else:
            raise StepFailed(f"RFC 5689 §3 no {self.collection} in the calendar home after discover")
        assert os.path.isdir(self.local_dir()), "vdirsyncer did not create the local directory"

    def first_sync(self):
        self.sync()
        assert self.server.members(self.collection) == {}, "RFC 6578/4791 the new calendar is not empty"

    def local_to_server(self):
        with open(os.path.join(self.local_dir(), "local-1.ics"), "w") as f:
            f.write(event("vdirsyncer-local-1", "Written locally", "20270105T090000Z"))
        # vdirsyncer refuses to sync a side that became empty (it takes that for a wiped storage), so one event
        # stays on both sides to the end
        with open(os.path.join(self.local_dir(), "keep.ics"), "w") as f:
            f.write(event("vdirsyncer-keep", "Stays to the end", "20270104T090000Z"))
        self.sync()
        assert self.server.find(self.collection, "vdirsyncer-keep"), "RFC 4791 §5.3.2 keep.ics did not reach the server"
        found = self.server.find(self.collection, "vdirsyncer-local-1")
        assert found, "RFC 4791 §5.3.2 the local event was not PUT to the server"
        assert "SUMMARY:Written locally" in unfold(found[1]), found[1]

    def server_to_local(self):
        path = self.collection + "server-1.ics"
        status, _, text = self.server.request("PUT", path, event("vdirsyncer-server-1", "Written on the server",
                                                                 "20270106T090000Z"),
                                              {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
        if status not in (201, 204):
            raise StepFailed(f"RFC 4791 §5.3.2 PUT {path} by plain HTTP answered {status}: {text[:300]}")
        self.sync()
        found = self.local_with("vdirsyncer-server-1")
        assert found, "the server's event is not in the local directory"
        assert "SUMMARY:Written on the server" in unfold(found[1]), found[1]

    def local_change(self):
        path, text = self.local_with("vdirsyncer-local-1")
        with open(path, "w") as f:
            f.write(text.replace("SUMMARY:Written locally", "SUMMARY:Changed locally"))
        self.sync()
        _, remote = self.server.find(self.collection, "vdirsyncer-local-1")
        assert "SUMMARY:Changed locally" in unfold(remote), "RFC 4791 §5.3.2 the change did not reach the server: " \
            + remote

    def server_change(self):
        path, _ = self.server.find(self.collection, "vdirsyncer-server-1")
        status, headers, _ = self.server.request("GET", path)
        etag = {k.lower(): v for k, v in headers.items()}.get("etag")
        assert etag, f"RFC 4791 §5.3.4 GET {path} has no ETag"
        status, _, text = self.server.request("PUT", path, event("vdirsyncer-server-1", "Changed on the server",
                                                                 "20270106T090000Z"),
                                              {"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag})
        if status not in (200, 204):
            raise StepFailed(f"RFC 4791 §5.3.2 PUT {path} If-Match {etag} answered {status}: {text[:300]}")
        self.sync()
        _, local = self.local_with("vdirsyncer-server-1")
        assert "SUMMARY:Changed on the server" in unfold(local), "the server's change is not in the local file: " \
            + local

    def local_delete(self):
        path, _ = self.local_with("vdirsyncer-local-1")
        os.remove(path)
        self.sync()
        assert self.server.find(self.collection, "vdirsyncer-local-1") is None, \
            "RFC 4918 §9.6 the local delete did not DELETE the server's copy"

    def server_delete(self):
        path, _ = self.server.find(self.collection, "vdirsyncer-server-1")
        status, _, text = self.server.request("DELETE", path)
        if status not in (200, 204):
            raise StepFailed(f"DELETE {path} answered {status}: {text[:300]}")
        self.sync()
        assert self.local_with("vdirsyncer-server-1") is None, "the server's delete did not remove the local file"
        left = sorted(os.listdir(self.local_dir()))
        assert len(left) == 1 and self.local_with("vdirsyncer-keep"), f"local files left: {left}"
        remote = list(self.server.members(self.collection).values())
        assert len(remote) == 1 and "UID:vdirsyncer-keep" in unfold(remote[0]), f"server members left: {remote}"

    def cleanup(self):
        status, _, text = self.server.request("DELETE", self.collection)
        if status not in (200, 204):
            raise StepFailed(f"DELETE {self.collection} answered {status}: {text[:300]}")


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, password = sys.argv[1:4]
    work = sys.argv[4] if len(sys.argv) > 4 else tempfile.mkdtemp(prefix="vdirsyncer-flow-")
    print(f"workdir {work}", flush=True)
    return Flow(url, user, password, work).run()


if __name__ == "__main__":
    sys.exit(main())
