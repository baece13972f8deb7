-- The outbound iMIP queue, and receipts that make each incoming message count once.
CREATE TABLE IF NOT EXISTS mail_queue (
  id VARCHAR(64) PRIMARY KEY,
  created BIGINT NOT NULL,
  envelope_from VARCHAR(1024) NOT NULL,
  envelope_to VARCHAR(1024) NOT NULL,
  method VARCHAR(32) NOT NULL,
  uid VARCHAR(1024) NOT NULL,
  message ${bytes} NOT NULL,
  attempts INT NOT NULL,
  next_attempt BIGINT NOT NULL,
  state VARCHAR(16) NOT NULL,
  last_error VARCHAR(1024) NOT NULL,
  finished BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS mail_queue_due ON mail_queue (state, next_attempt);

CREATE TABLE IF NOT EXISTS mail_receipts (
  msg_key VARCHAR(64) PRIMARY KEY,
  started BIGINT NOT NULL,
  reply VARCHAR(1024));
CREATE INDEX IF NOT EXISTS mail_receipts_started ON mail_receipts (started);
