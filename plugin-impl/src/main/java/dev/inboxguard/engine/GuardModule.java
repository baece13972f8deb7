package dev.inboxguard.engine;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.inboxguard.api.Policy;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.checks.ItipRestrictions;
import dev.inboxguard.checks.ItipStructureCheck;
import dev.inboxguard.checks.content.AlarmCheck;
import dev.inboxguard.checks.content.CallbackScamCheck;
import dev.inboxguard.checks.content.AlarmRemoval;
import dev.inboxguard.checks.content.SuspiciousLinkCheck;
import dev.inboxguard.checks.content.UnknownSenderCheck;
import dev.inboxguard.checks.identity.DelegationCheck;
import dev.inboxguard.checks.rate.RateLimitCheck;
import dev.inboxguard.ratelimit.RateLimiter;
import dev.inboxguard.ratelimit.TokenBuckets;
import dev.inboxguard.checks.identity.BlockedSenderCheck;
import dev.inboxguard.checks.identity.PartyCrashCheck;
import dev.inboxguard.checks.identity.SenderCheck;
import dev.inboxguard.checks.identity.StoredCopyCheck;
import dev.inboxguard.checks.recurrence.RecurrenceCheck;
import dev.inboxguard.identity.CalendarUserDirectory;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.routing.SentByReplyRouter;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.mime.DkimVerification;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.policy.RulePolicy;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Wires the guard from a configuration: the readers, the policy, the built-in checks, and the operator's own
 * check modules named in {@code checks.modules}.
 */
public final class GuardModule extends AbstractModule {
    /** The guard's own DKIM verification, empty when {@code imip.dkim} is off. */
    public static final com.google.inject.Key<Optional<DkimVerification>> DKIM =
            new com.google.inject.Key<Optional<DkimVerification>>() { };

    private final GuardConfig config;
    private final RateLimiter rateLimiter;
    private final ServerMeters meters;

    /** @param config the configuration; rate limits are counted in this process's memory */
    public GuardModule(GuardConfig config) {
        this(config, new TokenBuckets(TokenBuckets.DEFAULT_KEYS));
    }

    /**
     * @param config      the configuration
     * @param rateLimiter where rate limits are counted (the database, when several nodes share it)
     */
    public GuardModule(GuardConfig config, RateLimiter rateLimiter) {
        this(config, rateLimiter, ServerMeters.none());
    }

    /**
     * @param config      the configuration
     * @param rateLimiter where rate limits are counted
     * @param meters      where the guard's timings and failures are recorded
     */
    public GuardModule(GuardConfig config, RateLimiter rateLimiter, ServerMeters meters) {
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.meters = meters;
    }

    @Override
    protected void configure() {
        bind(GuardConfig.class).toInstance(config);
        bind(ServerMeters.class).toInstance(meters);
        bind(Limits.class).toInstance(config.limits());
        bind(Policy.class).toInstance(RulePolicy.from(config.policy()));
        Multibinder.newSetBinder(binder(), ChainLink.class);
        ChainLink.add(binder(), ChainLink.STRUCTURE, ItipStructureCheck.class);
        ChainLink.add(binder(), ChainLink.RECURRENCE, RecurrenceCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY, StoredCopyCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY + 10, PartyCrashCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY + 20, DelegationCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY + 30, SenderCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY + 40, UnknownSenderCheck.class);
        ChainLink.add(binder(), ChainLink.IDENTITY + 50, BlockedSenderCheck.class);
        ChainLink.add(binder(), ChainLink.CONTENT, SuspiciousLinkCheck.class);
        ChainLink.add(binder(), ChainLink.CONTENT + 10, AlarmCheck.class);
        ChainLink.add(binder(), ChainLink.CONTENT + 20, CallbackScamCheck.class);
        ChainLink.add(binder(), ChainLink.RATE, RateLimitCheck.class);
        for (Module module : operatorModules()) {
            install(module);
        }
    }

    @Provides
    @Singleton
    ItipStructureCheck structureCheck() {
        return new ItipStructureCheck(ItipRestrictions.rfc5546(), new HashSet<>(config.structure().tolerate()));
    }

    @Provides
    @Singleton
    RecurrenceCheck recurrenceCheck() {
        return new RecurrenceCheck(config.recurrence());
    }

    @Provides
    @Singleton
    UnknownSenderCheck unknownSenderCheck() {
        return new UnknownSenderCheck(config.senders());
    }

    @Provides
    @Singleton
    SenderCheck senderCheck(CalendarUserDirectory directory) {
        return new SenderCheck(directory, Set.copyOf(config.imip().calendarServices()));
    }

