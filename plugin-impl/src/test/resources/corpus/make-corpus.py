# Writes the InboxGuard real-world corpus: every message is composed here from a described shape.
import os, textwrap, base64
ROOT = os.path.dirname(os.path.abspath(__file__))
MX = "mx.corp.example"
STAMP = "20261201T085800Z"
entries = []
seq = [0]

def fold(line):
    out, b = [], line.encode("utf-8")
    # fold at 73 octets, never inside a UTF-8 sequence
    while len(b) > 73:
        cut = 73
        while (b[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(b[:cut].decode()); b = b" " + b[cut:]
    out.append(b.decode())
    return "\r\n".join(out)

def ical(method, body, prodid="-//InboxGuard corpus//EN", extra_top=""):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + prodid, "CALSCALE:GREGORIAN"]
    if method:
        lines.append("METHOD:" + method)
    if extra_top:
        lines += extra_top.strip("\n").split("\n")
    lines += body.strip("\n").split("\n")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(l) for l in lines) + "\r\n"

def ar(spf=None, dkim=(), dmarc=None):
    parts = []
    if spf: parts.append("spf=%s smtp.mailfrom=%s" % spf)
    for r, d in dkim: parts.append("dkim=%s header.d=%s header.s=s1" % (r, d))
    if dmarc: parts.append("dmarc=%s header.from=%s" % dmarc)
    if not parts: parts.append("none")
    return "Authentication-Results: " + MX + ";\r\n " + ";\r\n ".join(parts)

