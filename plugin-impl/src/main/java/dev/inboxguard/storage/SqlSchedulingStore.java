package dev.inboxguard.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Scheduling inboxes, the quarantine, the audit trail and correspondents, in the same database as the calendars. */
final class SqlSchedulingStore implements SchedulingStore {
    private static final String HELD_COLUMNS = "id, recipient, recipient_address, decider, approver, method, uid, "
            + "sender, summary, transport, data, findings, received, state, decided_by, decided_at, provenance";
    private static final String AUDIT_COLUMNS = "seq, at, event, transport, sender, sender_user, recipient, "
            + "recipient_user, method, uid, action, request_status, findings, held_id, actor, repeats";

    private final DataSource db;
    private final Dialect dialect;

    SqlSchedulingStore(DataSource db, Dialect dialect) {
        this.db = db;
        this.dialect = dialect;
    }

    private static final String INBOX_COLUMNS = "owner, name, uid, method, data, action, findings, received, "
            + "provenance, packing, text_length";

    @Override
    public void addToInbox(InboxItem i) {
        // packed against the UID as the row keeps it, which it is read back with
        PackedText.Packed packed = PackedText.pack(i.data(), Sql.asStored(i.uid()));
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO inbox (owner, name, uid, method, data, action, findings, "
                + "received, provenance, packing, text_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", i.owner(),
                i.name(), i.uid(), i.method(), packed.bytes(), i.action(), i.findings(), i.received(), i.provenance(),
                packed.packing(), i.data().length));
    }

    @Override
    public List<InboxItem> inbox(String owner) {
        return Sql.query(db, "SELECT " + INBOX_COLUMNS + " FROM inbox WHERE owner = ? ORDER BY received, name",
                List.of(owner), SqlSchedulingStore::inboxItem);
    }

    @Override
    public List<InboxItem> inboxWithoutText(String owner) {
        return Sql.query(db, "SELECT owner, name, uid, method, NULL, action, findings, received, provenance FROM inbox "
                + "WHERE owner = ? ORDER BY received, name", List.of(owner), SqlSchedulingStore::inboxItem);
    }

    @Override
    public List<ObjectSummary> inboxSummaries(String owner) {
        return Sql.query(db, "SELECT name, text_length, received FROM inbox WHERE owner = ? ORDER BY received, "
                + "name", List.of(owner), r -> new ObjectSummary(r.getString(1), InboxItem.etag(r.getString(1),
                r.getLong(2)), r.getLong(2), r.getLong(3), ""));
    }

    @Override
    public Optional<InboxItem> inboxItem(String owner, String name) {
        return Sql.query(db, "SELECT " + INBOX_COLUMNS + " FROM inbox WHERE owner = ? AND name = ?",
                List.of(owner, name), SqlSchedulingStore::inboxItem).stream()
                .findFirst();
    }

    @Override
    public boolean removeFromInbox(String owner, String name) {
        return Sql.transaction(db, c -> Sql.update(c, "DELETE FROM inbox WHERE owner = ? AND name = ?", owner,
                name) > 0);
    }

    @Override
    public void hold(HeldItem h) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO held (" + HELD_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, "
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", h.id(), h.recipient(), wide(h.recipientAddress()), h.decider(),
                h.approver(), h.method(), wide(h.uid()), wide(h.sender()), wide(h.summary()), h.transport(), h.data(),
                h.findings(),
                h.received(), h.state(), h.decidedBy(), h.decidedAt(), h.provenance()));
    }

    @Override
    public List<HeldItem> unannounced(long mailedBefore, int limit) {
        // without the messages: a batch of held items may be large, and the caller reads each it mails
        return Sql.query(db, "SELECT " + HELD_COLUMNS.replace(", data,", ", NULL,") + " FROM held WHERE state = ? "
                + "AND announced = 0 AND NOT EXISTS (SELECT 1 FROM held_notices n WHERE n.owner = held.decider AND "
                + "n.last_sent > ?) ORDER BY received, id FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY",
                List.of(HeldItem.HELD, mailedBefore), SqlSchedulingStore::heldItem);
    }

    @Override
    public List<HeldItem> heldSummaries(String decider, int limit) {
        return Sql.query(db, "SELECT " + HELD_COLUMNS.replace(", data,", ", NULL,") + " FROM held WHERE decider = ? "
                + "AND state = ? ORDER BY received, id FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY",
                List.of(decider, HeldItem.HELD), SqlSchedulingStore::heldItem);
    }

    @Override
    public boolean announce(String id, long at) {
        return Sql.transaction(db, c -> Sql.update(c, "UPDATE held SET announced = ? WHERE id = ? AND announced = 0",
                at, id) > 0);
    }

    @Override
    public List<HeldItem> heldFor(String decider) {
        return Sql.query(db, "SELECT " + HELD_COLUMNS + " FROM held WHERE decider = ? AND state = ? ORDER BY "
                + "received, id", List.of(decider, HeldItem.HELD), SqlSchedulingStore::heldItem);
    }

    @Override
    public Optional<HeldItem> held(String id) {
        return Sql.query(db, "SELECT " + HELD_COLUMNS + " FROM held WHERE id = ?", List.of(id),
                SqlSchedulingStore::heldItem).stream().findFirst();
    }

    @Override
    public boolean decide(String id, String state, String decidedBy, long at) {
        return Sql.transaction(db, c -> Sql.update(c, "UPDATE held SET state = ?, decided_by = ?, decided_at = ? "
                + "WHERE id = ? AND state = ?", state, decidedBy, at, id, HeldItem.HELD) == 1);
    }

    @Override
    public void reopen(String id) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE held SET state = ?, decided_by = '', decided_at = 0 WHERE "
                + "id = ?", HeldItem.HELD, id));
    }

    @Override
    public long heldPending() {
        return Sql.query(db, "SELECT COUNT(*) FROM held WHERE state = ?", List.of(HeldItem.HELD),
                r -> r.getLong(1)).get(0);
    }

    @Override
    public void audit(AuditEntry e) {
        Sql.transaction(db, c -> insertAudit(c, e, ""));
    }

    private static int insertAudit(java.sql.Connection c, AuditEntry e, String aggregate) throws SQLException {
        return Sql.update(c, "INSERT INTO audit (" + AUDIT_COLUMNS.substring("seq, ".length()) + ", aggregate) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)", e.at(), e.event(), e.transport(),
                wide(e.sender()), e.senderUser(), wide(e.recipient()), e.recipientUser(), e.method(), wide(e.uid()),
                e.action(), wide(e.requestStatus()), e.findings(), e.heldId(), wide(e.actor()), aggregate);
    }

    @Override
    public void auditRepeat(AuditEntry e, String key, long windowStart) {
        if (key.isEmpty() || key.length() > 64) {
            throw new IllegalArgumentException("an aggregate key is 1 to 64 characters");
        }
        // the first row of the window counts; two nodes that both added one split the count, never double it
        Sql.transaction(db, c -> Sql.update(c, "UPDATE audit SET repeats = repeats + 1 WHERE seq = (SELECT MIN(seq) "
                + "FROM audit WHERE aggregate = ? AND at >= ?)", key, windowStart) > 0 ? 1 : insertAudit(c, e, key));
    }

    @Override
    public int pruneAudit(long before) {
        return Sql.prune(db, "audit", "seq", "at < ?", before);
    }

    @Override
    public List<HeldItem> expireHeld(long before, long at) {
        // without the message itself: a held item may be as large as limits.maxBytes, and the audit needs none of it
        List<HeldItem> stale = Sql.query(db, "SELECT " + HELD_COLUMNS.replace(", data,", ", NULL,") + " FROM held "
                + "WHERE state = ? AND received < ? ORDER BY received FETCH FIRST 100 ROWS ONLY",
                List.of(HeldItem.HELD, before), SqlSchedulingStore::heldItem);
        List<HeldItem> expired = new java.util.ArrayList<>();
        for (HeldItem h : stale) {
            if (decide(h.id(), HeldItem.EXPIRED, "retention", at)) {
                expired.add(h);
            }
        }
        return expired;
    }

    @Override
    public int pruneDecided(long before) {
        return Sql.prune(db, "held", "id", "state <> ? AND decided_at < ?", HeldItem.HELD, before);
    }

    @Override
    public int pruneInbox(long before) {
        // batched as Sql.prune is, by the row's two-part key
        int total = 0;
        while (true) {
            int removed = Sql.transaction(db, c -> Sql.update(c, "DELETE FROM inbox WHERE (owner, name) IN (SELECT "
                    + "owner, name FROM inbox WHERE received < ? FETCH FIRST " + Sql.PRUNE_BATCH + " ROWS ONLY)",
                    before));
            total += removed;
            if (removed < Sql.PRUNE_BATCH) {
                return total;
            }
        }
    }

    @Override
    public void queueDelivery(PendingDelivery d) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO pending_deliveries (sender, author, recipient, method, "
                + "uid, itip, queued, attempts, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)", d.sender(),
                d.author(), d.recipient(), d.method(), d.uid(), d.itip(), d.queued(), d.nextAttempt()));
    }

    private static final String PENDING_COLUMNS = "seq, sender, author, recipient, method, uid, itip, queued, "
            + "attempts, next_attempt";

    @Override
    public List<PendingDelivery> claimDeliveries(long now, long claimUntil, int limit) {
        // only the oldest message of each recipient: a later one (a CANCEL after its REQUEST) waits for it
        List<PendingDelivery> due = Sql.query(db, "SELECT " + PENDING_COLUMNS + " FROM pending_deliveries p WHERE "
                + "next_attempt <= ? AND NOT EXISTS (SELECT 1 FROM pending_deliveries q WHERE q.recipient = "
                + "p.recipient AND q.seq < p.seq) ORDER BY seq FETCH FIRST ? ROWS ONLY", List.of(now, limit),
                r -> new PendingDelivery(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                        r.getString(5), r.getString(6), r.getBytes(7), r.getLong(8), r.getInt(9), r.getLong(10)));
        List<PendingDelivery> claimed = new java.util.ArrayList<>();
        for (PendingDelivery d : due) {
            // conditional on the row being as read: of two nodes, one claims it. A claim lost in a crash harms
            // nothing (the message is taken off only with its delivery), so it does not wait for the disk
            boolean mine = Sql.provisionally(db, c -> Sql.update(c, "UPDATE pending_deliveries SET next_attempt = ?, "
                    + "attempts = attempts + 1 WHERE seq = ? AND next_attempt = ? AND attempts = ?", claimUntil,
                    d.seq(), d.nextAttempt(), d.attempts()) == 1);
            if (mine) {
                claimed.add(new PendingDelivery(d.seq(), d.sender(), d.author(), d.recipient(), d.method(), d.uid(),
                        d.itip(), d.queued(), d.attempts() + 1, claimUntil));
            }
        }
        return claimed;
    }

    @Override
    public boolean finishDelivery(PendingDelivery d) {
        // as claimed: a claim is known by its count of attempts and its lapse time together, since a claim given back
        // at a stop takes its count back and the next one has the same
        return Sql.transaction(db, c -> Sql.update(c, "DELETE FROM pending_deliveries WHERE seq = ? AND attempts = ? "
                + "AND next_attempt = ?", d.seq(), d.attempts(), d.nextAttempt()) == 1);
    }

    @Override
    public void retryDelivery(PendingDelivery d, long nextAttempt) {
        // lost in a crash, the message is only due sooner
        Sql.provisionally(db, c -> Sql.update(c, "UPDATE pending_deliveries SET next_attempt = ? WHERE seq = ? AND "
                + "attempts = ? AND next_attempt = ?", nextAttempt, d.seq(), d.attempts(), d.nextAttempt()));
    }

    @Override
    public void releaseDelivery(PendingDelivery d, long now) {
        // as finishDelivery, the claim is known by its count and its lapse time. The due time is new, so a node that
        // read the row before this claim cannot claim it on that stale reading. Lost in a crash, the claim only lapses
        // later
        Sql.provisionally(db, c -> Sql.update(c, "UPDATE pending_deliveries SET next_attempt = ?, attempts = "
                + "attempts - 1 WHERE seq = ? AND attempts = ? AND next_attempt = ?", now, d.seq(), d.attempts(),
                d.nextAttempt()));
    }

    @Override
    public MailStore.Backlog pendingDeliveries() {
        return Sql.query(db, "SELECT COUNT(*), COALESCE(MIN(queued), 0) FROM pending_deliveries", List.of(),
                r -> new MailStore.Backlog(r.getLong(1), r.getLong(2))).get(0);
    }

    @Override
    public List<AuditEntry> auditTrailWithoutLocalRecipients(String user, long after, int limit) {
        // of what the user sent: rows about no local user (the handed-on rows among them) but not the relay's taking
        // of mail, which only remote recipients have; and their own refused PUTs
        return Sql.query(db, "SELECT " + AUDIT_COLUMNS + " FROM audit WHERE seq > ? AND (recipient_user = ? OR "
                + "actor = ? OR sender_user = ? AND (recipient_user = '' AND event <> 'mail-sent' OR event = "
                + "'put-refused')) ORDER BY seq FETCH FIRST ? ROWS ONLY", List.of(after, user, user, user, limit),
                SqlSchedulingStore::auditEntry);
    }

    @Override
    public List<AuditEntry> auditTrail(Optional<String> user, long after, int limit) {
        if (user.isEmpty()) {
            return Sql.query(db, "SELECT " + AUDIT_COLUMNS + " FROM audit WHERE seq > ? ORDER BY seq FETCH FIRST ? "
                    + "ROWS ONLY", List.of(after, limit), SqlSchedulingStore::auditEntry);
        }
        String u = user.get();
        return Sql.query(db, "SELECT " + AUDIT_COLUMNS + " FROM audit WHERE seq > ? AND (recipient_user = ? OR "
                + "sender_user = ? OR actor = ?) ORDER BY seq FETCH FIRST ? ROWS ONLY", List.of(after, u, u, u,
                limit), SqlSchedulingStore::auditEntry);
    }

    @Override
    public List<AuditEntry> invitationsTo(String user, int limit) {
        return Sql.query(db, "SELECT " + AUDIT_COLUMNS + " FROM audit WHERE recipient_user = ? AND method IN "
                + "('REQUEST', 'ADD') AND (action IN ('deliver', 'flag') OR event = 'approved') ORDER BY seq DESC "
                + "FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY", List.of(user), SqlSchedulingStore::auditEntry);
    }

    @Override
    public List<AuditEntry> sentBy(String user, int limit) {
        return Sql.query(db, "SELECT " + AUDIT_COLUMNS + " FROM audit WHERE sender_user = ? ORDER BY seq DESC "
                + "FETCH FIRST ? ROWS ONLY", List.of(user, limit), SqlSchedulingStore::auditEntry);
    }

    @Override
    public void remember(String owner, java.util.Collection<String> addresses) {
        // an organizer mostly invites the people they invited before: then nothing is written, and nothing waits
        // for the file
        List<String> unknown = addresses.stream().map(Sql::shortKey).distinct()
                .filter(key -> !knownKey(owner, key)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        Sql.transaction(db, c -> {
            for (String key : unknown) {
                dialect.insertIfAbsent(c, "INSERT INTO correspondents (owner, address) VALUES (?, ?)", owner, key);
            }
            return null;
        });
    }

    private boolean knownKey(String owner, String key) {
        return !Sql.query(db, "SELECT 1 FROM correspondents WHERE owner = ? AND address = ?", List.of(owner, key),
                r -> 1).isEmpty();
    }

    @Override
    public boolean knows(String owner, String address) {
        return knownKey(owner, Sql.shortKey(address));
    }

    /** Addresses and summaries come from senders; the record keeps the first 1,024 characters. */
    private static String wide(String s) {
        return Sql.clip(s, 1024);
    }

    private static InboxItem inboxItem(ResultSet r) throws SQLException {
        byte[] data = r.getBytes(5);
        return new InboxItem(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                data == null ? new byte[0] : PackedText.unpack(r.getInt(10), data, r.getInt(11), r.getString(3)),
                r.getString(6), r.getString(7), r.getLong(8), r.getString(9));
    }

    private static HeldItem heldItem(ResultSet r) throws SQLException {
        byte[] data = r.getBytes(11);
        return new HeldItem(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10),
                data == null ? new byte[0] : data,
                r.getString(12), r.getLong(13), r.getString(14), r.getString(15), r.getLong(16), r.getString(17));
    }

    private static AuditEntry auditEntry(ResultSet r) throws SQLException {
        return new AuditEntry(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5),
                r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getString(11),
                r.getString(12), r.getString(13), r.getString(14), r.getString(15), r.getInt(16));
    }
}
