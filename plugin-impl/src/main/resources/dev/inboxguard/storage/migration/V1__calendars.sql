-- Calendars, their objects, and the change log behind sync tokens (RFC 6578).
-- ${bytes} and ${text} are the database's binary and long-text types (H2: BLOB and CLOB; PostgreSQL: BYTEA, TEXT).
-- IF NOT EXISTS: data directories made before migrations existed already hold these tables.
CREATE TABLE IF NOT EXISTS calendars (
  owner VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  display_name VARCHAR(1024) NOT NULL,
  components VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  PRIMARY KEY (owner, name));

CREATE TABLE IF NOT EXISTS objects (
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
  PRIMARY KEY (owner, calendar, name),
  CONSTRAINT objects_uid UNIQUE (owner, calendar, uid),
  FOREIGN KEY (owner, calendar) REFERENCES calendars (owner, name) ON DELETE CASCADE);

CREATE TABLE IF NOT EXISTS changes (
  owner VARCHAR(64) NOT NULL,
  calendar VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL,
  PRIMARY KEY (owner, calendar, name),
  FOREIGN KEY (owner, calendar) REFERENCES calendars (owner, name) ON DELETE CASCADE);

CREATE INDEX IF NOT EXISTS changes_revision ON changes (owner, calendar, revision);
CREATE INDEX IF NOT EXISTS objects_by_uid ON objects (owner, uid);
CREATE INDEX IF NOT EXISTS objects_span ON objects (owner, calendar, kind, span_start);
