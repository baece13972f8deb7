package dev.inboxguard.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The outbound queue and the receipts of incoming mail, in the same database as the calendars. Both are written for
 * several nodes on one database: claims and settlements are conditional updates, and a receipt is claimed by the
 * first node to insert it.
 */
final class SqlMailStore implements MailStore {
    private static final String COLUMNS = "id, created, envelope_from, envelope_to, method, uid, message, attempts, "
            + "next_attempt, state, last_error, finished";
    private static final int ERROR_CHARS = 1000;

    private final DataSource db;
    private final Dialect dialect;

    SqlMailStore(DataSource db, Dialect dialect) {
        this.db = db;
        this.dialect = dialect;
    }

    @Override
    public void enqueue(QueuedMail m) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO mail_queue (" + COLUMNS + ", message_id) VALUES (?, ?, "
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", m.id(), m.created(), m.envelopeFrom(), m.envelopeTo(), m.method(),
                m.uid(), m.message(), m.attempts(), m.nextAttempt(), m.state(), clip(m.lastError()), m.finished(),
                m.messageId()));
    }

    @Override
    public List<QueuedMail> claimDue(long now, long claimUntil, int limit) {
        List<QueuedMail> due = Sql.query(db, "SELECT " + COLUMNS + " FROM mail_queue WHERE state = ? AND "
                + "next_attempt <= ? ORDER BY next_attempt LIMIT ?", List.of(QueuedMail.QUEUED, now, limit),
                SqlMailStore::row);
        List<QueuedMail> claimed = new ArrayList<>();
        for (QueuedMail m : due) {
            // conditional on the row being as read: of two senders, one claims it
            boolean mine = Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_queue SET next_attempt = ?, "
                    + "attempts = attempts + 1 WHERE id = ? AND state = ? AND next_attempt = ? AND attempts = ?",
                    claimUntil, m.id(), QueuedMail.QUEUED, m.nextAttempt(), m.attempts()) == 1);
            if (mine) {
                claimed.add(new QueuedMail(m.id(), m.created(), m.envelopeFrom(), m.envelopeTo(), m.method(),
                        m.uid(), m.message(), m.attempts() + 1, claimUntil, m.state(), m.lastError(), 0));
            }
        }
        return claimed;
    }

    @Override
    public void sent(QueuedMail m, long at) {
        finish(m, QueuedMail.SENT, at, "");
    }

    @Override
    public void retryAt(QueuedMail m, long nextAttempt, String error) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_queue SET next_attempt = ?, last_error = ? WHERE id = ? "
                + "AND state = ? AND attempts = ?", nextAttempt, clip(error), m.id(), QueuedMail.QUEUED,
                m.attempts()));
    }

    @Override
    public void release(QueuedMail m, long at) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_queue SET next_attempt = ?, attempts = attempts - 1 "
                + "WHERE id = ? AND state = ? AND attempts = ?", at, m.id(), QueuedMail.QUEUED, m.attempts()));
    }

    @Override
    public void failed(QueuedMail m, long at, String error) {
        finish(m, QueuedMail.FAILED, at, error);
    }

    private void finish(QueuedMail m, String state, long at, String error) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_queue SET state = ?, finished = ?, last_error = ? "
                + "WHERE id = ? AND state = ? AND attempts = ?", state, at, clip(error), m.id(), QueuedMail.QUEUED,
                m.attempts()));
    }

    @Override
    public Optional<QueuedMail> bounced(String messageId, String envelopeFrom, String envelopeTo, long at,
                                        String why) {
        if (messageId.isEmpty()) {
            return Optional.empty();
        }
        // sent, or handed to the relay and not yet recorded as sent: a bounce can outrun that record
        String handedOver = "(state = 'sent' OR (state = 'queued' AND attempts > 0))";
        for (QueuedMail m : Sql.query(db, "SELECT " + COLUMNS + " FROM mail_queue WHERE message_id = ? AND "
                + handedOver, List.of(messageId), SqlMailStore::row)) {
            if (m.envelopeFrom().equalsIgnoreCase(envelopeFrom) && m.envelopeTo().equalsIgnoreCase(envelopeTo)) {
                boolean mine = Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_queue SET state = ?, finished = ?, "
                        + "last_error = ? WHERE id = ? AND " + handedOver, QueuedMail.BOUNCED, at, clip(why),
                        m.id()) == 1);
                return mine ? Optional.of(m) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public int pruneSettled(long before) {
        return Sql.prune(db, "mail_queue", "id", "state <> ? AND finished < ?", QueuedMail.QUEUED, before);
    }

    @Override
    public Backlog backlog() {
        return Sql.query(db, "SELECT COUNT(*), COALESCE(MIN(created), 0) FROM mail_queue WHERE state = ?",
                List.of(QueuedMail.QUEUED), r -> new Backlog(r.getLong(1), r.getLong(2))).get(0);
    }

    @Override
    public List<QueuedMail> queue(Optional<String> state, int limit) {
        return state.isPresent()
                ? Sql.query(db, "SELECT " + COLUMNS + " FROM mail_queue WHERE state = ? ORDER BY created, id LIMIT ?",
                List.of(state.get(), limit), SqlMailStore::row)
                : Sql.query(db, "SELECT " + COLUMNS + " FROM mail_queue ORDER BY created, id LIMIT ?", List.of(limit),
                SqlMailStore::row);
    }

    @Override
    public Receipt receive(String key, long now, long staleBefore) {
        long slot = slot(key);
        // a claim lost in a crash is made again by the MTA's retry; the delivery's own commit writes it to the file
        return Sql.provisionally(db, c -> {
            // nearly every message is new: the insert is the claim. Of two nodes given the same message at once,
            // one inserts; the other's insert waits for it and then finds the row. No SELECT ... FOR UPDATE, which
            // H2 parses afresh on every call (5 % of a delivery)
            if (dialect.insertIfAbsent(c, "INSERT INTO mail_receipts (slot, msg_key, started, reply) "
                    + "VALUES (?, ?, ?, NULL)", slot, key, now)) {
                return new Receipt.New();
            }
            List<String[]> rows = new ArrayList<>();
            try (var p = c.prepareStatement("SELECT msg_key, started, reply FROM mail_receipts WHERE slot = ?")) {
                p.setLong(1, slot);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.add(new String[] {r.getString(1), Long.toString(r.getLong(2)), r.getString(3)});
                    }
                }
            }
            if (rows.isEmpty()) {
                return new Receipt.Busy(); // forgotten between the insert and the read: the MTA tries again
            }
            String[] row = rows.get(0);
            if (!row[0].equals(key)) {
                // another message holds the slot (one in 2^64 for two given keys): this one is handled without a
                // receipt, so a retry of it would be handled again; refusing it would hold it back until the
                // other's receipt is pruned
                return new Receipt.New();
            }
            if (row[2] != null) {
                return new Receipt.Done(row[2]);
            }
            long started = Long.parseLong(row[1]);
            // a claim that died is taken over by whoever moves its start first
            if (started < staleBefore && Sql.update(c, "UPDATE mail_receipts SET started = ? WHERE slot = ? AND "
                    + "msg_key = ? AND started = ? AND reply IS NULL", now, slot, key, started) == 1) {
                return new Receipt.New();
            }
            return new Receipt.Busy();
        });
    }

    @Override
    public void received(String key, String reply) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE mail_receipts SET reply = ? WHERE slot = ? AND msg_key = ?",
                clip(reply), slot(key), key));
    }

    @Override
    public void forgetReceipt(String key) {
        Sql.transaction(db, c -> Sql.update(c, "DELETE FROM mail_receipts WHERE slot = ? AND msg_key = ? AND "
                + "reply IS NULL", slot(key), key));
    }

    @Override
    public void pruneReceipts(long before) {
        Sql.prune(db, "mail_receipts", "slot", "started < ?", before);
    }

    /**
     * A receipt's row is found by a number rather than by its key (V14): the embedded store then keeps the rows in
     * one map ordered by that number, instead of in arrival order plus an index of 64-character keys.
     *
     * @return the first 64 bits of the key's SHA-256, as the migration computes them in SQL
     */
    static long slot(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(digest).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    private static String clip(String s) {
        return Sql.clip(s, ERROR_CHARS);
    }

    private static QueuedMail row(ResultSet r) throws SQLException {
        return new QueuedMail(r.getString(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5),
                r.getString(6), r.getBytes(7), r.getInt(8), r.getLong(9), r.getString(10), r.getString(11),
                r.getLong(12));
    }
}
