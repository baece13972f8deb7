package dev.inboxguard.checks.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.Action;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Links, alarms, unknown senders and the delivered copy, through the whole guard. */
class ContentChecksTest {
    static final CaldavSubmission ALICE = new CaldavSubmission("alice",
            Set.of(CalendarUserAddress.of("alice@example.com")));
    static final TestRecipient BOB = new TestRecipient(CalendarUserAddress.of("bob@example.com"), Map.of(), false,
            Clock.systemUTC());

    private static Guard guard(GuardConfig config) {
        return Guice.createInjector(new GuardModule(config)).getInstance(Guard.class);
    }

    private static byte[] invitation(String... extra) {
        List<String> lines = new java.util.ArrayList<>(List.of("UID:c-1@example.com", "DTSTAMP:20261120T100000Z",
                "DTSTART:20261201T100000Z", "DTEND:20261201T110000Z", "SUMMARY:Quarterly sync",
                "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com"));
        lines.addAll(List.of(extra));
        return Samples.event("REQUEST", lines.toArray(String[]::new));
    }

    private static Set<String> codes(Verdict v) {
        return v.findings().stream().map(f -> f.code().value()).collect(Collectors.toSet());
    }

    @Test
    void aDeceptiveLinkIsFlaggedAndTheCopyCarriesTheFinding() {
        Guard.Screening s = guard(Samples.unlimited()).screen(invitation(
                "DESCRIPTION:Join here: https://zoom.us@203.0.113.9/j/1 or https://meet.google.com/abc-defg-hij",
                "X-INBOXGUARD-FINDING:forged by the sender"), ALICE, BOB);
        assertEquals(Action.FLAG, s.verdict().action(), s.verdict().toString());
        assertEquals(Set.of("content.suspicious-url"), codes(s.verdict()));
        assertEquals(1, s.verdict().findings().size(), "the Meet link is clean");
        String copy = new String(s.inboxCopy().orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(copy.contains("X-INBOXGUARD-FINDING;X-INBOXGUARD-CODE=content.suspicious-url:"), copy);
        assertFalse(copy.contains("forged by the sender"), "a sender cannot write the guard's annotations");
    }

    @Test
    void alarmsAreRemovedFromTheDeliveredCopy() {
        byte[] withAlarms = invitation("BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:soon",
                "END:VALARM", "BEGIN:VALARM", "ACTION:EMAIL", "TRIGGER:-PT1H", "SUMMARY:x", "DESCRIPTION:x",
                "ATTENDEE:mailto:victim@example.net", "END:VALARM", "BEGIN:VALARM", "ACTION:AUDIO",
                "TRIGGER:-PT5M", "ATTACH:https://evil.example/sound.exe", "END:VALARM");
        Guard.Screening strip = guard(Samples.unlimited()).screen(withAlarms, ALICE, BOB);
        assertEquals(Action.DELIVER, strip.verdict().action(), strip.verdict().toString());
        assertEquals(Set.of("content.alarm-removed"), codes(strip.verdict()));
        assertTrue(strip.verdict().findings().get(0).message().contains("3 alarms removed"));
        String copy = new String(strip.inboxCopy().orElseThrow(), StandardCharsets.UTF_8);
        assertFalse(copy.contains("BEGIN:VALARM"), copy);
        assertTrue(copy.contains("SUMMARY:Quarterly sync"));

        GuardConfig base = Samples.unlimited();
        GuardConfig keepDisplay = new GuardConfig(base.limits(), base.structure(), base.recurrence(), base.identity(),
                base.replies(), new GuardConfig.Content(base.content().riskySchemes(), List.of(), "",
                "keep-display"), base.senders(), base.rates(), base.imip(), base.checks(), base.policy(), List.of(), null, null, null);
        Guard.Screening keep = guard(keepDisplay).screen(withAlarms, ALICE, BOB);
        String kept = new String(keep.inboxCopy().orElseThrow(), StandardCharsets.UTF_8);
        assertEquals(1, kept.split("BEGIN:VALARM", -1).length - 1, kept);
        assertTrue(kept.contains("ACTION:DISPLAY"));
        assertTrue(keep.verdict().findings().get(0).message().contains("2 alarms removed (EMAIL, AUDIO)"));
    }

    @Test
    void aRejectedMessageHasNoCopy() {
        Guard.Screening s = guard(Samples.unlimited()).screen("nonsense".getBytes(StandardCharsets.UTF_8), ALICE, BOB);
        assertEquals(Action.REJECT, s.verdict().action());
        assertEquals(Optional.empty(), s.inboxCopy());
    }

    private static ImipDelivery mailFrom(String sender) {
        CalendarUserAddress a = CalendarUserAddress.of(sender);
        return new ImipDelivery(Optional.of(a), Optional.of(a), Optional.empty(), List.of(), Optional.empty(),
                Set.of(a.domain().orElseThrow()), List.of());
    }

    private static byte[] from(String organizer) {
        return Samples.event("REQUEST", "UID:u-" + organizer, "DTSTAMP:20261120T100000Z", "DTSTART:20261201T100000Z",
                "SUMMARY:Free crypto", "ORGANIZER:mailto:" + organizer, "ATTENDEE:mailto:bob@example.com");
    }

    private static GuardConfig senders(String policy, Map<String, String> recipients, List<String> allow) {
        GuardConfig b = Samples.unlimited();
        return new GuardConfig(b.limits(), b.structure(), b.recurrence(), b.identity(), b.replies(), b.content(),
                new GuardConfig.Senders(policy, recipients, Map.of(), allow), b.rates(), b.imip(), b.checks(),
                b.policy(), List.of(), null, null, null);
    }

    @Test
    void unknownSendersFollowTheRecipientsSetting() {
        Guard known = guard(senders("known", Map.of(), List.of("@partner.example")));
        Verdict stranger = known.inspect(from("spam@stranger.example"), mailFrom("spam@stranger.example"), BOB);
        assertEquals(Action.HOLD, stranger.action());
        assertEquals(Set.of("sender.unknown"), codes(stranger));
        assertEquals(Action.DELIVER, known.inspect(from("carol@example.com"), mailFrom("carol@example.com"), BOB)
                .action(), "the recipient's own domain is known");
        assertEquals(Action.DELIVER, known.inspect(from("pm@partner.example"), mailFrom("pm@partner.example"), BOB)
                .action(), "the allow list");
        TestRecipient knowsEveryone = TestRecipient.of("bob@example.com", Clock.systemUTC());
        assertEquals(Action.DELIVER, known.inspect(from("spam@stranger.example"), mailFrom("spam@stranger.example"),
                knowsEveryone).action(), "someone the recipient has scheduled with");

        Guard everyone = guard(senders("everyone", Map.of(), List.of()));
        Verdict first = everyone.inspect(from("spam@stranger.example"), mailFrom("spam@stranger.example"), BOB);
        assertEquals(Action.FLAG, first.action(), "everyone: a stranger's first invitation arrives, flagged");
        assertEquals("info", first.findings().get(0).severity().id());
        assertEquals(Action.DELIVER, everyone.inspect(from("carol@example.com"), mailFrom("carol@example.com"), BOB)
                .action(), "a known sender is not flagged");
        Guard never = guard(senders("everyone", Map.of("mailto:bob@example.com", "never"), List.of()));
        Verdict v = never.inspect(from("carol@example.com"), mailFrom("carol@example.com"), BOB);
        assertEquals(Set.of("sender.unknown"), codes(v), "bob's own setting: never add automatically");
    }

    @Test
    void forgedAnnotationsAreStrippedAtEveryDepth() {
        GuardConfig b = Samples.unlimited();
        GuardConfig keep = new GuardConfig(b.limits(), b.structure(), b.recurrence(), b.identity(), b.replies(),
                new GuardConfig.Content(b.content().riskySchemes(), List.of(), "", "keep"), b.senders(), b.rates(),
                b.imip(), b.checks(), b.policy(), List.of(), null, null, null);
        Guard.Screening s = guard(keep).screen(invitation("BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M",
                "DESCRIPTION:soon", "X-INBOXGUARD-FINDING:all clear, says the sender", "END:VALARM"), ALICE, BOB);
        String copy = new String(s.inboxCopy().orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(copy.contains("BEGIN:VALARM"), copy);
        assertFalse(copy.contains("all clear"), copy);
    }
}
