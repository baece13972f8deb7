package dev.inboxguard.engine;

import com.google.inject.Binder;
import com.google.inject.Provider;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import dev.inboxguard.api.Check;
import java.util.Objects;

/**
 * A check and its position in the chain. Positions make the order explicit whatever order Guice modules are
 * installed in; lower runs first. The built-in checks use {@link #RATE}, {@link #STRUCTURE}, {@link #RECURRENCE},
 * {@link #IDENTITY} and {@link #CONTENT}; a third-party check picks a position between them.
 *
 * @param position where in the chain
 * @param check    the check
 */
public record ChainLink(int position, Check check) {
    /** Floods: counted first, so a flood is shed before anything costly runs. */
    public static final int RATE = 50;
    /** Structure and size: gates that every other check relies on. */
    public static final int STRUCTURE = 100;
    /** Recurrence and time-zone abuse. */
    public static final int RECURRENCE = 200;
    /** Who sent it: organizer, attendees, delegation, SENT-BY, authentication, unknown senders. */
    public static final int IDENTITY = 300;
    /** What it carries: links, alarms. */
    public static final int CONTENT = 400;

    /** Rejects a null check. */
    public ChainLink {
        Objects.requireNonNull(check, "check");
    }

    /**
     * Adds a check to the chain from inside a Guice module's {@code configure()}. The check is built by Guice
     * (constructor injection), once.
     *
     * @param binder   the module's binder
     * @param position where in the chain
     * @param type     the check's class
     */
    public static void add(Binder binder, int position, Class<? extends Check> type) {
        Provider<? extends Check> provider = binder.getProvider(type);
        Multibinder.newSetBinder(binder, ChainLink.class).addBinding()
                .toProvider(() -> new ChainLink(position, provider.get()))
                .in(Scopes.SINGLETON);
    }
}
