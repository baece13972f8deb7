package dev.inboxguard.bench;

import com.google.inject.Guice;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.checks.content.CallbackScamCheck;
import dev.inboxguard.checks.content.SuspiciousLinkCheck;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.mime.HeaderTrust;
import dev.inboxguard.mime.ImipMessage;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.mime.ImipRead;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the real-world defaults of issue 20 cost on real shapes of e-mail: the whole path of one iMIP message
 * (MIME reading, the guard's verdict with the e-mail's own bodies scanned for links), and the two new pieces alone,
 * the call-back scan of the calendar text and the link scan of the e-mail's bodies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 4, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class RealWorldMailBenchmark {

    /** A Teams invitation (long description, dial-in block) and a Google one (HTML body, invite.ics attached). */
    @Param({"legitimate/teams-invitation-finance.eml", "legitimate/google-workspace-invitation.eml"})
    public String message;

    private byte[] bytes;
    private ImipMessageReader mime;
    private Guard guard;
    private TestRecipient recipient;
    private ImipMessage mail;
    private ImipDelivery facts;
    private SchedulingMessage parsed;
    private CallbackScamCheck callback;
    private SuspiciousLinkCheck links;

    @Setup
    public void setUp() throws IOException {
        try (InputStream in = RealWorldMailBenchmark.class.getResourceAsStream("/corpus/" + message)) {
            bytes = in.readAllBytes();
        }
        mime = new ImipMessageReader(ConfigFile.defaults().limits(), new HeaderTrust(Set.of("mx.corp.example"), 0));
        var injector = Guice.createInjector(new GuardModule(dev.inboxguard.Samples.unlimited()));
        guard = injector.getInstance(Guard.class);
        callback = injector.getInstance(CallbackScamCheck.class);
        links = injector.getInstance(SuspiciousLinkCheck.class);
        recipient = TestRecipient.of("bob@corp.example", Clock.fixed(Instant.parse("2026-12-01T09:00:00Z"),
                ZoneOffset.UTC));
        mail = ((ImipRead.Extracted) mime.read(bytes)).message();
        facts = facts(mail);
        CalendarRead.Parsed read = (CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits())
                .read(mail.calendar());
        parsed = new SchedulingMessage(read.calendar(), read.bytes(), recipient.address(), facts);
    }

    private static ImipDelivery facts(ImipMessage m) {
        return new ImipDelivery(m.returnPath(), m.from(), m.sender(), m.replyTo(), m.messageId(), Set.of(),
                m.authenticationResults());
    }

    /** The whole path of one e-mail: MIME, then the verdict with every check and the body scan. */
    @Benchmark
    public Verdict wholeEmail() {
        ImipMessage m = ((ImipRead.Extracted) mime.read(bytes)).message();
        return guard.inspectEmail(m, facts(m), recipient);
    }

    /** The call-back scan alone, on the already parsed calendar. */
    @Benchmark
    public Object callbackScan() {
        return callback.inspect(parsed, recipient);
    }

    /** The link scan of the e-mail's own bodies alone. */
    @Benchmark
    public Object mailBodyLinks() {
        return links.inspectMailBodies(mail.texts().stream().map(t -> Map.entry(t.html(), t.text())).toList(),
                parsed);
    }
}
