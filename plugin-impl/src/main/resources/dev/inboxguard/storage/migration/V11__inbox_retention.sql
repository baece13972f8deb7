-- Retention removes scheduling-inbox items by age (retention.inboxDays): a client that never clears its inbox
-- would otherwise keep every message delivered to it.
CREATE INDEX inbox_received ON inbox (received);
