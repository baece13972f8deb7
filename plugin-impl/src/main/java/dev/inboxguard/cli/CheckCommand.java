package dev.inboxguard.cli;

import dev.inboxguard.engine.VerdictJson;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.Transport;
import dev.inboxguard.api.TransportFacts;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import dev.inboxguard.engine.GuardParts;
import dev.inboxguard.ical.BoundedInput;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.InputFindings;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.ImipMessage;
import dev.inboxguard.mime.ImipRead;
import dev.inboxguard.ratelimit.TokenBuckets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.Property;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code inboxguard check}: an offline verdict for one iTIP message or one e-mail. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Prints the guard's verdict on one iTIP message (.ics) or e-mail (.eml) as JSON.",
                "Exit status: 0 when a verdict was printed, whatever it says; 2 for a usage error."})
final class CheckCommand implements Callable<Integer> {
    /** Stands in for the recipient when neither the options nor the message name one. */
    static final CalendarUserAddress UNKNOWN_RECIPIENT = CalendarUserAddress.of("mailto:unknown-recipient@invalid");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the .ics or .eml file; - reads standard input")
    String file;

    @Option(names = "--recipient", paramLabel = "ADDR", description = "the inbox owner (mailto: optional)")
    String recipient;

    @Option(names = "--transport", paramLabel = "caldav|imip",
            description = "how it arrived; default imip for e-mail, else caldav")
    String transport;

    @Option(names = "--sender", paramLabel = "ADDR",
            description = "the authenticated principal (caldav) or envelope MAIL FROM (imip; e-mail default: "
                    + "Return-Path)")
    String sender;

    @Option(names = "--from", paramLabel = "ADDR", description = "the From address (imip, .ics input only)")
    String from;

    @Option(names = "--authenticated", paramLabel = "DOMAIN",
            description = "a domain whose DKIM or SPF passed and aligns (repeatable)")
    List<String> authenticated = new ArrayList<>();

    @Option(names = "--trust-authserv-id", paramLabel = "ID",
            description = "trust Authentication-Results headers with this authserv-id (repeatable)")
    List<String> trustedAuthservIds = new ArrayList<>();

    @Option(names = "--stored", paramLabel = "FILE",
            description = "a calendar object the recipient holds (repeatable)")
    List<Path> stored = new ArrayList<>();

    @Option(names = "--known", paramLabel = "ADDR", description = "a sender the recipient knows (repeatable)")
    List<String> known = new ArrayList<>();

    @Option(names = "--now", paramLabel = "INSTANT", description = "ISO-8601 instant to use as now")
    String now;

    @Option(names = "--config", paramLabel = "FILE", description = "policy and limits (YAML)")
    Path config;

