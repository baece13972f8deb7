// Drives InboxGuard's CalDAV server with tsdav (npm), a real third-party client, through its public API only.
//
// Usage: node flow.mjs URL USER PASSWORD
//   (or TSDAV_URL, TSDAV_USER, TSDAV_PASSWORD in the environment; TSDAV_TRACE=1 also prints every HTTP exchange to
//   stderr, through the `fetch` option tsdav takes)
//
// Prints "ok STEP" or "FAIL STEP: why" per step, "OK" when every step passed, and exits 1 on any failure. A step
// whose inputs a failed step should have made is reported as "FAIL STEP: skipped, needs ...".
import { DAVClient } from 'tsdav';

const [url, user, password] = [
  process.argv[2] ?? process.env.TSDAV_URL,
  process.argv[3] ?? process.env.TSDAV_USER,
  process.argv[4] ?? process.env.TSDAV_PASSWORD,
];
if (!url || !user || !password) {
  console.error('usage: node flow.mjs URL USER PASSWORD');
  process.exit(2);
}
const TRACE = process.env.TSDAV_TRACE === '1';

// Fixed dates in 2027, so the test never depends on today: a weekly meeting on the four Mondays of January, the
// second one moved to the afternoon and renamed, and a single event on the Wednesday between.
const RECURRING_UID = 'tsdav-weekly@example.com';
const SINGLE_UID = 'tsdav-single@example.com';
const ADDED_UID = 'tsdav-added@example.com';
const STAMP = '20261201T080000Z';

const RECURRING = ics(`BEGIN:VEVENT
UID:${RECURRING_UID}
DTSTAMP:${STAMP}
DTSTART:20270104T100000Z
DTEND:20270104T110000Z
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly planning
END:VEVENT
BEGIN:VEVENT
UID:${RECURRING_UID}
DTSTAMP:${STAMP}
RECURRENCE-ID:20270111T100000Z
DTSTART:20270111T140000Z
DTEND:20270111T150000Z
SUMMARY:Weekly planning (moved)
END:VEVENT`);

const SINGLE = (summary) => ics(`BEGIN:VEVENT
UID:${SINGLE_UID}
DTSTAMP:${STAMP}
DTSTART:20270113T090000Z
DTEND:20270113T093000Z
SUMMARY:${summary}
END:VEVENT`);

const ADDED = ics(`BEGIN:VEVENT
UID:${ADDED_UID}
DTSTAMP:${STAMP}
DTSTART:20270120T160000Z
DTEND:20270120T170000Z
SUMMARY:Added for the sync
END:VEVENT`);

function ics(body) {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//inboxguard//tsdav flow//EN\r\n${body.replace(/\n/g, '\r\n')}\r\nEND:VCALENDAR\r\n`;
}

// --- a small iCalendar reader: enough to look at components and properties of what the server sends back

function unfold(text) {
  return String(text ?? '').replace(/\r?\n[ \t]/g, '');
}

/** @return the blocks BEGIN:NAME..END:NAME (outermost of that name), each as an array of content lines */
function components(text, name) {
  const out = [];
  let current = null;
  for (const line of unfold(text).split(/\r?\n/)) {
    if (line === `BEGIN:${name}`) {
      current = [];
    } else if (line === `END:${name}` && current) {
      out.push(current);
      current = null;
    } else if (current) {
      current.push(line);
    }
  }
  return out;
}

/** @return the values of property NAME (parameters dropped) among the lines */
function values(lines, name) {
  return lines
    .filter((l) => l.toUpperCase().startsWith(name + ':') || l.toUpperCase().startsWith(name + ';'))
    .map((l) => l.slice(l.indexOf(':') + 1));
}

