-- Refusals in a flood become one audit row per limit that refused, recipient and hour, with a count (repeats),
-- instead of one row per MTA retry: "aggregate" names the row a repeat is added to, and is empty for every other row.
ALTER TABLE audit ADD COLUMN repeats INT DEFAULT 1 NOT NULL;
ALTER TABLE audit ADD COLUMN aggregate VARCHAR(64) DEFAULT '' NOT NULL;
CREATE INDEX audit_aggregate ON audit (aggregate, at);
CREATE INDEX audit_at ON audit (at);

-- A delivery status notification (RFC 3464) names the Message-ID of what bounced; it finds the queued message here.
ALTER TABLE mail_queue ADD COLUMN message_id VARCHAR(255) DEFAULT '' NOT NULL;
CREATE INDEX mail_queue_message_id ON mail_queue (message_id);
CREATE INDEX mail_queue_finished ON mail_queue (state, finished);

-- Retention removes held items by age.
CREATE INDEX held_received ON held (state, received);