def email(name, *, envelope, from_, to, subject, cal, method, auth, plain=None, html=None, attach_ics=None,
          extra_headers="", below_received="", related=None):
    seq[0] += 1
    b = "b-%04d" % seq[0]
    h = ["Return-Path: <%s>" % envelope, auth,
         "Received: from smtp.%s (smtp.%s [192.0.2.%d]) by %s with ESMTPS id C%04d; Tue, 1 Dec 2026 08:58:59 +0000"
         % (envelope.split("@")[-1], envelope.split("@")[-1], seq[0] % 200 + 10, MX, seq[0])]
    if below_received:
        h.append(below_received)
    h += ["From: " + from_, "To: " + to, "Subject: " + subject, "Date: Tue, 1 Dec 2026 08:58:57 +0000",
          "Message-ID: <corpus-%04d@%s>" % (seq[0], envelope.split("@")[-1]), "MIME-Version: 1.0"]
    if extra_headers:
        h += extra_headers.strip("\n").split("\n")
    parts = []
    if plain is not None:
        parts.append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                     + plain.replace("\n", "\r\n"))
    if html is not None:
        parts.append("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                     + html.replace("\n", "\r\n"))
    parts.append("Content-Type: text/calendar; charset=UTF-8; method=%s\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                 % method + cal)
    alt = "--%s\r\n" % b + ("\r\n--%s\r\n" % b).join(parts) + "\r\n--%s--\r\n" % b
    if attach_ics is not None:
        outer = b + "-mixed"
        text = ("Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\nContent-Type: multipart/alternative; "
                "boundary=\"%s\"\r\n\r\n%s\r\n--%s\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
                "Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n"
                % (outer, outer, b, alt, outer, "\r\n".join(textwrap.wrap(base64.b64encode(attach_ics.encode()).decode(), 76)), outer))
    else:
        text = "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n%s" % (b, alt)
    return "\r\n".join(h) + "\r\n" + text

def write(kind, name, data):
    path = os.path.join(ROOT, kind, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(data)
    return kind + "/" + name

def entry(file, expect, recipient, source, stored=(), known=(), note=""):
    entries.append(dict(file=file, expect=expect, recipient=recipient, stored=list(stored), known=list(known),
                        source=source, note=note))

def event(uid, summary, *, organizer, attendees, start="20270112T150000Z", end="20270112T160000Z", seqn=0,
          extra="", organizer_params="", rid=None):
    lines = ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + STAMP]
    if rid:
        lines.append("RECURRENCE-ID:" + rid)
    lines += ["DTSTART:" + start, "DTEND:" + end, "SUMMARY:" + summary, "SEQUENCE:%d" % seqn]
    if organizer:
        lines.append("ORGANIZER" + organizer_params + ":mailto:" + organizer)
    for a in attendees:
        lines.append("ATTENDEE" + a if a.startswith(";") or a.startswith(":") else "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + a)
    if extra:
        lines += extra.strip("\n").split("\n")
    lines.append("END:VEVENT")
    return "\n".join(lines)

def stored(name, body):
    return write("stored", name, ical(None, body, prodid="-//InboxGuard corpus//stored//EN"))

ALIGNED = lambda d, env=None: ar(spf=("pass", env or "bounce@" + d), dkim=[("pass", d)], dmarc=("pass", d))

# ---------------------------------------------------------------- stored copies (the recipients' calendars)
alice_review = stored("alice-quarterly-review.ics", event("q1-review-7731@corp.example", "Quarterly review",
    organizer="alice@corp.example", attendees=["erin@northwind.example", "dave@fabrikam.example",
    ";CUTYPE=GROUP;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:team@partner.example", "carol@northwind.example"],
    organizer_params=";CN=Alice Liddell"))
bob_offsite = stored("bob-offsite.ics", event("offsite-2027@northwind.example", "Team offsite",
    organizer="erin@northwind.example", attendees=["bob@corp.example"], seqn=2, start="20270120T090000Z",
    end="20270120T170000Z"))

# ---------------------------------------------------------------- legitimate
GOOGLE_HTML = """<html><body><p>You have been invited to the following event.</p>
<h3>Roadmap sync</h3><p>Join with Google Meet: <a href="https://meet.google.com/pqr-stuv-wxy">meet.google.com/pqr-stuv-wxy</a></p>
<p>Join by phone (US) +1 617-555-0148 PIN: 275 118 903#</p>
<p><a href="https://calendar.google.com/calendar/event?action=RESPOND&amp;eid=cm9hZG1hcA&amp;rst=1">Yes</a>
<a href="https://calendar.google.com/calendar/event?action=RESPOND&amp;eid=cm9hZG1hcA&amp;rst=2">No</a>
<a href="https://calendar.google.com/calendar/event?action=RESPOND&amp;eid=cm9hZG1hcA&amp;rst=3">Maybe</a>
<a href="https://calendar.google.com/calendar/event?action=VIEW&amp;eid=cm9hZG1hcA">more options</a></p>
<p>Invitation from <a href="https://calendar.google.com/calendar/">Google Calendar</a></p></body></html>
"""
g_cal = ical("REQUEST", event("roadmap-5d1c9e@google.com", "Roadmap sync", organizer="frank@northwind.example",
    organizer_params=";CN=Frank Moreau", attendees=["frank@northwind.example", "bob@corp.example"],
    extra="DESCRIPTION:-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-\\nJoin with Google Meet: https://meet.google.com/pqr-stuv-wxy\\nJoin by phone\\n(US) +1 617-555-0148 PIN: 275118903#\\n\\nLearn more about Meet at: https://support.google.com/a/users/answer/9282720\\n-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-\n"
          "LOCATION:\nSTATUS:CONFIRMED\nTRANSP:OPAQUE\nCONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=meet.google.com/pqr-stuv-wxy:https://meet.google.com/pqr-stuv-wxy"),
    prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "google-workspace-invitation.eml", email("g1", envelope="3aBcD-google@calendar-server.bounces.google.com",
    from_="Frank Moreau <frank@northwind.example>", to="bob@corp.example", subject="Invitation: Roadmap sync @ Tue 12 Jan 2027",
    cal=g_cal, method="REQUEST", attach_ics=g_cal, html=GOOGLE_HTML, plain="You have been invited to Roadmap sync.\nJoin with Google Meet: https://meet.google.com/pqr-stuv-wxy\n",
    auth=ar(spf=("pass", "3aBcD-google@calendar-server.bounces.google.com"), dkim=[("pass", "northwind.example"), ("pass", "google.com")], dmarc=("pass", "northwind.example")),
    extra_headers="Sender: Google Calendar <calendar-notification@google.com>")),
    "pass", "bob@corp.example",
    "Google Calendar invitation from a Google Workspace domain with its own DKIM key: text/calendar plus an invite.ics attachment, "
    "HTML RSVP buttons on calendar.google.com, a Meet link and a dial-in PIN. Shape: dmarcpal.com, 'Google Calendar emails fail DMARC' "
    "(SPF for calendar-server.bounces.google.com; DKIM by google.com and by the customer's domain once set up).")

g2_cal = ical("REQUEST", event("design-4e2a@google.com", "Design critique", organizer="grace@smallshop.example",
    attendees=["grace@smallshop.example", "bob@corp.example"], extra="DESCRIPTION:Weekly critique of the new storefront.\nTRANSP:OPAQUE"),
    prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "google-invitation-dmarc-misaligned.eml", email("g2", envelope="7xYz-google@calendar-server.bounces.google.com",
    from_="Grace Ho <grace@smallshop.example>", to="bob@corp.example", subject="Invitation: Design critique", cal=g2_cal, method="REQUEST",
    attach_ics=g2_cal, plain="Grace Ho has invited you to Design critique.\n",
    auth=ar(spf=("pass", "7xYz-google@calendar-server.bounces.google.com"), dkim=[("pass", "google.com"), ("pass", "smallshop-example.20210112.gappssmtp.com")], dmarc=("fail", "smallshop.example")),
    extra_headers="Sender: Google Calendar <calendar-notification@google.com>")),
    "pass", "bob@corp.example",
    "Google Calendar invitation from a Workspace domain that never set up its own DKIM key: SPF passes for Google's bounce domain, DKIM passes "
    "for google.com and for the customer's gappssmtp.com domain, DMARC fails for the From domain. Shape: dmarcpal.com, 'Google Calendar emails fail DMARC'.")

def reply(uid, who, partstat, organizer="alice@corp.example", extra_att="", summary="Quarterly review", rid=None, organizer_line=True):
    return event(uid, summary, organizer=organizer if organizer_line else None,
                 attendees=[";PARTSTAT=%s%s:mailto:%s" % (partstat, extra_att, who)], rid=rid)

r1 = ical("REPLY", reply("q1-review-7731@corp.example", "erin@northwind.example", "ACCEPTED"), prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "google-rsvp-accepted.eml", email("r1", envelope="9QrS-google@calendar-server.bounces.google.com",
    from_="Erin Walsh <erin@northwind.example>", to="alice@corp.example", subject="Accepted: Quarterly review", cal=r1, method="REPLY",
    plain="Erin Walsh has accepted this invitation.\n",
    auth=ar(spf=("pass", "9QrS-google@calendar-server.bounces.google.com"), dkim=[("pass", "google.com")], dmarc=("fail", "northwind.example")),
    extra_headers="Sender: Google Calendar <calendar-notification@google.com>")),
    "pass", "alice@corp.example",
    "An invited attendee answers with Google Calendar's RSVP buttons: Google sends the REPLY From the attendee through its own servers, "
    "DKIM d=google.com, SPF for Google's bounce domain, DMARC failing for the attendee's domain. Shape: issue 20's measurement; "
    "dmarcguardian.org, 'Why Google Calendar invite responses get blocked after you set DMARC to p=reject'.", stored=[alice_review])

r2 = ical("REPLY", reply("q1-review-7731@corp.example", "carol@northwind.example", "DECLINED"), prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "google-rsvp-declined-no-dkim-result.eml", email("r2", envelope="2LmN-google@calendar-server.bounces.google.com",
    from_="Carol Baker <carol@northwind.example>", to="alice@corp.example", subject="Declined: Quarterly review", cal=r2, method="REPLY",
    plain="Carol Baker has declined this invitation.\n",
    auth=ar(spf=("pass", "2LmN-google@calendar-server.bounces.google.com"), dmarc=("fail", "northwind.example")))),
    "pass", "alice@corp.example",
    "The same Google RSVP where the border MTA recorded only SPF and DMARC (no per-signature DKIM result): nothing vouches for the "
    "attendee, but the REPLY can only set an invited attendee's own answer. Shape: as google-rsvp-accepted.eml; issue 20's default.",
    stored=[alice_review])