/** UTC iCalendar DATE-TIME (YYYYMMDDTHHMMSSZ) to epoch millis */
function utc(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC DATE-TIME: ${value}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** RFC 5545 §3.3.6 DURATION (positive, weeks/days/time) to millis */
function duration(value) {
  const m = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!m) throw new Error(`not a DURATION: ${value}`);
  const [w, d, h, mi, s] = m.slice(1).map((x) => +(x ?? 0));
  return ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

/** RFC 5545 §3.3.9 PERIOD (start/end or start/duration) to [start, end] millis */
function period(value) {
  const [start, rest] = value.split('/');
  const from = utc(start);
  return [from, rest.startsWith('P') || rest.startsWith('+') ? from + duration(rest) : utc(rest)];
}

// --- the steps

let failures = 0;
const state = {};

async function step(name, needs, body) {
  const missing = needs.filter((n) => state[n] === undefined);
  if (missing.length) {
    failures++;
    console.log(`FAIL ${name}: skipped, needs ${missing.join(', ')} from an earlier step`);
    return;
  }
  try {
    await body();
    console.log(`ok ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e?.message ?? e).replace(/\s+/g, ' ').slice(0, 1500)}`);
    if (TRACE && e?.stack) console.error(e.stack);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function tracingFetch(resource, init = {}) {
  const response = await fetch(resource, init);
  if (TRACE) {
    const headers = new Headers(init.headers ?? {});
    const shown = [...headers.entries()].filter(([k]) => k !== 'authorization').map(([k, v]) => `${k}: ${v}`);
    const text = await response.clone().text();
    console.error(`>>> ${init.method ?? 'GET'} ${resource}\n${shown.join('\n')}\n${init.body ?? ''}`);
    console.error(`<<< ${response.status} ${response.statusText} ${response.headers.get('content-type') ?? ''}\n${text}\n`);
  }
  return response;
}

async function ensureOk(response, what) {
  if (!response.ok) {
    throw new Error(`${what}: ${response.status} ${response.statusText} ${(await response.text()).slice(0, 500)}`);
  }
}

const client = new DAVClient({
  serverUrl: url,
  credentials: { username: user, password },
  authMethod: 'Basic',
  defaultAccountType: 'caldav',
  fetch: tracingFetch,
});

await step('login', [], async () => {
  // RFC 6764 §6 bootstrapping, then RFC 5397 current-user-principal and RFC 4791 §6.2.1 calendar-home-set
  await client.login();
  check(client.account?.principalUrl, 'no principal URL (RFC 5397 current-user-principal)');
  check(client.account?.homeUrl, 'no calendar home (RFC 4791 §6.2.1 calendar-home-set)');
  state.home = client.account.homeUrl;
});

await step('makeCalendar', ['home'], async () => {
  // RFC 4791 §5.3.1 MKCALENDAR
  const target = new URL(`tsdav-flow-${Date.now()}/`, state.home).href;
  const responses = await client.makeCalendar({
    url: target,
    props: { 'd:displayname': 'tsdav flow' },
  });
  const bad = responses.find((r) => !r.ok);
  check(!bad, `RFC 4791 §5.3.1 MKCALENDAR ${target}: ${bad?.status} ${bad?.statusText} ${JSON.stringify(bad?.raw ?? '')}`);
  state.target = target;
});

await step('fetchCalendars', ['target'], async () => {
  const calendars = await client.fetchCalendars();
  const calendar = calendars.find((c) => c.url === state.target);
  check(calendar, `the new calendar is not listed among ${JSON.stringify(calendars.map((c) => c.url))}`);
  check(calendar.displayName === 'tsdav flow', `displayname: ${JSON.stringify(calendar.displayName)}`);
  check(calendar.components.length === 0 || calendar.components.includes('VEVENT'),
    `RFC 4791 §5.2.3 supported-calendar-component-set has no VEVENT: ${calendar.components}`);
  state.calendar = calendar;
});

await step('createCalendarObject', ['calendar'], async () => {
  await ensureOk(await client.createCalendarObject({
    calendar: state.calendar, filename: 'weekly.ics', iCalString: RECURRING,
  }), 'PUT weekly.ics (recurring with an override)');
  await ensureOk(await client.createCalendarObject({
    calendar: state.calendar, filename: 'single.ics', iCalString: SINGLE('Single review'),
  }), 'PUT single.ics');
  state.created = true;
});

await step('timeRange', ['created'], async () => {
  // RFC 4791 §7.8 calendar-query with §9.9 time-range, fetched by calendar-multiget (§7.9)
  const january = await client.fetchCalendarObjects({
    calendar: state.calendar, timeRange: { start: '2027-01-01T00:00:00Z', end: '2027-02-01T00:00:00Z' },
  });
  const names = january.map((o) => o.url.split('/').pop()).sort();
  check(JSON.stringify(names) === '["single.ics","weekly.ics"]', `RFC 4791 §9.9 January holds both: ${names}`);
  check(january.every((o) => o.etag), 'RFC 4791 §7.9 multiget answers carry getetag');
  // only the moved instance (14:00) overlaps 13:00-15:00 on the 11th, and nothing else does
  const moved = await client.fetchCalendarObjects({
    calendar: state.calendar, timeRange: { start: '2027-01-11T13:00:00Z', end: '2027-01-11T15:00:00Z' },
  });
  check(moved.length === 1 && moved[0].url.endsWith('/weekly.ics'),
    `RFC 4791 §9.9 the overridden instance matches its new time: ${moved.map((o) => o.url)}`);
  const february = await client.fetchCalendarObjects({
    calendar: state.calendar, timeRange: { start: '2027-02-01T00:00:00Z', end: '2027-03-01T00:00:00Z' },
  });
  check(february.length === 0, `RFC 4791 §9.9 nothing in February: ${february.map((o) => o.url)}`);
});

await step('expand', ['created'], async () => {
  // RFC 4791 §7.8 calendar-query with calendar-data/expand (§9.6.5): every instance in the range as its own
  // VEVENT with a RECURRENCE-ID, no RRULE, in UTC; an overridden instance keeps what the override changed
  const objects = await client.fetchCalendarObjects({
    calendar: state.calendar,
    timeRange: { start: '2027-01-10T00:00:00Z', end: '2027-01-20T00:00:00Z' },
    expand: true,
  });
  const weekly = objects.find((o) => o.url.endsWith('/weekly.ics'));
  check(weekly, `RFC 4791 §7.8 the recurring event overlaps Jan 10-20: ${objects.map((o) => o.url)}`);
  check(typeof weekly.data === 'string' && weekly.data.includes('BEGIN:VCALENDAR'),
    `RFC 4791 §9.6 no calendar-data in the answer: ${JSON.stringify(weekly.data)?.slice(0, 300)}`);
  const events = components(weekly.data, 'VEVENT');
  const lines = unfold(weekly.data).split(/\r?\n/);
  check(!lines.some((l) => /^(RRULE|RDATE|EXDATE)[:;]/.test(l)),
    `RFC 4791 §9.6.5 expanded data still has RRULE/RDATE/EXDATE:\n${weekly.data}`);
  const ids = events.map((e) => values(e, 'RECURRENCE-ID')[0]);
  check(events.length === 2 && ids.every(Boolean),
    `RFC 4791 §9.6.5 two instances in Jan 10-20, each with a RECURRENCE-ID; got ${events.length}, ids ${ids}:\n${weekly.data}`);
  check(JSON.stringify([...ids].sort()) === '["20270111T100000Z","20270118T100000Z"]',
    `RFC 4791 §9.6.5 instance RECURRENCE-IDs in UTC: ${ids}`);
  const moved = events.find((e) => values(e, 'RECURRENCE-ID')[0] === '20270111T100000Z');
  check(values(moved, 'SUMMARY')[0] === 'Weekly planning (moved)',
    `RFC 4791 §9.6.5 the override keeps its SUMMARY: ${values(moved, 'SUMMARY')}`);
  check(values(moved, 'DTSTART')[0] === '20270111T140000Z',
    `RFC 4791 §9.6.5 the override keeps its DTSTART: ${values(moved, 'DTSTART')}`);
  const plain = events.find((e) => values(e, 'RECURRENCE-ID')[0] === '20270118T100000Z');
  check(values(plain, 'SUMMARY')[0] === 'Weekly planning' && values(plain, 'DTSTART')[0] === '20270118T100000Z',
    `RFC 4791 §9.6.5 a plain instance has the master's SUMMARY and its own DTSTART: ${plain}`);
  const single = objects.find((o) => o.url.endsWith('/single.ics'));
  check(single && components(single.data, 'VEVENT').length === 1,
    `RFC 4791 §9.6.5 the non-recurring event comes back as it is: ${single?.data}`);
});

await step('freeBusyQuery', ['created'], async () => {
  // RFC 4791 §7.10 free-busy-query: 200 with a text/calendar VFREEBUSY whose FREEBUSY periods cover the busy time
  const response = await client.freeBusyQuery({
    url: state.calendar.url,
    timeRange: { start: '2027-01-01T00:00:00Z', end: '2027-02-01T00:00:00Z' },
    depth: '1',
  });
  check(response.ok, `RFC 4791 §7.10 status ${response.status} ${response.statusText}`);
  const text = typeof response.raw === 'string' ? response.raw : JSON.stringify(response.raw);
  const busy = components(text, 'VFREEBUSY');
  check(busy.length === 1, `RFC 4791 §7.10 one VFREEBUSY in the answer, got ${busy.length}: ${text.slice(0, 600)}`);
  const periods = values(busy[0], 'FREEBUSY').flatMap((v) => v.split(',')).map(period);
  const busyAt = (start, end) => periods.some(([a, b]) => a <= utc(start) && b >= utc(end));
  const overlaps = (start, end) => periods.some(([a, b]) => a < utc(end) && b > utc(start));
  for (const [start, end] of [
    ['20270104T100000Z', '20270104T110000Z'],
    ['20270111T140000Z', '20270111T150000Z'],
    ['20270113T090000Z', '20270113T093000Z'],
    ['20270118T100000Z', '20270118T110000Z'],
    ['20270125T100000Z', '20270125T110000Z'],
  ]) {
    check(busyAt(start, end), `RFC 4791 §7.10 no FREEBUSY period covers ${start}/${end}: ${values(busy[0], 'FREEBUSY')}`);
  }
  check(!overlaps('20270111T100000Z', '20270111T110000Z'),
    `RFC 4791 §7.10 the overridden instance's old slot is free: ${values(busy[0], 'FREEBUSY')}`);
});

// RFC 6578 sync-collection, as tsdav's smartCollectionSync does it (REPORT sync-collection, then
// calendar-multiget for what changed), one change at a time
async function syncOnce() {
  const result = await client.smartCollectionSyncDetailed({
    collection: {
      ...state.calendar,
      syncToken: state.syncToken,
      objects: state.objects,
      objectMultiGet: client.calendarMultiGet.bind(client),
    },
    method: 'webdav',
    account: client.account,
  });
  check(result.syncToken && result.syncToken !== state.syncToken,
    `RFC 6578 §3.2 every answer carries a new sync-token (was ${state.syncToken}, now ${result.syncToken})`);
  const { created, updated, deleted } = result.objects;
  const gone = (o) => [...updated, ...deleted].some((x) => x.url === o.url);
  state.objects = [...state.objects.filter((o) => !gone(o)), ...created, ...updated];
  state.syncToken = result.syncToken;
  const name = (o) => o.url.split('/').pop();
  return { created: created.map(name), updated: updated.map(name), deleted: deleted.map(name) };
}

await step('sync: initial', ['created'], async () => {
  const report = await client.supportedReportSet({ collection: state.calendar });
  check(report.includes('syncCollection'), `RFC 6578 §3.1 supported-report-set lacks sync-collection: ${report}`);
  // the token from fetchCalendars (RFC 6578 §4 DAV:sync-token) predates the two PUTs
  state.syncToken = state.calendar.syncToken;
  check(state.syncToken, 'RFC 6578 §4 the calendar has no DAV:sync-token property');
  state.objects = [];
  const seen = await syncOnce();
  check(JSON.stringify(seen.created.sort()) === '["single.ics","weekly.ics"]',
    `RFC 6578 §3.2 the two objects since the listing's token: ${JSON.stringify(seen)}`);
  check(state.objects.every((o) => o.etag && o.data?.includes('BEGIN:VCALENDAR')),
    'RFC 4791 §7.9 multiget brings etag and calendar-data');
  state.synced = true;
});

await step('sync: add', ['synced'], async () => {
  await ensureOk(await client.createCalendarObject({
    calendar: state.calendar, filename: 'added.ics', iCalString: ADDED,
  }), 'PUT added.ics');
  const seen = await syncOnce();
  check(JSON.stringify(seen) === '{"created":["added.ics"],"updated":[],"deleted":[]}',
    `RFC 6578 §3.5.1 the new member, and only it: ${JSON.stringify(seen)}`);
});

await step('sync: change', ['synced'], async () => {
  const single = state.objects.find((o) => o.url.endsWith('/single.ics'));
  check(single, 'single.ics is not in the synced set');
  await ensureOk(await client.updateCalendarObject({
    calendarObject: { ...single, data: SINGLE('Single review (changed)') },
  }), 'PUT single.ics with If-Match');
  const seen = await syncOnce();
  check(JSON.stringify(seen) === '{"created":[],"updated":["single.ics"],"deleted":[]}',
    `RFC 6578 §3.5.1 the changed member, and only it: ${JSON.stringify(seen)}`);
  const now = state.objects.find((o) => o.url.endsWith('/single.ics'));
  check(now.data.includes('SUMMARY:Single review (changed)'), `the multiget brings the new data: ${now.data}`);
});

await step('sync: delete', ['synced'], async () => {
  const weekly = state.objects.find((o) => o.url.endsWith('/weekly.ics'));
  check(weekly, 'weekly.ics is not in the synced set');
  await ensureOk(await client.deleteCalendarObject({ calendarObject: weekly }), 'DELETE weekly.ics with If-Match');
  const seen = await syncOnce();
  check(JSON.stringify(seen) === '{"created":[],"updated":[],"deleted":["weekly.ics"]}',
    `RFC 6578 §3.5.2 the removed member as a 404 response, and only it: ${JSON.stringify(seen)}`);
});

await step('syncCalendars', ['calendar'], async () => {
  // tsdav's own whole-account sync: the calendar's sync-token/ctag changed since fetchCalendars, so it is listed
  // as updated and brought up to date by whichever method its supported-report-set allows
  const result = await client.syncCalendarsDetailed({ oldCalendars: [{ ...state.calendar, objects: [] }] });
  const mine = result.updated.find((c) => c.url === state.target);
  check(mine, `RFC 6578 §4 the calendar's DAV:sync-token changed, so it is updated: ${JSON.stringify(
    { created: result.created.map((c) => c.url), updated: result.updated.map((c) => c.url) })}`);
  const names = (mine.objects ?? []).map((o) => o.url.split('/').pop()).sort();
  check(JSON.stringify(names) === '["added.ics","single.ics"]', `what is left after the flow: ${names}`);
});

await step('delete calendar', ['target'], async () => {
  await ensureOk(await client.deleteObject({ url: state.target }), `DELETE ${state.target}`);
  const left = await client.fetchCalendars();
  check(!left.some((c) => c.url === state.target), 'the calendar is still listed after DELETE');
});

if (failures) {
  console.log(`FAILED ${failures} step(s)`);
  process.exit(1);
}
console.log('OK');
