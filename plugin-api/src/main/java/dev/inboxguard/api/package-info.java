/**
 * The InboxGuard plugin SPI: what a third-party check codes against.
 *
 * <p>An inbound scheduling message ({@link dev.inboxguard.api.SchedulingMessage}) carries the parsed iTIP
 * object and the facts of how it arrived ({@link dev.inboxguard.api.TransportFacts}). Each
 * {@link dev.inboxguard.api.Check} in the guard's chain reads the message and what it may know about the
 * recipient ({@link dev.inboxguard.api.RecipientContext}) and reports {@link dev.inboxguard.api.Finding}s.
 * Checks never decide: one {@link dev.inboxguard.api.Policy} turns all findings into a
 * {@link dev.inboxguard.api.Verdict}.
 *
 * <p>Every type here is an immutable value or a small interface. Nothing in this package knows about HTTP,
 * mail transport or storage.
 */
package dev.inboxguard.api;