o1 = ical("REPLY", reply("q1-review-7731@corp.example", "dave@fabrikam.example", "TENTATIVE", organizer_line=False),
    prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "outlook-reply-without-organizer.eml", email("o1", envelope="dave@fabrikam.example",
    from_="Dave Okafor <dave@fabrikam.example>", to="alice@corp.example", subject="Tentative: Quarterly review", cal=o1, method="REPLY",
    plain="Dave Okafor has tentatively accepted.\n", auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "alice@corp.example",
    "Outlook/Exchange sends REPLYs without the ORGANIZER property that RFC 5546 §3.2.3 requires; the organizer holds the event, "
    "so the reply is judged against that copy. Shape: issue 20; Exchange's iCalendar export (MS-OXCICAL) omits ORGANIZER on responses.",
    stored=[alice_review])

fw = ical("REQUEST", event("040000008200E00074C5B7101A82E00800000000A1B2C3D4@fabrikam.example", "Budget planning FY27",
    organizer="grace@fabrikam.example", organizer_params=";CN=Grace Lin", attendees=["heidi@fabrikam.example", "bob@corp.example"],
    extra="X-MS-OLK-FORCEINSPECTOROPEN:TRUE\nDESCRIPTION:Forwarded by Heidi. Agenda to follow.\nTRANSP:OPAQUE"), prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "exchange-forwarded-meeting.eml", email("fw", envelope="heidi@fabrikam.example",
    from_="Heidi Park <heidi@fabrikam.example>", to="bob@corp.example", subject="FW: Budget planning FY27", cal=fw, method="REQUEST",
    plain="Forwarding the invitation, see you there.\n", auth=ALIGNED("fabrikam.example", "heidi@fabrikam.example"))),
    "pass", "bob@corp.example",
    "An attendee in the organizer's company forwards an Exchange meeting to a colleague elsewhere: the ORGANIZER stays, the forwarder "
    "sends it. Shape: MS-OXOCAL §3.1.4.7.5 'Forwarding a Meeting Request' and §3.1.4.10 Meeting Forward Notification.")

dl = ical("REQUEST", event("040000008200E00074C5B7101A82E00800000000B2C3D4E5@fabrikam.example", "Board preparation",
    organizer="ceo@fabrikam.example", organizer_params=";CN=Ivan Petrov;SENT-BY=\"mailto:assistant@fabrikam.example\"",
    attendees=["bob@corp.example"], extra="X-MS-OLK-SENDER;CN=Judy Assistant:mailto:assistant@fabrikam.example\nTRANSP:OPAQUE"),
    prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "exchange-delegate-sent-by.eml", email("dl", envelope="assistant@fabrikam.example",
    from_="Judy Assistant <assistant@fabrikam.example>", to="bob@corp.example", subject="Board preparation", cal=dl, method="REQUEST",
    plain="Judy Assistant sent this on behalf of Ivan Petrov.\n", auth=ALIGNED("fabrikam.example", "assistant@fabrikam.example"),
    extra_headers="Sender: Judy Assistant <assistant@fabrikam.example>")),
    "pass", "bob@corp.example",
    "An Exchange delegate sends for their manager: ORGANIZER;SENT-BY names the delegate, X-MS-OLK-SENDER too, and the delegate is "
    "authenticated for the manager's own domain; nobody configured a proxy rule here. Shape: RFC 5545 §3.2.18 SENT-BY; MS-OXCICAL X-MS-OLK-SENDER; issue 20.")

dl2 = ical("REQUEST", event("allhands-2027-01@corp.example", "All hands", organizer="boss@corp.example",
    organizer_params=";CN=Pat Boss;SENT-BY=\"mailto:pa@corp.example\"", attendees=["bob@corp.example", "carol@corp.example"],
    extra="TRANSP:OPAQUE"), prodid="-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN")
entry(write("legitimate", "assistant-sent-by-same-domain.eml", email("dl2", envelope="pa@corp.example",
    from_="Sam Assistant <pa@corp.example>", to="bob@corp.example", subject="Invitation: All hands", cal=dl2, method="REQUEST",
    plain="Sent on behalf of Pat Boss.\n", auth=ar(spf=("pass", "pa@corp.example"), dmarc=("pass", "corp.example")))),
    "pass", "bob@corp.example",
    "An assistant in the recipient's own company sends for the boss with SENT-BY, authenticated by SPF and DMARC, with no proxy "
    "configured. Issue 20 measured this as reject 3.8 before.")

ic = ical("REQUEST", event("8F1C2B1D-0C3E-4C55-9E7A-2F4D5B6A7C8D", "Dinner", organizer="kim@icloud.com",
    organizer_params=";CN=Kim Jones;EMAIL=kim@icloud.com", attendees=[";CN=Bob;CUTYPE=INDIVIDUAL;EMAIL=bob@corp.example;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bob@corp.example"],
    start="20270115T190000Z", end="20270115T213000Z", extra="LOCATION:Café Lumière\\, 12 Rue Example\nCREATED:20261201T085000Z\nTRANSP:OPAQUE\nURL;VALUE=URI:"),
    prodid="-//Apple Inc.//iCloud 2.0//EN")
entry(write("legitimate", "icloud-invitation.eml", email("ic", envelope="kim@icloud.com", from_="Kim Jones <kim@icloud.com>",
    to="bob@corp.example", subject="Invitation: Dinner", cal=ic, method="REQUEST", plain="Kim Jones invited you to Dinner.\n",
    auth=ALIGNED("icloud.com", "kim@icloud.com"))),
    "pass", "bob@corp.example",
    "An iCloud invitation: Apple's PRODID, EMAIL parameters (RFC 7986 §6.2), an empty URL property, a place with an accent. "
    "Shape: RFC 7986 and iCloud's published iTIP mails.")

tb = ical("REQUEST", event("a1b2c3d4-thunderbird-5e6f@mail.example", "Book club", organizer="lena@mail.example",
    organizer_params=";CN=Lena", attendees=[";CN=bob@corp.example;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE;CUTYPE=INDIVIDUAL:mailto:bob@corp.example"],
    start="20270118T180000Z", end="20270118T193000Z", extra="X-MOZ-SEND-INVITATIONS:TRUE\nX-MOZ-GENERATION:1\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;VALUE=DURATION:-PT15M\nDESCRIPTION:Default Mozilla Description\nEND:VALARM"),
    prodid="-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN")
entry(write("legitimate", "thunderbird-invitation.eml", email("tb", envelope="lena@mail.example", from_="Lena <lena@mail.example>",
    to="bob@corp.example", subject="Invitation: Book club", cal=tb, method="REQUEST", attach_ics=tb, plain="Lena has invited you to Book club.\n",
    auth=ALIGNED("mail.example", "lena@mail.example"))),
    "pass", "bob@corp.example",
    "A Thunderbird invitation: X-MOZ properties, a DISPLAY alarm, and the same object again as an invite.ics attachment. "
    "Shape: Thunderbird's iTIP mails (text/calendar plus application/ics attachment).")

