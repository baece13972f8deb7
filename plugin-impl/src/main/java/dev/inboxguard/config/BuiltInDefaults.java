package dev.inboxguard.config;

import dev.inboxguard.checks.recurrence.RecurrenceLimits;
import dev.inboxguard.ical.Limits;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The built-in configuration, written in Java. {@code default-config.yaml} is where the defaults are explained, and
 * what an operator's file is laid over; this is the same configuration built without reading YAML, because Jackson's
 * mapper, the YAML parser and the binding took about 0.15 s of every {@code inboxguard check}, a JVM per message.
 * {@code ConfigFileTest} holds the two equal: a default changed in one place only fails the build.
 */
final class BuiltInDefaults {
    private BuiltInDefaults() {
    }

    static GuardConfig config() {
        Limits limits = new Limits(1_048_576, 10_485_760, 262_144, 1000, 20_000, 2000, 1000, 5, 100, 65_536);
        GuardConfig.Structure structure = new GuardConfig.Structure(List.of("VEVENT.SUMMARY", "VTODO.SUMMARY",
                "VTODO.DTSTART", "VTODO.PRIORITY", "VEVENT.SEQUENCE", "VTODO.SEQUENCE", "VJOURNAL.SEQUENCE",
                "VALARM"));
        RecurrenceLimits recurrence = new RecurrenceLimits(3000, 1000, 500, 3000, 24, 3, 730, 730, 2000, 100_000,
                10_000, 500, 2000);
        GuardConfig.Identity identity = new GuardConfig.Identity(List.of(), List.of(), 3, List.of("gmail.com",
                "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
                "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
                "proton.me", "protonmail.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "zoho.com",
                "fastmail.com"));
        GuardConfig.Replies replies = new GuardConfig.Replies("organizer", Map.of(), Map.of());
        GuardConfig.Content content = new GuardConfig.Content(List.of("javascript", "vbscript", "data", "file", "blob",
                "filesystem", "about"), List.of(), "", "strip");
        GuardConfig.Senders senders = new GuardConfig.Senders("everyone", Map.of(), Map.of(), List.of());
        GuardConfig.Rates rates = new GuardConfig.Rates(new GuardConfig.Rate(30, 120), new GuardConfig.Rate(100, 600),
                new GuardConfig.Rate(60, 300), new GuardConfig.Rate(10, 60),
                new GuardConfig.Local(new GuardConfig.Rate(200, 1000), new GuardConfig.Rate(50, 300)));
        GuardConfig.Imip imip = new GuardConfig.Imip(List.of(), 0, "off", Map.of(), List.of("google.com"));
        GuardConfig.Checks checks = new GuardConfig.Checks(List.of(), List.of());
        GuardConfig.PolicySettings policy = new GuardConfig.PolicySettings(rules(), Map.of("critical", "reject",
                "high", "hold", "medium", "flag", "low", "flag", "info", "deliver"), true);
        GuardConfig.Mail mail = new GuardConfig.Mail("", new GuardConfig.Listener("127.0.0.1", 2424),
                new GuardConfig.Listener("0.0.0.0", -1), 64, 300, "reject",
                new GuardConfig.Relay("", 587, "starttls", "", "", "", 30, List.of(60, 300, 1800, 7200, 21600), 48,
                        ""));
        GuardConfig.Server server = new GuardConfig.Server("0.0.0.0", List.of(), false,
                new GuardConfig.Connections(1000, 100, 15, 16, 512), "", 0L);
        GuardConfig.Caldav caldav = new GuardConfig.Caldav(true, new GuardConfig.Collection("calendar", "Calendar"),
                new GuardConfig.Collection("tasks", "Tasks"), "users");
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip, checks,
                policy, List.of(), new GuardConfig.Scheduling("status"), mail,
                new GuardConfig.Storage("", "", "", "", 16, "auto"), new GuardConfig.Metrics("loopback", "", ""),
                server, caldav, new GuardConfig.Retention(30, 365, 7, 30, 60, 30));
    }

    private static List<GuardConfig.PolicyRuleSettings> rules() {
        String noAuthority = "3.8;No authority";
        return Stream.of(
                rule("malformed", "reject"),
                rule("limits.size", "reject"),
                rule("recurrence.far-future", "hold").approver("recipient"),
                rule("recurrence.*", "reject"),
                rule("timezone.abusive", "reject"),
                rule("party-crash", "flag").severities("info"),
                rule("party-crash", "hold").approver("organizer"),
                rule("delegation.inconsistent", "hold").methods("REPLY", "COUNTER").approver("organizer"),
                rule("delegation.inconsistent", "hold").approver("recipient"),
                rule("event.unknown", "flag").methods("CANCEL"),
                rule("event.unknown", "reject"),
                rule("event.stale", "reject"),
                rule("organizer.changed", "reject").status(noAuthority),
                rule("sender.not-organizer", "reject").methods("CANCEL").status(noAuthority),
                rule("sender.not-organizer", "flag").severities("low", "info"),
                rule("sender.not-organizer", "hold").approver("recipient"),
                rule("sender.not-attendee", "reject").status(noAuthority),
                rule("refresh.not-attendee", "reject").status(noAuthority),
                rule("sender.sent-by-unauthorized", "reject").transports("caldav").status(noAuthority),
                rule("sender.sent-by-unauthorized", "flag").severities("low", "info"),
                rule("sender.sent-by-unauthorized", "hold").approver("recipient"),
                rule("sender.unauthenticated", "flag").severities("low", "info"),
                rule("sender.unauthenticated", "hold").approver("recipient"),
                rule("sender.unknown", "flag").severities("info"),
                rule("sender.unknown", "hold").approver("recipient"),
                rule("sender.blocked", "reject").status(noAuthority),
                rule("content.suspicious-url", "flag"),
                rule("content.callback-scam", "flag"),
                rule("content.alarm-removed", "deliver"),
                rule("rate.limited", "reject").status("5.1;Service unavailable"),
                rule("message.conflicting-parts", "hold").approver("recipient"))
                .map(Rule::settings).toList();
    }

    private static Rule rule(String code, String action) {
        return new Rule(code, action);
    }

    /** One policy rule, named part by part, since most rules set only two or three of its nine settings. */
    private static final class Rule {
        private final String code;
        private final String action;
        private List<String> methods = List.of();
        private List<String> transports = List.of();
        private List<String> severities = List.of();
        private String approver;
        private String requestStatus;

        Rule(String code, String action) {
            this.code = code;
            this.action = action;
        }

        Rule methods(String... names) {
            methods = List.of(names);
            return this;
        }

        Rule transports(String... names) {
            transports = List.of(names);
            return this;
        }

        Rule severities(String... names) {
            severities = List.of(names);
            return this;
        }

        Rule approver(String who) {
            approver = who;
            return this;
        }

        Rule status(String status) {
            requestStatus = status;
            return this;
        }

        GuardConfig.PolicyRuleSettings settings() {
            return new GuardConfig.PolicyRuleSettings(code, methods, transports, List.of(), severities, action,
                    approver, requestStatus, null);
        }
    }
}
