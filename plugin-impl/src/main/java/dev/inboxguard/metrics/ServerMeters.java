package dev.inboxguard.metrics;

import dev.inboxguard.api.Finding;
import dev.inboxguard.api.Transport;
import dev.inboxguard.api.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * What the server counts and times, in one place, so that the names and labels of {@code GET /metrics} stay
 * consistent (docs/operations.md lists them). Labels take only values from closed sets (actions, transports,
 * methods, finding codes, check names, reply codes), never an address or a UID, so the number of series stays
 * bounded whatever senders do.
 */
public final class ServerMeters {
    private final MeterRegistry registry;
    private final Optional<PrometheusMeterRegistry> prometheus;

    private ServerMeters(MeterRegistry registry, Optional<PrometheusMeterRegistry> prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
    }

    /** @return meters for a running server: Prometheus's registry, with the JVM's own meters bound */
    public static ServerMeters prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new ServerMeters(registry, Optional.of(registry));
    }

    /** @return meters that record nothing, for {@code inboxguard check} and tests */
    public static ServerMeters none() {
        return new ServerMeters(new CompositeMeterRegistry(), Optional.empty());
    }

    /** @return the registry, for libraries that bind their own meters */
    public MeterRegistry registry() {
        return registry;
    }

    /** @return the Prometheus text exposition of every meter, if these meters are Prometheus's */
    public Optional<String> scrape() {
        return prometheus.map(PrometheusMeterRegistry::scrape);
    }

    /**
     * Counts a verdict carried out for one recipient: the verdict, each finding's code, and what a monitor-mode rule
     * would have done instead.
     *
     * @param verdict   the verdict
     * @param transport how the message came
     */
    public void verdict(Verdict verdict, Transport transport) {
        String t = transport.name().toLowerCase(Locale.ROOT);
        String action = verdict.action().id();
        Counter.builder("inboxguard.verdicts").description("verdicts carried out, one per message and recipient")
                .tag("action", action).tag("transport", t)
                .tag("method", verdict.method().map(Enum::name).orElse("none"))
                .register(registry).increment();
        for (Finding f : verdict.findings()) {
            Counter.builder("inboxguard.findings").description("findings in verdicts, by code and the verdict's action")
                    .tag("code", f.code().value()).tag("action", action).tag("transport", t)
                    .register(registry).increment();
        }
        verdict.monitored().ifPresent(m -> Counter.builder("inboxguard.monitor")
                .description("verdicts a monitor-mode rule would have changed, by what it would have done")
                .tag("would", m.action().id()).tag("action", action).tag("transport", t)
                .register(registry).increment());
    }

    /**
     * @param transport how the messages come
     * @return the timer of whole verdicts (reading, every check, the policy)
     */
    public Timer verdictTimer(Transport transport) {
        return Timer.builder("inboxguard.verdict.duration").description("time to judge one message for one recipient")
                .tag("transport", transport.name().toLowerCase(Locale.ROOT)).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /**
     * @param check a check's name
     * @return the timer of that check's inspections
     */
    public Timer checkTimer(String check) {
        return Timer.builder("inboxguard.check.duration").description("time one check takes on one message")
                .tag("check", check).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** @param check a check that failed (threw): the message got guard.overloaded */
    public void checkFailed(String check) {
        checkFailures(check).increment();
    }

    /**
     * @param check a check's name
     * @return the counter of its failures
     */
    public Counter checkFailures(String check) {
        return Counter.builder("inboxguard.check.failures")
                .description("checks that failed; each answered guard.overloaded").tag("check", check)
                .register(registry);
    }

    /**
     * @param listener {@code lmtp} or {@code smtp}
     * @param reply    the reply line sent to the client
     */
    public void mailReply(String listener, String reply) {
        String code = reply.length() >= 3 && reply.substring(0, 3).chars().allMatch(Character::isDigit)
                ? reply.substring(0, 3) : "other";
        Counter.builder("inboxguard.mail.replies").description("replies to the MTA, by listener and code")
                .tag("listener", listener).tag("code", code).register(registry).increment();
    }

    /**
     * One message's DKIM signatures checked by the guard itself: once per delivery attempt, however many
     * recipients.
     *
     * @param result {@code pass}, {@code temperror}, {@code permerror}, {@code fail} or {@code none}
     */
    public void dkimChecked(String result) {
        Counter.builder("inboxguard.mail.dkim").description("messages whose DKIM signatures the guard checked, by "
                + "outcome").tag("result", result).register(registry).increment();
    }

    /** @param outcome {@code retry} (will try again) or {@code gave-up} */
    public void relayFailure(String outcome) {
        Counter.builder("inboxguard.relay.failures").description("outgoing messages the relay did not take")
                .tag("outcome", outcome).register(registry).increment();
    }

    /**
     * Registers a value read at scrape time, such as the held items pending.
     *
     * @param name        the meter's name
     * @param description what it measures
     * @param source      what it is read from
     * @param value       how
     * @param <T>         the source's type
     */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).strongReference(true).register(registry);
    }

    /**
     * Registers a count kept elsewhere that only grows, read at scrape time.
     *
     * @param name        the meter's name
     * @param description what it counts
     * @param source      what it is read from
     * @param value       how
     * @param <T>         the source's type
     */
    public <T> void count(String name, String description, T source, ToDoubleFunction<T> value) {
        // held weakly by Micrometer: the caller keeps the source alive as long as it runs
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, value).description(description)
                .register(registry);
    }
}
