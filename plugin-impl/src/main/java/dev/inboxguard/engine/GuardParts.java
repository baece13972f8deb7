package dev.inboxguard.engine;

import dev.inboxguard.api.Policy;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.checks.ItipRestrictions;
import dev.inboxguard.checks.ItipStructureCheck;
import dev.inboxguard.checks.content.AlarmCheck;
import dev.inboxguard.checks.content.AlarmRemoval;
import dev.inboxguard.checks.content.CallbackScamCheck;
import dev.inboxguard.checks.content.SuspiciousLinkCheck;
import dev.inboxguard.checks.content.UnknownSenderCheck;
import dev.inboxguard.checks.identity.BlockedSenderCheck;
import dev.inboxguard.checks.identity.DelegationCheck;
import dev.inboxguard.checks.identity.PartyCrashCheck;
import dev.inboxguard.checks.identity.SenderCheck;
import dev.inboxguard.checks.identity.StoredCopyCheck;
import dev.inboxguard.checks.rate.RateLimitCheck;
import dev.inboxguard.checks.recurrence.RecurrenceCheck;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.BoundedInput;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.identity.CalendarUserDirectory;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.DkimVerification;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.policy.RulePolicy;
import dev.inboxguard.ratelimit.RateLimiter;
import dev.inboxguard.routing.SentByReplyRouter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The guard's built-in parts, wired in plain Java from one configuration: the readers, the policy, the directory of
 * calendar users and the built-in checks at their places in the chain. {@link GuardModule} binds these same objects
 * for Guice, where an operator's check module can inject them. {@code inboxguard check} without operator modules
 * uses them directly: it starts a JVM for every message, and building an injector was about a sixth of a second of
 * that start.
 */
public final class GuardParts {
    private final ServerMeters meters;
    private final GuardConfig.Imip imip;
    private final Policy policy;
    private final CalendarReader calendarReader;
    private final ImipMessageReader imipReader;
    private final CalendarUserDirectory directory;
    private final AlarmRemoval alarmRemoval;
    private final InboxCopy.Rewrite rewrite;
    private final SuspiciousLinkCheck links;
    private final RateLimiter rateLimiter;
    private final ReplyRouter replyRouter;
    private final List<ChainLink> builtInChecks;

    /**
     * @param config      the configuration
     * @param rateLimiter where rate limits are counted
     * @param meters      where the guard's timings and failures are recorded
     * @throws ConfigException when a setting names something that cannot be used, such as a missing blocklist file
     */
    public GuardParts(GuardConfig config, RateLimiter rateLimiter, ServerMeters meters) {
        this.meters = meters;
        this.imip = config.imip();
        this.rateLimiter = rateLimiter;
        this.policy = RulePolicy.from(config.policy());
        this.calendarReader = new CalendarReader(config.limits());
        this.imipReader = new ImipMessageReader(config.limits(), config.imip().headerTrust());
        this.directory = new CalendarUserDirectory(config.identity().users(), config.identity().proxies(),
                config.identity().publicDomains());
        this.alarmRemoval = AlarmRemoval.of(config.content().alarms());
        this.rewrite = new InboxCopy.Rewrite(alarmRemoval, config.policy().flaggedTransparent());
        this.links = linkCheck(config.content());
        this.replyRouter = new SentByReplyRouter(config.replies(), directory);
        this.builtInChecks = List.of(
                new ChainLink(ChainLink.STRUCTURE, new ItipStructureCheck(ItipRestrictions.rfc5546(),
                        new HashSet<>(config.structure().tolerate()))),
                new ChainLink(ChainLink.RECURRENCE, new RecurrenceCheck(config.recurrence())),
                new ChainLink(ChainLink.IDENTITY, new StoredCopyCheck(directory)),
                new ChainLink(ChainLink.IDENTITY + 10, new PartyCrashCheck(directory)),
                new ChainLink(ChainLink.IDENTITY + 20,
                        new DelegationCheck(directory, config.identity().maxDelegationDepth())),
                new ChainLink(ChainLink.IDENTITY + 30,
                        new SenderCheck(directory, Set.copyOf(config.imip().calendarServices()))),
                new ChainLink(ChainLink.IDENTITY + 40, new UnknownSenderCheck(config.senders())),
                new ChainLink(ChainLink.IDENTITY + 50, new BlockedSenderCheck()),
                new ChainLink(ChainLink.CONTENT, links),
                new ChainLink(ChainLink.CONTENT + 10, new AlarmCheck(alarmRemoval)),
                new ChainLink(ChainLink.CONTENT + 20, new CallbackScamCheck()),
                new ChainLink(ChainLink.RATE, new RateLimitCheck(
                        new dev.inboxguard.ratelimit.RateLedger(rateLimiter), config.rates())));
    }