    @Provides
    @Singleton
    InboxCopy.Rewrite inboxCopyRewrite(AlarmRemoval removal) {
        return new InboxCopy.Rewrite(removal, config.policy().flaggedTransparent());
    }

    @Provides
    @Singleton
    SuspiciousLinkCheck suspiciousLinkCheck() {
        Set<String> blocked = new HashSet<>();
        config.content().blocklist().forEach(d -> blocked.add(domain(d)));
        if (!config.content().blocklistFile().isBlank()) {
            blocked.addAll(blocklistFile(Path.of(config.content().blocklistFile())));
        }
        Set<String> schemes = new HashSet<>();
        config.content().riskySchemes().forEach(x -> schemes.add(x.strip().toLowerCase(Locale.ROOT)));
        return new SuspiciousLinkCheck(schemes, blocked);
    }

    @Provides
    @Singleton
    AlarmRemoval alarmRemoval() {
        return AlarmRemoval.of(config.content().alarms());
    }

    @Provides
    @Singleton
    AlarmCheck alarmCheck(AlarmRemoval removal) {
        return new AlarmCheck(removal);
    }

    @Provides
    @Singleton
    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    @Provides
    @Singleton
    RateLimitCheck rateLimitCheck(RateLimiter limiter) {
        return new RateLimitCheck(limiter, config.rates());
    }

    private static String domain(String d) {
        return d.strip().toLowerCase(Locale.ROOT).replaceFirst("^@", "").replaceFirst("\\.$", "");
    }

    /** Reads the operator's blocklist: one domain a line, # comments, at most 10 MB. */
    private static Set<String> blocklistFile(Path file) {
        Set<String> out = new HashSet<>();
        try (var in = Files.newInputStream(file)) {
            byte[] bytes = dev.inboxguard.ical.BoundedInput.read(in, 10 * 1024 * 1024)
                    .orElseThrow(() -> new ConfigException("content.blocklistFile: " + file + " is over 10 MB"));
            for (String line : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\\R")) {
                String d = line.replaceFirst("#.*", "").strip();
                if (!d.isEmpty()) {
                    out.add(domain(d));
                }
            }
        } catch (java.io.IOException e) {
            throw new ConfigException("content.blocklistFile: cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    @Provides
    @Singleton
    CalendarUserDirectory directory() {
        return new CalendarUserDirectory(config.identity().users(), config.identity().proxies(),
                config.identity().publicDomains());
    }

    @Provides
    @Singleton
    DelegationCheck delegationCheck(CalendarUserDirectory directory) {
        return new DelegationCheck(directory, config.identity().maxDelegationDepth());
    }

    @Provides
    @Singleton
    ReplyRouter replyRouter(CalendarUserDirectory directory) {
        return new SentByReplyRouter(config.replies(), directory);
    }

    @Provides
    @Singleton
    Optional<DkimVerification> dkimVerification() {
        return DkimVerification.configured(config.imip());
    }

    @Provides
    @Singleton
    CalendarReader calendarReader(Limits limits) {
        return new CalendarReader(limits);
    }

    @Provides
    @Singleton
    ImipMessageReader imipMessageReader(Limits limits) {
        return new ImipMessageReader(limits, config.imip().headerTrust());
    }

    private List<Module> operatorModules() {
        List<Module> modules = new ArrayList<>();
        if (config.checks().modules().isEmpty()) {
            return modules;
        }
        ClassLoader loader = loaderFor(config.checks().jars());
        for (String name : config.checks().modules()) {
            try {
                Class<?> type = Class.forName(name, true, loader);
                if (!Module.class.isAssignableFrom(type)) {
                    throw new ConfigException("checks.modules: " + name + " is not a Guice Module");
                }
                modules.add((Module) type.getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException e) {
                throw new ConfigException("checks.modules: class " + name + " not found");
            } catch (ReflectiveOperationException e) {
                throw new ConfigException("checks.modules: cannot create " + name
                        + " (it needs a public no-argument constructor): " + e);
            }
        }
        return modules;
    }

    private static ClassLoader loaderFor(List<String> jars) {
        ClassLoader parent = GuardModule.class.getClassLoader();
        if (jars.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (String jar : jars) {
            Path path = Path.of(jar);
            if (!Files.exists(path)) {
                throw new ConfigException("checks.jars: " + jar + " does not exist");
            }
            try {
                urls.add(path.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ConfigException("checks.jars: " + jar + " is not a usable path");
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), parent);
    }
}
