-- Receipts of incoming mail keyed by a number, the slot: the first 64 bits of the SHA-256 of the receipt's key,
-- which is itself a digest of the message and its recipient. The embedded store keeps a table's rows in a map keyed
-- by the primary key only when that is a single integer column. With the 64-character key it kept the rows in the
-- order they came and an index in the keys' order, which is random: each delivery rewrote a random leaf of that
-- index and every inner page above it, a fifth of all a commit wrote under the LMTP load (docs/benchmarks.md,
-- "Receipts keyed by a number"). The key stays in its column, so that two messages whose slots meet are told
-- apart. Should two receipts already kept share a slot, the newer one is kept.
${lock_receipts}
CREATE TABLE mail_receipts_by_slot (
  slot BIGINT PRIMARY KEY,
  msg_key VARCHAR(64) NOT NULL,
  started BIGINT NOT NULL,
  reply VARCHAR(1024));
INSERT INTO mail_receipts_by_slot (slot, msg_key, started, reply)
  SELECT slot, msg_key, started, reply FROM (
    SELECT ${receipt_slot} AS slot, msg_key, started, reply,
           ROW_NUMBER() OVER (PARTITION BY ${receipt_slot} ORDER BY started DESC, msg_key) AS n
    FROM mail_receipts) kept
  WHERE n = 1;
DROP TABLE mail_receipts;
ALTER TABLE mail_receipts_by_slot RENAME TO mail_receipts;
CREATE INDEX mail_receipts_started ON mail_receipts (started);