TEAMS_DESC = ("________________________________________________________________________________\\nMicrosoft Teams meeting\\n"
    "Join on your computer, mobile app or room device\\nClick here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_NmQ4ZjE2YjAtOWI1Yy00ZTFmLWE3YjAtMmE0ZDg1ZWY3MWMx%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-0000-0000-0000-2d7cd011db47%22%2c%22Oid%22%3a%229c1c5a4e-0000-0000-0000-6a1f2e3d4c5b%22%7d>\\n"
    "Meeting ID: 245 118 903 772\\nPasscode: Xy7Qp2\\nDownload Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>\\n"
    "Or call in (audio only)\\n+1 323-555-0166\\,\\,512334876#   United States\\, Los Angeles\\nPhone Conference ID: 512 334 876#\\n"
    "Find a local number<https://dialin.teams.microsoft.com/8551f4c1-0000-0000-0000-d0c6a5fdd2c7?id=512334876> | Reset PIN<https://dialin.teams.microsoft.com/usp/pstnconferencing>\\n"
    "Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/?organizerId=9c1c5a4e&tenantId=72f988bf&threadId=19_meeting_NmQ4@thread.v2&messageId=0&language=en-US>\\n"
    "________________________________________________________________________________")
tm = ical("REQUEST", event("040000008200E00074C5B7101A82E00800000000C3D4E5F6@fabrikam.example", "Invoice run Q1 - payment approvals",
    organizer="dave@fabrikam.example", organizer_params=";CN=Dave Okafor", attendees=["bob@corp.example"],
    extra="DESCRIPTION:" + TEAMS_DESC + "\nLOCATION:Microsoft Teams Meeting\nX-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_NmQ4ZjE2YjAtOWI1Yy00ZTFmLWE3YjAtMmE0ZDg1ZWY3MWMx%40thread.v2/0\nTRANSP:OPAQUE"),
    prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "teams-invitation-finance.eml", email("tm", envelope="dave@fabrikam.example", from_="Dave Okafor <dave@fabrikam.example>",
    to="bob@corp.example", subject="Invoice run Q1 - payment approvals", cal=tm, method="REQUEST", plain="Microsoft Teams meeting\n",
    auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "bob@corp.example",
    "A Microsoft Teams invitation from a finance team: a very long meetup-join link, Meeting ID, Passcode, an audio dial-in number "
    "and a Phone Conference ID, in a meeting about invoices and payments. The call-back check must not take the dial-in for a lure. "
    "Shape: Teams' invitation text as Exchange writes it into DESCRIPTION.", known=["dave@fabrikam.example"])

ZOOM_DESC = ("Lena Novak is inviting you to a scheduled Zoom meeting.\\n\\nJoin Zoom Meeting\\nhttps://us02web.zoom.us/j/81234567890?pwd=bW9ja1Bhc3N3b3JkMTIzNDU2Nzg5\\n\\n"
    "Meeting ID: 812 3456 7890\\nPasscode: 424242\\n\\n---\\n\\nOne tap mobile\\n+16465550123\\,\\,81234567890#\\,\\,\\,\\,*424242# US (New York)\\n"
    "+13125550188\\,\\,81234567890#\\,\\,\\,\\,*424242# US (Chicago)\\n\\n---\\n\\nDial by your location\\n• +1 646 555 0123 US (New York)\\n"
    "• +1 312 555 0188 US (Chicago)\\n\\nMeeting ID: 812 3456 7890\\nPasscode: 424242\\n\\nFind your local number: https://us02web.zoom.us/u/kbXyZ12ab")
zm = ical("REQUEST", event("zoom-81234567890@mail.example", "Subscription renewal planning", organizer="lena@mail.example",
    attendees=["bob@corp.example"], extra="DESCRIPTION:" + ZOOM_DESC + "\nLOCATION:https://us02web.zoom.us/j/81234567890?pwd=bW9ja1Bhc3N3b3JkMTIzNDU2Nzg5"),
    prodid="-//zoom.us//iCalendar Event//EN")
entry(write("legitimate", "zoom-invitation-renewals.eml", email("zm", envelope="lena@mail.example", from_="Lena Novak <lena@mail.example>",
    to="bob@corp.example", subject="Subscription renewal planning", cal=zm, method="REQUEST", plain="Join Zoom Meeting\n",
    auth=ALIGNED("mail.example", "lena@mail.example"))),
    "pass", "bob@corp.example",
    "A Zoom invitation about subscription renewals: one-tap mobile numbers, dial-by-location numbers, Meeting ID and Passcode twice. "
    "Shape: Zoom's 'Copy invitation' text.", known=["lena@mail.example"])

mt = ical("REQUEST", event("meet-6a7b8c@google.com", "Refund policy workshop", organizer="frank@northwind.example",
    attendees=["bob@corp.example"], extra="DESCRIPTION:Join with Google Meet: https://meet.google.com/abc-defg-hij\\n\\nJoin by phone\\n(FR) +33 1 55 50 12 34 PIN: 612 844 907#\\n(DE) +49 30 5550 8812 PIN: 612 844 907#\\n\\nMore phone numbers: https://tel.meet/abc-defg-hij?pin=612844907\n"
    "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Google Meet:https://meet.google.com/abc-defg-hij\nCONFERENCE;VALUE=URI;FEATURE=PHONE;LABEL=FR:tel:+33-1-55-50-12-34;pin=612844907"),
    prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "meet-invitation-phone-conference.eml", email("mt", envelope="frank@northwind.example",
    from_="Frank Moreau <frank@northwind.example>", to="bob@corp.example", subject="Invitation: Refund policy workshop", cal=mt, method="REQUEST",
    plain="Join with Google Meet\n", auth=ALIGNED("northwind.example", "frank@northwind.example"))),
    "pass", "bob@corp.example",
    "A Google Meet invitation with RFC 7986 CONFERENCE properties (a video URI and a tel: URI with a PIN) and international dial-in "
    "numbers, in a workshop about refunds. Shape: RFC 7986 §5.11 CONFERENCE; Google Meet's invitation text.", known=["frank@northwind.example"])