    /**
     * A guard whose chain is the built-in checks and the given ones.
     *
     * @param more checks added by the operator, at their own positions
     * @return the guard
     */
    public Guard guard(Collection<ChainLink> more) {
        Set<ChainLink> chain = new LinkedHashSet<>(builtInChecks);
        chain.addAll(more);
        return new Guard(calendarReader, new CheckChain(chain, meters), policy, rewrite, links, meters);
    }

    /** @return the built-in checks, each at its place in the chain */
    public List<ChainLink> builtInChecks() {
        return builtInChecks;
    }

    /** @return the policy compiled from {@code policy} */
    public Policy policy() {
        return policy;
    }

    /** @return the bounded iCalendar reader */
    public CalendarReader calendarReader() {
        return calendarReader;
    }

    /** @return the bounded e-mail reader */
    public ImipMessageReader imipReader() {
        return imipReader;
    }

    /** @return who is who: aliases, proxies and public mail domains */
    public CalendarUserDirectory directory() {
        return directory;
    }

    /** @return how procedural alarms are taken out of delivered copies */
    public AlarmRemoval alarmRemoval() {
        return alarmRemoval;
    }

    /** @return how delivered copies are rewritten */
    public InboxCopy.Rewrite rewrite() {
        return rewrite;
    }

    /** @return the link check, which also judges an e-mail's own bodies */
    public SuspiciousLinkCheck links() {
        return links;
    }

    /** @return where rate limits are counted */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** @return the sent-by reply routing */
    public ReplyRouter replyRouter() {
        return replyRouter;
    }

    /**
     * Built anew at each call: the DNS resolver behind it is only needed for e-mail.
     *
     * @return the guard's own DKIM verification, empty when {@code imip.dkim} is off
     */
    public Optional<DkimVerification> dkimVerification() {
        return DkimVerification.configured(imip);
    }

    private static SuspiciousLinkCheck linkCheck(GuardConfig.Content content) {
        Set<String> blocked = new HashSet<>();
        content.blocklist().forEach(d -> blocked.add(domain(d)));
        if (!content.blocklistFile().isBlank()) {
            blocked.addAll(blocklistFile(Path.of(content.blocklistFile())));
        }
        Set<String> schemes = new HashSet<>();
        content.riskySchemes().forEach(x -> schemes.add(x.strip().toLowerCase(Locale.ROOT)));
        return new SuspiciousLinkCheck(schemes, blocked);
    }

    private static String domain(String d) {
        return d.strip().toLowerCase(Locale.ROOT).replaceFirst("^@", "").replaceFirst("\\.$", "");
    }

    /** Reads the operator's blocklist: one domain a line, # comments, at most 10 MB. */
    private static Set<String> blocklistFile(Path file) {
        Set<String> out = new HashSet<>();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = BoundedInput.read(in, 10 * 1024 * 1024)
                    .orElseThrow(() -> new ConfigException("content.blocklistFile: " + file + " is over 10 MB"));
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
                String d = line.replaceFirst("#.*", "").strip();
                if (!d.isEmpty()) {
                    out.add(domain(d));
                }
            }
        } catch (IOException e) {
            throw new ConfigException("content.blocklistFile: cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }
}
