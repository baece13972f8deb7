-- A leaner object store (issue 17). For events of 200 bytes the embedded file was 4× the events it held: each
-- object was written ten times over, in its row, five indexes, a change row and that row's three indexes.
--
-- * An object's row keeps the revision of its last write, and the change log keeps only the names whose last change
--   deleted them (tombstones). A sync report reads both (RFC 6578): the objects written since a token, and the
--   tombstones laid since.
-- * One index for a UID, not two: (owner, uid, calendar) keeps a UID once per calendar (RFC 4791 §5.3.2.1) and also
--   finds it in every calendar of its owner, as scheduling does.
-- * A tombstone says when it was laid, so that retention can forget old ones (retention.tombstoneDays); a calendar
--   then remembers the newest revision it forgot, and a sync token older than that is refused (RFC 6578 §3.2), so
--   that its client lists the calendar again. Tombstones from before this migration count from the migration.
-- * A name is an object or a tombstone, never both; an object without a change row (none should be) takes its
--   calendar's revision, so that a sync from any earlier token lists it.
-- * On PostgreSQL the tables are locked first (the placeholder lock_for_rebuild; empty on H2): a node of the previous
--   version that writes meanwhile waits, then fails, rather than writing into the table being replaced.
-- * No foreign key to the calendar: H2 gave each one an index of its own, written at every PUT. The store writes a
--   calendar's row before any of its objects, and deletes its objects and tombstones with it.
${lock_for_rebuild}
CREATE TABLE objects_lean (
  owner VARCHAR(64) NOT NULL,
  calendar VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  uid VARCHAR(1024) NOT NULL,
  etag VARCHAR(80) NOT NULL,
  data ${bytes} NOT NULL,
  modified BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  span_start BIGINT NOT NULL,
  span_end BIGINT NOT NULL,
  schedule_tag VARCHAR(80),
  revision BIGINT NOT NULL,
  CONSTRAINT objects_key PRIMARY KEY (owner, calendar, name));
INSERT INTO objects_lean (owner, calendar, name, uid, etag, data, modified, kind, span_start, span_end, schedule_tag,
    revision)
  SELECT o.owner, o.calendar, o.name, o.uid, o.etag, o.data, o.modified, o.kind, o.span_start, o.span_end,
    o.schedule_tag, COALESCE((SELECT ch.revision FROM changes ch WHERE ch.owner = o.owner AND ch.calendar = o.calendar
      AND ch.name = o.name), (SELECT c.revision FROM calendars c WHERE c.owner = o.owner AND c.name = o.calendar), 0)
  FROM objects o;
CREATE TABLE tombstones (
  owner VARCHAR(64) NOT NULL,
  calendar VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  deleted_at BIGINT NOT NULL,
  CONSTRAINT tombstones_key PRIMARY KEY (owner, calendar, name));
INSERT INTO tombstones (owner, calendar, name, revision, deleted_at)
  SELECT owner, calendar, name, revision, ${migrated_at} FROM changes WHERE deleted = TRUE AND NOT EXISTS
    (SELECT 1 FROM objects o WHERE o.owner = changes.owner AND o.calendar = changes.calendar AND o.name = changes.name);
ALTER TABLE calendars ADD COLUMN forgotten BIGINT DEFAULT 0 NOT NULL;
-- A calendar deleted leaves its last revision here; one made again under its name starts after it, and refuses the
-- old calendar's sync tokens (forgotten), which would otherwise come back valid as its revisions grew.
CREATE TABLE retired_calendars (
  owner VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  CONSTRAINT retired_calendars_key PRIMARY KEY (owner, name));
DROP TABLE changes;
DROP TABLE objects;
ALTER TABLE objects_lean RENAME TO objects;
ALTER TABLE objects ADD CONSTRAINT objects_uid UNIQUE (owner, uid, calendar);
CREATE INDEX objects_span ON objects (owner, calendar, kind, span_start);
CREATE INDEX objects_revision ON objects (owner, calendar, revision);
CREATE INDEX tombstones_revision ON tombstones (owner, calendar, revision);
CREATE INDEX tombstones_deleted_at ON tombstones (deleted_at);
