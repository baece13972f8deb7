package dev.inboxguard.caldav;

import dev.inboxguard.server.Account;
import org.apache.jackrabbit.webdav.DavSession;

/** The WebDAV session of one request: who is asking. Locks are not supported, so it keeps no tokens. */
final class UserSession implements DavSession {
    private final Account account;

    UserSession(Account account) {
        this.account = account;
    }

    Account account() {
        return account;
    }

    @Override
    public void addReference(Object reference) {
    }

    @Override
    public void removeReference(Object reference) {
    }

    @Override
    public void addLockToken(String token) {
    }

    @Override
    public String[] getLockTokens() {
        return new String[0];
    }

    @Override
    public void removeLockToken(String token) {
    }
}
