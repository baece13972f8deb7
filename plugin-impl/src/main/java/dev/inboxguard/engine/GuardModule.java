package dev.inboxguard.engine;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Policy;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.checks.content.AlarmRemoval;
import dev.inboxguard.ratelimit.RateLimiter;
import dev.inboxguard.ratelimit.TokenBuckets;
import dev.inboxguard.identity.CalendarUserDirectory;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.mime.ImipMessageReader;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires the guard for Guice from a configuration: the built-in parts ({@link GuardParts}), bound so that the
 * operator's own check modules named in {@code checks.modules} can inject them, and those modules.
 */
public final class GuardModule extends AbstractModule {
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
        GuardParts parts = new GuardParts(config, rateLimiter, meters);
        bind(GuardParts.class).toInstance(parts);
        bind(GuardConfig.class).toInstance(config);
        bind(ServerMeters.class).toInstance(meters);
        bind(Limits.class).toInstance(config.limits());
        bind(Policy.class).toInstance(parts.policy());
        bind(CalendarReader.class).toInstance(parts.calendarReader());
        bind(ImipMessageReader.class).toInstance(parts.imipReader());
        bind(CalendarUserDirectory.class).toInstance(parts.directory());
        bind(AlarmRemoval.class).toInstance(parts.alarmRemoval());
        bind(InboxCopy.Rewrite.class).toInstance(parts.rewrite());
        bind(RateLimiter.class).toInstance(parts.rateLimiter());
        bind(ReplyRouter.class).toInstance(parts.replyRouter());
        Multibinder<ChainLink> chain = Multibinder.newSetBinder(binder(), ChainLink.class);
        for (ChainLink link : parts.builtInChecks()) {
            chain.addBinding().toInstance(link);
            // by its class too: an operator's check may inject a built-in one, and gets the one in the chain
            bindCheck(link.check().getClass(), link.check());
        }
        for (Module module : operatorModules()) {
            install(module);
        }
    }

    private <T extends Check> void bindCheck(Class<T> type, Check check) {
        bind(type).toInstance(type.cast(check));
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
