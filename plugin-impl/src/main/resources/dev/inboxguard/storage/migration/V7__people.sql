-- Each user's own choices on the approval page: which invitations are added automatically (empty: the operator's
-- setting), the time zone the page shows times in, and whether held items are announced by mail.
CREATE TABLE user_preferences (
  owner VARCHAR(64) PRIMARY KEY,
  invitations VARCHAR(16) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  mail_held BOOLEAN NOT NULL,
  daily_digest BOOLEAN NOT NULL);

-- Each user's allow and block lists: an address (mailto:…) or a domain (@example.com).
CREATE TABLE sender_lists (
  owner VARCHAR(64) NOT NULL,
  entry VARCHAR(330) NOT NULL,
  list VARCHAR(8) NOT NULL,
  added BIGINT NOT NULL,
  PRIMARY KEY (owner, entry));

-- Invitations a user reported as spam: what was reported, for the operator to pass on (RFC 5965).
CREATE TABLE spam_reports (
  id VARCHAR(32) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  sender VARCHAR(1024) NOT NULL,
  uid VARCHAR(1024) NOT NULL,
  transport VARCHAR(16) NOT NULL,
  data ${bytes} NOT NULL,
  provenance ${text} NOT NULL,
  arrived BIGINT NOT NULL,
  reported BIGINT NOT NULL);
CREATE INDEX spam_reports_reported ON spam_reports (reported);

-- What brought each delivered or held item: for iMIP the Message-ID, envelope sender, From and authentication
-- results; for CalDAV the principal. A JSON object; empty for items from before this version.
ALTER TABLE held ADD COLUMN provenance ${text} DEFAULT '' NOT NULL;
ALTER TABLE inbox ADD COLUMN provenance ${text} DEFAULT '' NOT NULL;

-- Mail about held items: when each user was last told (at most one mail an hour, the rest a digest), when their
-- daily digest last went, and which held items were announced.
CREATE TABLE held_notices (
  owner VARCHAR(64) PRIMARY KEY,
  last_sent BIGINT NOT NULL,
  last_daily BIGINT NOT NULL);
ALTER TABLE held ADD COLUMN announced BIGINT DEFAULT 0 NOT NULL;
-- what was held before this version was never mailed, and nobody asked for mail about it: it counts as announced
UPDATE held SET announced = received WHERE state = 'held';
CREATE INDEX held_unannounced ON held (state, announced);

-- One-click links in those mails are signed with this server's key (the same on every node), and each decision link
-- works once: its hash is kept here until it expires.
CREATE TABLE server_secrets (
  name VARCHAR(64) PRIMARY KEY,
  secret VARCHAR(128) NOT NULL);
CREATE TABLE used_links (
  link_hash VARCHAR(64) PRIMARY KEY,
  expires BIGINT NOT NULL);