    @Override
    public Integer call() {
        GuardConfig cfg = ConfigSource.read(config);
        if (!trustedAuthservIds.isEmpty()) {
            List<String> ids = new ArrayList<>(cfg.imip().trustedAuthservIds());
            ids.addAll(trustedAuthservIds);
            try {
                cfg = cfg.withImip(cfg.imip().withTrustedAuthservIds(ids));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--trust-authserv-id: " + e.getMessage());
            }
        }
        GuardParts parts;
        Guard guard;
        if (cfg.checks().modules().isEmpty()) {
            // no operator modules: the built-in guard needs no injector, which is a sixth of a cold start
            parts = parts(cfg);
            guard = parts.guard(List.of());
        } else {
            Injector injector = injector(cfg);
            parts = injector.getInstance(GuardParts.class);
            guard = injector.getInstance(Guard.class);
        }
        CalendarReader reader = parts.calendarReader();
        Clock clock = clock();
        Set<CalendarUserAddress> knownSenders = new HashSet<>();
        for (String k : known) {
            knownSenders.add(address("--known", k));
        }
        Map<String, Calendar> storedCopies = readStored(reader);
        Optional<CalendarUserAddress> recipientOption = Optional.ofNullable(recipient)
                .map(r -> address("--recipient", r));
        Optional<CalendarUserAddress> senderOption = Optional.ofNullable(sender).map(s -> address("--sender", s));

        Input input = readInput(cfg.limits());
        Verdict verdict;
        if (input.email) {
            Transport t = transport(Transport.IMIP);
            ImipRead read = input.tooLarge
                    ? new ImipRead.Refused(List.of(InputFindings.tooLarge(String.format(Locale.ROOT,
                    "the e-mail is larger than %,d bytes", cfg.limits().maxMessageBytes()), null)))
                    : parts.imipReader().read(input.bytes);
            if (read instanceof ImipRead.Refused refused) {
                verdict = guard.refuse(refused.findings(), t, recipientOption.orElse(UNKNOWN_RECIPIENT));
            } else {
                ImipMessage mail = ((ImipRead.Extracted) read).message();
                List<AuthenticationResult> results = new ArrayList<>(mail.authenticationResults());
                parts.dkimVerification().ifPresent(dkim -> results.addAll(dkim.verify(input.bytes)));
                CalendarUserAddress to = recipientOption
                        .or(() -> mail.to().stream().findFirst())
                        .or(() -> inferRecipient(reader, mail.calendar()))
                        .orElse(UNKNOWN_RECIPIENT);
                TransportFacts facts = t == Transport.IMIP
                        ? new ImipDelivery(senderOption.or(mail::returnPath), mail.from(), mail.sender(),
                        mail.replyTo(), mail.messageId(), authenticatedDomains(), results)
                        : caldav(senderOption);
                verdict = guard.inspectEmail(mail, facts, new OfflineRecipient(to, storedCopies, knownSenders, clock));
            }
        } else {
            Transport t = transport(Transport.CALDAV);
            if (input.tooLarge) {
                verdict = guard.refuse(List.of(InputFindings.tooLarge(String.format(Locale.ROOT,
                        "the calendar object is larger than %,d bytes", cfg.limits().maxBytes()), null)), t,
                        recipientOption.orElse(UNKNOWN_RECIPIENT));
            } else {
                CalendarUserAddress to = recipientOption.or(() -> inferRecipient(reader, input.bytes))
                        .orElse(UNKNOWN_RECIPIENT);
                TransportFacts facts = t == Transport.IMIP
                        ? new ImipDelivery(senderOption,
                        Optional.ofNullable(from).map(f -> address("--from", f)), Optional.empty(), List.of(),
                        Optional.empty(), authenticatedDomains(), List.of())
                        : caldav(senderOption);
                verdict = guard.inspect(input.bytes, facts, new OfflineRecipient(to, storedCopies, knownSenders,
                        clock));
            }
        }
        spec.commandLine().getOut().println(VerdictJson.toJson(verdict));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The built-in guard's parts, with rate limits counted in this process. */
    static GuardParts parts(GuardConfig cfg) {
        try {
            return new GuardParts(cfg, new TokenBuckets(TokenBuckets.DEFAULT_KEYS), ServerMeters.none());
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a setting a check cannot work with is a usage error, as it is when Guice builds the checks
            throw new UsageException("cannot set up the checks: " + e.getMessage());
        }
    }

    static Injector injector(GuardConfig cfg) {
        try {
            // PRODUCTION builds every singleton now, so a configuration mistake surfaces here, as a usage error
            return Guice.createInjector(Stage.PRODUCTION, new GuardModule(cfg));
        } catch (CreationException e) {
            for (Message m : e.getErrorMessages()) {
                if (m.getCause() instanceof ConfigException ce) {
                    throw ce;
                }
            }
            throw new UsageException("cannot set up the checks: " + e.getErrorMessages().iterator().next()
                    .getMessage());
        } catch (ConfigException e) {
            throw e;
        }
    }

    private TransportFacts caldav(Optional<CalendarUserAddress> principal) {
        return new CaldavSubmission(principal.map(CalendarUserAddress::uri).orElse("(unauthenticated)"),
                principal.map(Set::of).orElse(Set.of()));
    }

    /** The domains asserted with --authenticated; results from headers and DKIM travel separately. */
    private Set<String> authenticatedDomains() {
        Set<String> domains = new LinkedHashSet<>();
        for (String d : authenticated) {
            if (!d.matches("[A-Za-z0-9._-]{1,253}")) {
                throw new UsageException("--authenticated: not a domain: " + d);
            }
            domains.add(d.toLowerCase(Locale.ROOT));
        }
        return domains;
    }

    private Transport transport(Transport fallback) {
        if (transport == null) {
            return fallback;
        }
        return switch (transport.toLowerCase(Locale.ROOT)) {
            case "caldav" -> Transport.CALDAV;
            case "imip" -> Transport.IMIP;
            default -> throw new UsageException("--transport must be caldav or imip, not " + transport);
        };
    }

    private Clock clock() {
        if (now == null) {
            return Clock.systemUTC();
        }
        try {
            return Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
        } catch (DateTimeException e) {
            try {
                return Clock.fixed(OffsetDateTime.parse(now).toInstant(), ZoneOffset.UTC);
            } catch (DateTimeException e2) {
                throw new UsageException("--now: not an ISO-8601 instant: " + now);
            }
        }
    }

    private Map<String, Calendar> readStored(CalendarReader reader) {
        Map<String, Calendar> copies = new HashMap<>();
        for (Path path : stored) {
            byte[] bytes = readFile(path, Integer.MAX_VALUE - 16);
            CalendarRead read = reader.read(bytes);
            if (read instanceof CalendarRead.Refused refused) {
                throw new UsageException("--stored " + path + ": " + refused.findings().get(0).message());
            }
            Calendar calendar = ((CalendarRead.Parsed) read).calendar();
            for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
                c.<Property>getProperty(Property.UID).ifPresent(uid -> copies.putIfAbsent(uid.getValue(), calendar));
            }
        }
        return copies;
    }

