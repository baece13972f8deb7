-- WebDAV properties a client sets on a calendar (RFC 4918 dead properties, and CalDAV's description and time zone):
-- one row each, the property element kept as the client wrote it, so that colours and orders round-trip.
CREATE TABLE collection_properties (
  owner VARCHAR(64) NOT NULL,
  calendar VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  xml ${text} NOT NULL,
  PRIMARY KEY (owner, calendar, namespace, name),
  FOREIGN KEY (owner, calendar) REFERENCES calendars (owner, name) ON DELETE CASCADE);

-- A user's calendar home: made once, with the default calendar and task list, on the user's first request.
-- default_calendar is where scheduling puts new invitations (RFC 6638 §9.2).
CREATE TABLE homes (
  owner VARCHAR(64) PRIMARY KEY,
  default_calendar VARCHAR(255),
  created BIGINT NOT NULL);

-- RFC 6638 §3.2.10: the Schedule-Tag of a scheduling object; it moves when the object changes in a way its owner
-- must see, and stays when the server only merges attendees' answers into an organizer's copy.
ALTER TABLE objects ADD COLUMN schedule_tag VARCHAR(80);
