package dev.inboxguard.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Users' own settings and lists, in {@code user_preferences}, {@code sender_lists} and {@code spam_reports}. */
final class SqlPreferenceStore implements PreferenceStore {
    private final DataSource db;

    SqlPreferenceStore(DataSource db) {
        this.db = db;
    }

    @Override
    public Preferences preferences(String owner) {
        return Sql.query(db, "SELECT invitations, time_zone, mail_held, daily_digest FROM user_preferences "
                + "WHERE owner = ?", List.of(owner), r -> new Preferences(r.getString(1), r.getString(2), r.getBoolean(3),
                r.getBoolean(4))).stream()
                .findFirst().orElse(Preferences.DEFAULT);
    }

    @Override
    public void save(String owner, Preferences p) {
        Sql.transaction(db, c -> {
            if (Sql.update(c, "UPDATE user_preferences SET invitations = ?, time_zone = ?, mail_held = ?, "
                    + "daily_digest = ? WHERE owner = ?", p.invitations(), p.timeZone(), p.mailHeld(), p.dailyDigest(),
                    owner) == 0) {
                Sql.update(c, "INSERT INTO user_preferences (owner, invitations, time_zone, mail_held, daily_digest) "
                        + "VALUES (?, ?, ?, ?, ?)", owner, p.invitations(), p.timeZone(), p.mailHeld(), p.dailyDigest());
            }
            return null;
        });
    }

    @Override
    public List<SenderEntry> senders(String owner) {
        return Sql.query(db, "SELECT entry, list, added FROM sender_lists WHERE owner = ? ORDER BY added DESC, entry",
                List.of(owner), r -> new SenderEntry(r.getString(1), r.getString(2), r.getLong(3)));
    }

    @Override
    public boolean list(String owner, String entry, String list, long at) {
        return Sql.transaction(db, c -> {
            if (Sql.update(c, "UPDATE sender_lists SET list = ?, added = ? WHERE owner = ? AND entry = ?", list, at,
                    owner, entry) > 0) {
                return true;
            }
            List<Long> count = new ArrayList<>();
            try (var p = c.prepareStatement("SELECT COUNT(*) FROM sender_lists WHERE owner = ?")) {
                p.setString(1, owner);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    count.add(r.getLong(1));
                }
            }
            if (count.get(0) >= MAX_LIST_ENTRIES) {
                return false;
            }
            Sql.update(c, "INSERT INTO sender_lists (owner, entry, list, added) VALUES (?, ?, ?, ?)", owner, entry,
                    list, at);
            return true;
        });
    }

    @Override
    public boolean unlist(String owner, String entry) {
        return Sql.transaction(db, c -> Sql.update(c, "DELETE FROM sender_lists WHERE owner = ? AND entry = ?", owner,
                entry) > 0);
    }

    @Override
    public Optional<String> listed(String owner, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        List<Object> args = new ArrayList<>();
        args.add(owner);
        args.addAll(keys);
        String marks = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
        java.util.Map<String, String> found = new java.util.HashMap<>();
        Sql.query(db, "SELECT entry, list FROM sender_lists WHERE owner = ? AND entry IN (" + marks + ")", args,
                r -> found.put(r.getString(1), r.getString(2)));
        // the keys come most specific first: an address entry wins over its domain's, a subdomain's over its parent's
        return keys.stream().map(found::get).filter(java.util.Objects::nonNull).findFirst();
    }

    @Override
    public void report(SpamReport s) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO spam_reports (id, owner, sender, uid, transport, data, "
                + "provenance, arrived, reported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", s.id(), s.owner(),
                Sql.clip(s.sender(), 1024), Sql.clip(s.uid(), 1024), s.transport(), s.data(), s.provenance(),
                s.arrived(), s.reported()));
    }

    @Override
    public List<SpamReport> reports(int limit) {
        return Sql.query(db, "SELECT id, owner, sender, uid, transport, data, provenance, arrived, reported FROM spam_reports "
                + "ORDER BY reported DESC, id FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY", List.of(),
                SqlPreferenceStore::spamReport);
    }

    @Override
    public Optional<SpamReport> spamReport(String id) {
        return Sql.query(db, "SELECT id, owner, sender, uid, transport, data, provenance, arrived, reported FROM spam_reports "
                + "WHERE id = ?", List.of(id), SqlPreferenceStore::spamReport).stream().findFirst();
    }

    @Override
    public int pruneReports(long before) {
        return Sql.prune(db, "spam_reports", "id", "reported < ?", before);
    }

    @Override
    public boolean claimNotice(String owner, boolean daily, long now, long gap) {
        String column = daily ? "last_daily" : "last_sent";
        // 0 is never. A time more than a gap ahead means a clock went back (a restored machine), which must not
        // silence the user for as long; a node whose clock is a little behind another's still sees the claim
        if (Sql.transaction(db, c -> Sql.update(c, "UPDATE held_notices SET " + column + " = ? WHERE owner = ? AND ("
                + column + " = 0 OR " + column + " <= ? OR " + column + " > ?)", now, owner, now - gap, now + gap)) > 0) {
            return true;
        }
        if (!Sql.query(db, "SELECT 1 FROM held_notices WHERE owner = ?", List.of(owner), r -> 1).isEmpty()) {
            return false;
        }
        try {
            // the first notice for this user; another node inserting at once loses on the key
            return Sql.transaction(db, c -> Sql.update(c, "INSERT INTO held_notices (owner, last_sent, last_daily) "
                    + "VALUES (?, ?, ?)", owner, daily ? 0L : now, daily ? now : 0L)) > 0;
        } catch (StoreFailure e) {
            if (duplicate(e)) {
                return false; // another node claimed it first
            }
            throw e;
        }
    }

    private static boolean duplicate(StoreFailure e) {
        return e.getCause() instanceof java.sql.SQLException s && Sql.isDuplicate(s);
    }

    @Override
    public String secret(String name) {
        Optional<String> known = Sql.query(db, "SELECT secret FROM server_secrets WHERE name = ?", List.of(name),
                r -> r.getString(1)).stream().findFirst();
        if (known.isPresent()) {
            return known.get();
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        try {
            Sql.transaction(db, c -> Sql.update(c, "INSERT INTO server_secrets (name, secret) VALUES (?, ?)", name,
                    java.util.HexFormat.of().formatHex(key)));
        } catch (StoreFailure e) {
            if (!duplicate(e)) {
                throw e;
            }
            // another node made it first: theirs is the one
        }
        return Sql.query(db, "SELECT secret FROM server_secrets WHERE name = ?", List.of(name), r -> r.getString(1))
                .stream().findFirst().orElseThrow(() -> new StoreFailure("the secret " + name + " is missing", null));
    }

    @Override
    public boolean useLink(String linkHash, long expires) {
        try {
            return Sql.transaction(db, c -> Sql.update(c, "INSERT INTO used_links (link_hash, expires) VALUES (?, ?)",
                    linkHash, expires) > 0);
        } catch (StoreFailure e) {
            if (duplicate(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean linkUsed(String linkHash) {
        return !Sql.query(db, "SELECT 1 FROM used_links WHERE link_hash = ?", List.of(linkHash), r -> 1).isEmpty();
    }

    @Override
    public int pruneLinks(long now) {
        return Sql.prune(db, "used_links", "link_hash", "expires < ?", now);
    }

    private static SpamReport spamReport(ResultSet r) throws SQLException {
        return new SpamReport(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                r.getBytes(6), r.getString(7), r.getLong(8), r.getLong(9));
    }
}