    /** The whole input, read up to the limit that applies to its kind. */
    private record Input(boolean email, byte[] bytes, boolean tooLarge) {
    }

    private Input readInput(Limits limits) {
        int cap = Math.max(limits.maxBytes(), limits.maxMessageBytes());
        byte[] bytes;
        boolean overCap;
        if (file.equals("-")) {
            try {
                Optional<byte[]> read = BoundedInput.read(System.in, cap);
                overCap = read.isEmpty();
                bytes = read.orElse(new byte[0]);
            } catch (IOException e) {
                throw new UsageException("cannot read standard input: " + e.getMessage());
            }
        } else {
            Path path = Path.of(file);
            try (InputStream in = Files.newInputStream(path)) {
                Optional<byte[]> read = BoundedInput.read(in, cap);
                overCap = read.isEmpty();
                bytes = read.orElse(new byte[0]);
            } catch (NoSuchFileException e) {
                throw new UsageException("cannot read " + file + ": no such file");
            } catch (IOException e) {
                throw new UsageException("cannot read " + file + ": " + e.getMessage());
            }
        }
        boolean email = isEmail(bytes);
        int limit = email ? limits.maxMessageBytes() : limits.maxBytes();
        if (overCap || bytes.length > limit) {
            return new Input(email, new byte[0], true);
        }
        return new Input(email, bytes, false);
    }

    /** By extension; for standard input or other names, by whether the content starts like iCalendar. */
    private boolean isEmail(byte[] head) {
        String name = file.toLowerCase(Locale.ROOT);
        if (name.endsWith(".eml") || name.endsWith(".msg") || name.endsWith(".mbox")) {
            return true;
        }
        if (name.endsWith(".ics") || name.endsWith(".ical") || name.endsWith(".ifb")) {
            return false;
        }
        String start = new String(head, 0, Math.min(head.length, 64), StandardCharsets.UTF_8)
                .replace("\uFEFF", "").stripLeading().toUpperCase(Locale.ROOT);
        return !start.startsWith("BEGIN:VCALENDAR") && start.contains(":") && !start.isEmpty()
                && !start.startsWith("BEGIN:");
    }

    private static byte[] readFile(Path path, int limit) {
        try (InputStream in = Files.newInputStream(path)) {
            return BoundedInput.read(in, limit).orElseThrow(() -> new UsageException(path + ": too large"));
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + path + ": no such file");
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + e.getMessage());
        }
    }

    /**
     * Without --recipient: a REPLY, COUNTER or REFRESH goes to the ORGANIZER; anything else to the first ATTENDEE
     * (or the ORGANIZER of a PUBLISH).
     */
    private static Optional<CalendarUserAddress> inferRecipient(CalendarReader reader, byte[] bytes) {
        if (!(reader.read(bytes) instanceof CalendarRead.Parsed parsed)) {
            return Optional.empty();
        }
        Calendar calendar = parsed.calendar();
        Optional<ItipMethod> method = calendar.getProperty(Property.METHOD).flatMap(p -> ItipMethod.parse(p.getValue()));
        boolean toOrganizer = method.map(m -> m == ItipMethod.REPLY || m == ItipMethod.COUNTER
                || m == ItipMethod.REFRESH).orElse(false);
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            List<String> order = toOrganizer ? List.of(Property.ORGANIZER)
                    : List.of(Property.ATTENDEE, Property.ORGANIZER);
            for (String name : order) {
                Optional<CalendarUserAddress> found = c.<Property>getProperties(name).stream()
                        .map(p -> CalendarUserAddress.parse(p.getValue())).flatMap(Optional::stream).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static CalendarUserAddress address(String option, String value) {
        try {
            return CalendarUserAddress.of(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }
}