WEBEX_DESC = ("Hello\\,\\n\\nDave Okafor is inviting you to this Webex meeting.\\n\\nJoin meeting\\nhttps://fabrikam.webex.com/fabrikam/j.php?MTID=m5f1c0e3a9b2d4c6e8f0a1b2c3d4e5f60\\n\\n"
    "Meeting number (access code): 2634 118 9027\\nMeeting password: Tq4mZ8pR\\n\\nJoin by phone\\n+1-408-555-0180 United States Toll\\n+44-20-7946-0123 United Kingdom Toll\\n\\n"
    "Can't join the meeting? https://help.webex.com/docs-meeting")
wx = ical("REQUEST", event("webex-26341189027@fabrikam.example", "Contract renewal review", organizer="dave@fabrikam.example",
    attendees=["bob@corp.example"], extra="DESCRIPTION:" + WEBEX_DESC + "\nLOCATION:https://fabrikam.webex.com/fabrikam/j.php?MTID=m5f1c0e3a9b2d4c6e8f0a1b2c3d4e5f60"),
    prodid="-//Cisco Webex//Webex Meetings//EN")
entry(write("legitimate", "webex-invitation-contract-renewal.eml", email("wx", envelope="dave@fabrikam.example",
    from_="Dave Okafor <dave@fabrikam.example>", to="bob@corp.example", subject="Contract renewal review", cal=wx, method="REQUEST",
    plain="Join meeting\n", auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "bob@corp.example",
    "A Webex invitation about a contract renewal: MTID link, meeting number (access code), meeting password, toll numbers. "
    "Shape: Webex's invitation e-mail text.", known=["dave@fabrikam.example"])

ml = ical("REQUEST", event("allstaff-jan@partner.example", "All-staff briefing", organizer="comms@partner.example",
    attendees=[";CUTYPE=GROUP;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:everyone@lists.corp.example"], extra="TRANSP:OPAQUE"))
entry(write("legitimate", "mailing-list-invitation.eml", email("ml", envelope="everyone-bounces@lists.corp.example",
    from_="Partner Comms <comms@partner.example>", to="everyone@lists.corp.example", subject="All-staff briefing", cal=ml, method="REQUEST",
    plain="Please join the briefing.\n", auth=ar(spf=("pass", "everyone-bounces@lists.corp.example"), dkim=[("pass", "partner.example"), ("pass", "lists.corp.example")], dmarc=("pass", "partner.example")),
    extra_headers="List-Id: Everyone <everyone.lists.corp.example>\nSender: everyone-bounces@lists.corp.example")),
    "pass", "bob@corp.example",
    "An invitation sent to a mailing list the recipient is on: the list is the attendee (CUTYPE=GROUP), the list server is the envelope "
    "sender and re-signs, the organizer's own DKIM survives. Shape: RFC 5545 §3.2.3 CUTYPE=GROUP; RFC 2919 List-Id.")

mr1 = ical("REPLY", reply("q1-review-7731@corp.example", "judy@partner.example", "ACCEPTED", extra_att=";MEMBER=\"mailto:team@partner.example\""))
entry(write("legitimate", "mailing-list-member-reply.eml", email("mr1", envelope="judy@partner.example", from_="Judy Kim <judy@partner.example>",
    to="alice@corp.example", subject="Accepted: Quarterly review", cal=mr1, method="REPLY", plain="Judy accepted.\n",
    auth=ALIGNED("partner.example", "judy@partner.example"))),
    "pass", "alice@corp.example",
    "A member of an invited mailing list answers for herself, naming the list in MEMBER. Shape: RFC 5545 §3.2.11 MEMBER; RFC 5546 §3.2.3 "
    "(a group's members reply one by one).", stored=[alice_review])

mr2 = ical("REPLY", reply("q1-review-7731@corp.example", "kai@partner.example", "DECLINED"), prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "mailing-list-member-reply-without-member.eml", email("mr2", envelope="kai@partner.example",
    from_="Kai Berg <kai@partner.example>", to="alice@corp.example", subject="Declined: Quarterly review", cal=mr2, method="REPLY",
    plain="Kai declined.\n", auth=ALIGNED("partner.example", "kai@partner.example"))),
    "pass", "alice@corp.example",
    "Another member of the invited list answers from the list's domain with a client that does not write MEMBER (Outlook does not). "
    "Shape: as mailing-list-member-reply.eml.", stored=[alice_review])

pa = ical("REQUEST", event("dentist-7781@clinic.example", "Dental check-up", organizer="appointments@clinic.example",
    attendees=["bob+health@corp.example"], start="20270121T083000Z", end="20270121T090000Z",
    extra="LOCATION:Clinic Example\\, 4 High Street\nDESCRIPTION:To reschedule\\, use the link in your confirmation e-mail."))
entry(write("legitimate", "plus-address-booking.eml", email("pa", envelope="appointments@clinic.example",
    from_="Clinic Example <appointments@clinic.example>", to="bob+health@corp.example", subject="Your appointment", cal=pa, method="REQUEST",
    plain="Your appointment is confirmed.\n", auth=ALIGNED("clinic.example", "appointments@clinic.example"))),
    "pass", "bob+health@corp.example",
    "A booking confirmation to the recipient's plus-address (RFC 5233 subaddress), from a sender the recipient never scheduled with. "
    "Shape: issue 20 (aliases and plus-addresses; booking services).")

al = ical("REQUEST", event("standup-alias@northwind.example", "Vendor stand-up", organizer="erin@northwind.example",
    attendees=["robert.b@corp.example"], extra="RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=30"))
entry(write("legitimate", "alias-recipient-weekly.eml", email("al", envelope="erin@northwind.example", from_="Erin Walsh <erin@northwind.example>",
    to="robert.b@corp.example", subject="Vendor stand-up", cal=al, method="REQUEST", plain="Stand-up three times a week.\n",
    auth=ALIGNED("northwind.example", "erin@northwind.example"))),
    "pass", "robert.b@corp.example",
    "A weekly series (three days a week, 30 times) to an alias of the recipient. Shape: issue 20 (aliases); RFC 5545 §3.3.10 BYDAY.")

bk = ical("REQUEST", event("bk-5521990@booking.example", "30 minute call with Rosa Díaz", organizer="notifications@booking.example",
    organizer_params=";CN=Booking Example", attendees=["bob@corp.example", ";CN=Rosa Díaz;PARTSTAT=ACCEPTED:mailto:rosa@consult.example"],
    extra="DESCRIPTION:Event type: 30 minute call\\nNeed to make changes? Cancel: https://booking.example/cancellations/5521990 Reschedule: https://booking.example/reschedulings/5521990\nLOCATION:https://booking.example/meet/5521990"))
entry(write("legitimate", "booking-service-invitation.eml", email("bk", envelope="bounces+5521990@em.booking.example",
    from_="Booking Example <notifications@booking.example>", to="bob@corp.example", subject="New event: 30 minute call", cal=bk, method="REQUEST",
    plain="A new event has been scheduled.\n", auth=ar(spf=("pass", "bounces+5521990@em.booking.example"), dkim=[("pass", "booking.example")], dmarc=("pass", "booking.example")))),
    "pass", "bob@corp.example",
    "A booking service, an unknown sender with an authenticated domain, books a call with a consultant; the service is the ORGANIZER and "
    "its bounce address a subdomain. Shape: issue 20 (booking services).")

gc = ical("CANCEL", event("offsite-2027@northwind.example", "Team offsite", organizer="erin@northwind.example",
    attendees=["bob@corp.example"], seqn=3, start="20270120T090000Z", end="20270120T170000Z", extra="STATUS:CANCELLED"),
    prodid="-//Google Inc//Google Calendar 70.9054//EN")
entry(write("legitimate", "google-cancel-dmarc-misaligned.eml", email("gc", envelope="5TuV-google@calendar-server.bounces.google.com",
    from_="Erin Walsh <erin@northwind.example>", to="bob@corp.example", subject="Cancelled event: Team offsite", cal=gc, method="CANCEL",
    plain="This event has been cancelled.\n", auth=ar(spf=("pass", "5TuV-google@calendar-server.bounces.google.com"), dkim=[("pass", "google.com")], dmarc=("fail", "northwind.example")),
    extra_headers="Sender: Google Calendar <calendar-notification@google.com>")),
    "pass", "bob@corp.example",
    "The organizer cancels through Google Calendar, from a Workspace domain without its own DKIM key. Shape: dmarcpal.com (as above).",
    stored=[bob_offsite])

ct = ical("COUNTER", event("q1-review-7731@corp.example", "Quarterly review", organizer="alice@corp.example",
    attendees=[";PARTSTAT=TENTATIVE:mailto:dave@fabrikam.example"], start="20270113T150000Z", end="20270113T160000Z",
    extra="COMMENT:Could we move this to Wednesday?"), prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "outlook-propose-new-time.eml", email("ct", envelope="dave@fabrikam.example", from_="Dave Okafor <dave@fabrikam.example>",
    to="alice@corp.example", subject="New Time Proposed: Quarterly review", cal=ct, method="COUNTER", plain="Could we move this?\n",
    auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "alice@corp.example",
    "Outlook's 'Propose new time': a COUNTER from an invited attendee. Shape: RFC 5546 §3.2.7.", stored=[alice_review])

TZ = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE"""
series = TZ + "\n" + "\n".join([
 "BEGIN:VEVENT", "UID:040000008200E00074C5B7101A82E00800000000D4E5F6A7@fabrikam.example", "DTSTAMP:" + STAMP,
 "DTSTART;TZID=W. Europe Standard Time:20270105T100000", "DTEND;TZID=W. Europe Standard Time:20270105T103000",
 "RRULE:FREQ=WEEKLY;UNTIL=20271228T090000Z;INTERVAL=1;BYDAY=TU;WKST=MO",
 "EXDATE;TZID=W. Europe Standard Time:20270330T100000,20270406T100000", "SUMMARY:Weekly sync", "SEQUENCE:1",
 "ORGANIZER;CN=Dave Okafor:mailto:dave@fabrikam.example", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@corp.example",
 "END:VEVENT", "BEGIN:VEVENT", "UID:040000008200E00074C5B7101A82E00800000000D4E5F6A7@fabrikam.example", "DTSTAMP:" + STAMP,
 "RECURRENCE-ID;TZID=W. Europe Standard Time:20270112T100000", "DTSTART;TZID=W. Europe Standard Time:20270113T140000",
 "DTEND;TZID=W. Europe Standard Time:20270113T143000", "SUMMARY:Weekly sync (moved)", "SEQUENCE:1",
 "ORGANIZER;CN=Dave Okafor:mailto:dave@fabrikam.example", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@corp.example",
 "END:VEVENT"])
ws = ical("REQUEST", series, prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "exchange-weekly-series-with-exceptions.eml", email("ws", envelope="dave@fabrikam.example",
    from_="Dave Okafor <dave@fabrikam.example>", to="bob@corp.example", subject="Weekly sync", cal=ws, method="REQUEST",
    plain="Weekly sync for 2027.\n", auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "bob@corp.example",
    "A year-long weekly Exchange series in a Windows time zone name, with two EXDATEs and one moved instance. Shape: RFC 5545 §3.8.5; "
    "Exchange's VTIMEZONE for 'W. Europe Standard Time' (MS-OXCICAL).", known=["dave@fabrikam.example"])

DE_DESC = ("Microsoft Teams-Besprechung\\nJetzt auf Ihrem Computer\\, Ihrer mobilen App oder Ihrem Raumgerät teilnehmen\\n"
   "Hier klicken\\, um an der Besprechung teilzunehmen<https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZGU4%40thread.v2/0?context=%7b%22Tid%22%3a%22abc%22%7d>\\n"
   "Besprechungs-ID: 381 552 704 118\\nKenncode: h7Kx2p\\nOder telefonisch teilnehmen (nur Audio)\\n+49 69 5550 3321\\,\\,618204417#   Deutschland\\, Frankfurt\\n"
   "Telefonkonferenz-ID: 618 204 417#\\n\\nAgenda: offene Rechnungen\\, Zahlungsfreigaben\\, Rückerstattungen an Kunden.")
de = ical("REQUEST", event("040000008200E00074C5B7101A82E00800000000E5F6A7B8@fabrikam.example", "Rechnungsprüfung Januar",
    organizer="dave@fabrikam.example", attendees=["bob@corp.example"], extra="DESCRIPTION:" + DE_DESC + "\nLOCATION:Microsoft Teams-Besprechung"),
    prodid="Microsoft Exchange Server 2010")
entry(write("legitimate", "teams-invitation-german-invoices.eml", email("de", envelope="dave@fabrikam.example",
    from_="Dave Okafor <dave@fabrikam.example>", to="bob@corp.example", subject="Rechnungsprüfung Januar", cal=de, method="REQUEST",
    plain="Microsoft Teams-Besprechung\n", auth=ALIGNED("fabrikam.example", "dave@fabrikam.example"))),
    "pass", "bob@corp.example",
    "A German Teams invitation about invoices, payments and refunds, with a German dial-in block (Besprechungs-ID, Kenncode, "
    "Telefonkonferenz-ID). Shape: Teams' German invitation text.", known=["dave@fabrikam.example"])

# ---------------------------------------------------------------- hostile
ceo = ical("REQUEST", event("urgent-wire-1@corp.example", "Urgent: confidential acquisition call", organizer="ceo@corp.example",
    organizer_params=";CN=Chief Executive", attendees=["bob@corp.example"], extra="DESCRIPTION:Keep this confidential. Details in the call."))
entry(write("hostile", "forged-ceo-invitation.eml", email("ceo", envelope="ceo@corp.example", from_="Chief Executive <ceo@corp.example>",
    to="bob@corp.example", subject="Urgent: confidential", cal=ceo, method="REQUEST", plain="Please join.\n",
    auth=ar(spf=("fail", "ceo@corp.example"), dmarc=("fail", "corp.example")))),
    "stop", "bob@corp.example", "The recipient's own CEO forged from outside: SPF and DMARC fail for the recipient's own domain.")

fa = ical("REQUEST", event("fake-ar-1@corp.example", "Payroll update", organizer="hr@corp.example", attendees=["bob@corp.example"]))
entry(write("hostile", "forged-authentication-results.eml", email("fa", envelope="hr@corp.example", from_="HR <hr@corp.example>",
    to="bob@corp.example", subject="Payroll update", cal=fa, method="REQUEST", plain="See the invitation.\n",
    auth=ar(dmarc=("fail", "corp.example")),
    below_received="Authentication-Results: mx.corp.example; dkim=pass header.d=corp.example; dmarc=pass header.from=corp.example")),
    "stop", "bob@corp.example", "A sender writes its own Authentication-Results in the trusted id's name below the MX's Received: field (RFC 8601 §5).")

pc = ical("REPLY", reply("q1-review-7731@corp.example", "mallory@evil.example", "ACCEPTED"))
entry(write("hostile", "party-crash-reply.eml", email("pc", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="alice@corp.example", subject="Accepted: Quarterly review", cal=pc, method="REPLY", plain="Accepted.\n",
    auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "alice@corp.example", "An uninvited, authenticated stranger accepts to get the organizer's updates (RFC 5546 §3.2.3 party crasher).",
    stored=[alice_review])

lc = ical("REPLY", reply("q1-review-7731@corp.example", "mallory@evil.example", "ACCEPTED", extra_att=";MEMBER=\"mailto:team@partner.example\""))
entry(write("hostile", "list-member-claim-other-domain.eml", email("lc", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="alice@corp.example", subject="Accepted: Quarterly review", cal=lc, method="REPLY", plain="Accepted.\n",
    auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "alice@corp.example", "A stranger claims membership of the invited list from another domain to join the attendees.",
    stored=[alice_review])

sb = ical("REQUEST", event("fake-board-1@fabrikam.example", "Board preparation (moved)", organizer="ceo@fabrikam.example",
    organizer_params=";SENT-BY=\"mailto:mallory@evil.example\"", attendees=["bob@corp.example"]))
entry(write("hostile", "sent-by-other-domain.eml", email("sb", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="bob@corp.example", subject="Board preparation (moved)", cal=sb, method="REQUEST", plain="Moved.\n",
    auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "bob@corp.example", "Someone in another domain claims SENT-BY for a CEO with no proxy rule allowing it.")

fc = ical("CANCEL", event("offsite-2027@northwind.example", "Team offsite", organizer="erin@northwind.example",
    attendees=["bob@corp.example"], seqn=3, start="20270120T090000Z", end="20270120T170000Z", extra="STATUS:CANCELLED"))
entry(write("hostile", "cancel-by-someone-else.eml", email("fc", envelope="oscar@northwind.example", from_="Oscar <oscar@northwind.example>",
    to="bob@corp.example", subject="Cancelled: Team offsite", cal=fc, method="CANCEL", plain="Cancelled.\n",
    auth=ALIGNED("northwind.example", "oscar@northwind.example"))),
    "stop", "bob@corp.example", "A colleague of the organizer (authenticated, same domain) cancels the organizer's event: only the organizer cancels.",
    stored=[bob_offsite])

dg = ical("REPLY", reply("q1-review-7731@corp.example", "erin@northwind.example", "DELEGATED", extra_att=";DELEGATED-TO=\"mailto:mallory@evil.example\""))
entry(write("hostile", "unauthenticated-rsvp-delegating-to-stranger.eml", email("dg", envelope="erin@northwind.example",
    from_="Erin Walsh <erin@northwind.example>", to="alice@corp.example", subject="Delegated: Quarterly review", cal=dg, method="REPLY",
    plain="Delegated.\n", auth=ar(spf=("fail", "erin@northwind.example"), dmarc=("fail", "northwind.example")))),
    "stop", "alice@corp.example", "An unauthenticated REPLY in an invited attendee's name that delegates to a stranger: more than an RSVP.",
    stored=[alice_review])

fl = ical("REQUEST", event("flood-1@evil.example", "ping", organizer="mallory@evil.example", attendees=["bob@corp.example"],
    start="20270112T150000Z", end="20270112T150500Z", extra="RRULE:FREQ=MINUTELY"))
entry(write("hostile", "minutely-flood.eml", email("fl", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="bob@corp.example", subject="ping", cal=fl, method="REQUEST", plain="ping\n", auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "bob@corp.example", "A five-minute event every minute, forever.")

sl = ical("REQUEST", event("sleeper-1@evil.example", "Renewal", organizer="mallory@evil.example", attendees=["bob@corp.example"],
    start="20330112T150000Z", end="20330112T160000Z"))
entry(write("hostile", "far-future-sleeper.eml", email("sl", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="bob@corp.example", subject="Renewal", cal=sl, method="REQUEST", plain="See you.\n", auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "bob@corp.example", "A sleeper: an event six years ahead, planted now.")

oc = ical("REQUEST", event("offsite-2027@northwind.example", "Team offsite (new venue)", organizer="mallory@evil.example",
    attendees=["bob@corp.example"], seqn=5, start="20270120T090000Z", end="20270120T170000Z"))
entry(write("hostile", "organizer-takeover.eml", email("oc", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="bob@corp.example", subject="Team offsite (new venue)", cal=oc, method="REQUEST", plain="New venue.\n",
    auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "bob@corp.example", "An update for the recipient's event that names another ORGANIZER (a takeover).", stored=[bob_offsite])

wa = ical("REPLY", reply("q1-review-7731@corp.example", "carol@northwind.example", "DECLINED"))
entry(write("hostile", "reply-for-someone-else.eml", email("wa", envelope="mallory@evil.example", from_="Mallory <mallory@evil.example>",
    to="alice@corp.example", subject="Declined: Quarterly review", cal=wa, method="REPLY", plain="Declined.\n",
    auth=ALIGNED("evil.example", "mallory@evil.example"))),
    "stop", "alice@corp.example", "An authenticated stranger declines in an invited attendee's name.", stored=[alice_review])

st = ical("REQUEST", event("offsite-2027@northwind.example", "Team offsite", organizer="erin@northwind.example",
    attendees=["bob@corp.example"], seqn=1, start="20270127T090000Z", end="20270127T170000Z"))
entry(write("hostile", "stale-replay.eml", email("st", envelope="erin@northwind.example", from_="Erin Walsh <erin@northwind.example>",
    to="bob@corp.example", subject="Team offsite", cal=st, method="REQUEST", plain="Offsite.\n", auth=ALIGNED("northwind.example", "erin@northwind.example"))),
    "stop", "bob@corp.example", "An old version of the organizer's event replayed (SEQUENCE 1 after 2).", stored=[bob_offsite])

cp_main = ical("REQUEST", event("two-faces-1@mail.example", "Lunch", organizer="lena@mail.example", attendees=["bob@corp.example"]))
cp_other = ical("REQUEST", event("two-faces-1@mail.example", "Lunch", organizer="lena@mail.example", attendees=["bob@corp.example"],
    start="20270112T020000Z", end="20270112T230000Z", extra="DESCRIPTION:Call +1 888 555 0199 about your refund"))
entry(write("hostile", "conflicting-calendar-parts.eml", email("cp", envelope="lena@mail.example", from_="Lena <lena@mail.example>",
    to="bob@corp.example", subject="Lunch", cal=cp_main, method="REQUEST", attach_ics=cp_other, plain="Lunch?\n",
    auth=ALIGNED("mail.example", "lena@mail.example"))),
    "stop", "bob@corp.example", "The text/calendar part and the invite.ics attachment schedule different things.", known=["lena@mail.example"])

# ---------------------------------------------------------------- suspicious content (flagged at least)
def lure(name, summary, desc, src, lang_note, sender="billing@shop.example", extra=""):
    cal = ical("REQUEST", event(name + "@shop.example", summary, organizer=sender, attendees=["bob@corp.example"],
        extra="DESCRIPTION:" + desc + ("\n" + extra if extra else "")))
    entry(write("suspicious", name + ".eml", email(name, envelope=sender, from_="Billing <%s>" % sender, to="bob@corp.example",
        subject=summary, cal=cal, method="REQUEST", plain=desc.replace("\\n", "\n").replace("\\,", ",") + "\n",
        auth=ALIGNED(sender.split("@")[1], sender))), "warn", "bob@corp.example", src + " " + lang_note, known=[sender])

CB = "Call-back phishing ('TOAD'): an invoice or renewal lure with a number to call, from an authenticated, known (taken-over) account."
lure("paypal-invoice-callback", "PayPal Invoice #PP-88417 - $499.99 charged",
     "Your account was charged $499.99 for Norton 360 renewal. If you did not authorize this payment call our billing desk at +1 (888) 555-0142 to cancel and get a refund.", CB, "English.")
lure("abo-verlaengerung-rueckruf", "Ihr Abonnement wurde verlängert",
     "Ihr Abonnement wurde automatisch verlängert. Es wurden 389\\,00 EUR abgebucht. Für eine Rückerstattung rufen Sie uns an: +49 30 5550 1234.", CB, "German.")
lure("facture-remboursement", "Votre facture n° 55821",
     "Votre abonnement a été renouvelé et 299 EUR ont été débités. Pour un remboursement\\, appelez le 01 55 50 12 34 avant 18 h.", CB, "French.")
lure("factura-reembolso", "Factura de su suscripción",
     "Hemos realizado un cargo de 249 EUR por la renovación de su suscripción. Para solicitar el reembolso llame al +34 910 555 123.", CB, "Spanish.")

def phish(name, extra, src, html=None):
    cal = ical("REQUEST", event(name + "@shop.example", "Account review", organizer="it@shop.example", attendees=["bob@corp.example"],
        extra=extra))
    entry(write("suspicious", name + ".eml", email(name, envelope="it@shop.example", from_="IT <it@shop.example>", to="bob@corp.example",
        subject="Account review", cal=cal, method="REQUEST", plain="Please review.\n", html=html,
        auth=ALIGNED("shop.example", "it@shop.example"))), "warn", "bob@corp.example", src, known=["it@shop.example"])

phish("styled-description-deceptive-link",
      "STYLED-DESCRIPTION;VALUE=TEXT;FMTTYPE=text/html:<p>Sign in at <a href=\"http://198.51.100.7/login\">https://login.microsoftonline.com</a></p>",
      "RFC 9073 STYLED-DESCRIPTION whose link text names one host and whose href goes to an IP literal.")
phish("link-property-punycode", "LINK;REL=related;VALUE=URI:https://xn--pypal-4ve.example/account",
      "RFC 9253 LINK to a punycode look-alike host.")
phish("structured-data-script", "STRUCTURED-DATA;VALUE=URI:javascript:alert(document.cookie)",
      "RFC 9073 STRUCTURED-DATA with a javascript: URI.")
phish("conference-ip-literal", "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://203.0.113.50/join",
      "RFC 7986 CONFERENCE pointing at an IP literal.")
phish("email-body-button", "DESCRIPTION:Quarterly account review.",
      "A clean calendar object whose e-mail HTML body carries an 'Accept' button to another host than its text claims.",
      html="<html><body><p>Quarterly account review.</p><a href=\"http://203.0.113.9/accept\">https://calendar.shop.example/accept</a></body></html>\n")

import json
with open(os.path.join(ROOT, "manifest.json"), "w") as f:
    json.dump(entries, f, indent=1, ensure_ascii=False)
print(len(entries), "entries")
