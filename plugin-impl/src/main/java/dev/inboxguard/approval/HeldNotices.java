package dev.inboxguard.approval;

import dev.inboxguard.calendar.EventDescription;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.imip.ImipMail;
import dev.inboxguard.imip.OutboundQueue;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SchedulingStore;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people by mail that something waits for their decision, when a relay is configured. The first held item
 * is mailed at once; what is held within the hour after a mail waits and goes as one digest when the hour is up.
 * A user may also ask for a daily digest of everything still waiting, and may stop both. Each item in a mail has
 * signed one-click links ({@link OneClickLinks}) to a page that asks to confirm.
 *
 * <p>Every node runs this; the database decides which node mails whom ({@code claimNotice}, {@code announce}).
 */
public final class HeldNotices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeldNotices.class);
    /** At most one mail an hour per user about newly held items. */
    static final Duration GAP = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration LOOK = Duration.ofSeconds(5);
    private static final int BATCH = 500;
    private static final int ITEMS_PER_MAIL = 50;
    private static final Session SESSION = Session.getInstance(new Properties());

    private final SchedulingStore scheduling;
    private final PreferenceStore preferences;
    private final Accounts accounts;
    private final OutboundQueue queue;
    private final CalendarReader reader;
    private final OneClickLinks links;
    private final String baseUrl;
    private final String hostname;
    private final Clock clock;
    private final dev.inboxguard.storage.Transactions transactions;
    private final ScheduledExecutorService timer;
    private long lastDailyPass = Long.MIN_VALUE;

    /**
     * @param scheduling  held items
     * @param preferences who wants mail, and when each was last mailed
     * @param accounts    the users and their addresses
     * @param queue       the outbound mail queue
     * @param reader      the bounded reader, to describe each event
     * @param baseUrl     the server's public address, for the links ({@code https://calendar.example.com})
     * @param hostname    {@code mail.hostname}, for the sender address and Message-IDs
     * @param transactions makes claiming, announcing and queueing one mail one transaction
     * @param clock       the clock
     */
    public HeldNotices(SchedulingStore scheduling, PreferenceStore preferences, Accounts accounts, OutboundQueue queue,
                       CalendarReader reader, String baseUrl, String hostname,
                       dev.inboxguard.storage.Transactions transactions, Clock clock) {
        this.transactions = transactions;
        this.scheduling = scheduling;
        this.preferences = preferences;
        this.accounts = accounts;
        this.queue = queue;
        this.reader = reader;
        this.links = new OneClickLinks(preferences, clock);
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.hostname = hostname;
        this.clock = clock;
        this.timer = GracefulStop.timer("held-notices");
    }

    /** Looks every few seconds. */
    public HeldNotices start() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (Throwable e) {
                // anything thrown out of the task would end the schedule for good
                LOG.warn("held notices: a sweep failed; trying again shortly: {}", e.toString());
            }
        }, LOOK.toMillis(), LOOK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One look, as the timer makes every few seconds; a caller beside the timer waits for a sweep under way.
     *
     * @return how many mails this sweep queued
     */
    public synchronized int sweep() {
        long now = clock.millis();
        int sent = 0;
        Map<String, List<HeldItem>> byDecider = new LinkedHashMap<>();
        for (HeldItem h : scheduling.unannounced(now - GAP.toMillis(), BATCH)) {
            byDecider.computeIfAbsent(h.decider(), k -> new ArrayList<>()).add(h);
        }
        for (Map.Entry<String, List<HeldItem>> e : byDecider.entrySet()) {
            Optional<Account> user = accounts.find(e.getKey());
            PreferenceStore.Preferences p = preferences.preferences(e.getKey());
            if (user.isEmpty() || !p.mailHeld() || user.get().addresses().stream().noneMatch(a -> a.email()
                    .isPresent())) {
                // nobody to tell, or they asked for no mail: these are not waiting to be announced any more
                e.getValue().forEach(h -> scheduling.announce(h.id(), now));
                continue;
            }
            // the claim, the items marked announced and the queued mail commit together: a failure leaves all three
            // for the next sweep, and two nodes never mail the same items
            boolean mailed = transactions.atomically(() -> {
                if (!preferences.claimNotice(e.getKey(), false, now, GAP.toMillis())) {
                    return false; // mailed within the hour: these wait for the digest
                }
                List<HeldItem> mine = new ArrayList<>();
                for (HeldItem h : e.getValue()) {
                    if (scheduling.announce(h.id(), now)) {
                        mine.add(h);
                    }
                }
                if (!mine.isEmpty()) {
                    mail(user.get(), p, mine, false);
                }
                return !mine.isEmpty();
            });
            sent += mailed ? 1 : 0;
        }
        if (lastDailyPass == Long.MIN_VALUE || now - lastDailyPass >= Duration.ofMinutes(10).toMillis()
                || now < lastDailyPass) {
            lastDailyPass = now;
            sent += daily(now);
        }
        return sent;
    }

    private int daily(long now) {
        int sent = 0;
        for (Account user : accounts.all()) {
            PreferenceStore.Preferences p = preferences.preferences(user.name());
            if (!p.mailHeld() || !p.dailyDigest()) {
                continue;
            }
            // the list without the messages; mail() reads the ones it shows, one at a time
            List<HeldItem> waiting = scheduling.heldSummaries(user.name(), ITEMS_PER_MAIL + 1);
            if (!waiting.isEmpty() && transactions.atomically(() -> {
                if (!preferences.claimNotice(user.name(), true, now, DAY.toMillis())) {
                    return false;
                }
                mail(user, p, waiting, true);
                return true;
            })) {
                sent++;
            }
        }
        return sent;
    }

    private void mail(Account user, PreferenceStore.Preferences p, List<HeldItem> items, boolean daily) {
        String to = user.addresses().stream().flatMap(a -> a.email().stream()).findFirst().orElseThrow();
        ZoneId zone = EventDescription.zoneOrUtc(p.timeZone());
        String unsubscribe = baseUrl + "/guard/act/" + links.sign(user.name(), "-", "unsubscribe");
        StringBuilder b = new StringBuilder();
        b.append(daily ? "Still waiting for your decision" : "Held for your decision").append(" at ").append(hostname)
                .append(":\n\n");
        int n = 0;
        String firstTitle = "";
        for (HeldItem h : items) {
            if (++n > ITEMS_PER_MAIL) {
                b.append("…and more on the page.\n\n");
                break;
            }
            // one message at a time: a mail lists at most ITEMS_PER_MAIL, each up to limits.maxBytes
            byte[] data = h.data().length > 0 ? h.data() : scheduling.held(h.id()).map(HeldItem::data)
                    .orElse(new byte[0]);
            EventDescription event = EventDescription.of(reader, data, h.method(), zone);
            if (n == 1) {
                firstTitle = event.title();
            }
            b.append(n).append(". \u201c").append(inert(event.title(), 120)).append("\u201d, ")
                    .append(h.approver().equals("organizer") ? "an answer to your event" : "from")
                    .append(' ').append(inert(FindingSentences.plain(h.sender()), 120)).append('\n');
            if (!event.when().isEmpty()) {
                b.append("   ").append(event.when()).append('\n');
            }
            for (com.fasterxml.jackson.databind.JsonNode f : Pages.findings(h.findings())) {
                b.append("   Why: ").append(inert(FindingSentences.sentence(f), 200)).append('\n');
            }
            b.append("   Approve:     ").append(link(user, h, "approve")).append('\n');
            b.append("   Deny:        ").append(link(user, h, "deny")).append('\n');
            b.append("   Report spam: ").append(link(user, h, "spam")).append("\n\n");
        }
        b.append("Each link opens a page that asks you to confirm; nothing happens before that. A link works once and ")
                .append("expires in ").append(OneClickLinks.LIFETIME.toDays()).append(" days.\n");
        b.append("Everything held for you: ").append(baseUrl).append("/guard/\n\n");
        b.append("To get no more of these mails: ").append(unsubscribe).append('\n');
        try {
            MimeMessage m = new MimeMessage(SESSION);
            m.setFrom(new InternetAddress("postmaster@" + hostname, "InboxGuard", "UTF-8"));
            m.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to));
            m.setSubject(items.size() == 1 ? (daily ? "Still waiting: " : "Held for you: ") + inert(firstTitle, 120)
                    : (items.size() > ITEMS_PER_MAIL ? "More than " + ITEMS_PER_MAIL : String.valueOf(items.size()))
                    + " calendar messages " + (daily ? "still wait" : "wait") + " for your decision",
                    "UTF-8");
            m.setSentDate(Date.from(clock.instant()));
            m.setText(b.toString(), "UTF-8", "plain");
            // RFC 3834: no vacation replies to this; RFC 8058: a mail program's own unsubscribe button works
            m.setHeader("Auto-Submitted", "auto-generated");
            m.setHeader("List-Unsubscribe", "<" + unsubscribe + ">");
            m.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            m.saveChanges();
            m.setHeader("Message-ID", "<notice-" + dev.inboxguard.storage.ItemId.random() + "@" + hostname + ">");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            queue.sendNotice("postmaster@" + hostname, to, out.toByteArray());
        } catch (MessagingException | UnsupportedEncodingException e) {
            LOG.warn("held notices: cannot write the mail to {}: {}", user.name(), e.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String link(Account user, HeldItem h, String action) {
        return baseUrl + "/guard/act/" + links.sign(user.name(), h.id(), action);
    }

    /**
     * The sender's text as it may stand in our mail, beside our real links: on one line (control characters become
     * spaces), and with what mail programs turn into links made inert ({@code https[:]//}, {@code www[.]}), so that a
     * title like "Sign in again at https://…" is not a clickable link in a mail this server signed.
     */
    static String inert(String s, int max) {
        return ImipMail.oneLine(s, max).replace("://", "[:]//").replaceAll("(?i)\\bwww\\.", "www[.]");
    }

    /** Lets a run in progress finish its writes, for up to 10 s, before the timer stops; never interrupts it. */
    @Override
    public void close() {
        close(StopDeadline.NONE);
    }

    /**
     * As {@link #close()}, waiting at most until the deadline.
     *
     * @param deadline the whole stop's deadline
     */
    public void close(StopDeadline deadline) {
        GracefulStop.stop(timer, deadline.within(Duration.ofSeconds(10)));
    }
}
