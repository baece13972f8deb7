package dev.inboxguard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ReplyRoute;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.identity.CalendarUserDirectory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SentByReplyRouterTest {
    static final CalendarUserAddress BOSS = CalendarUserAddress.of("boss@example.com");
    static final CalendarUserAddress ASSISTANT = CalendarUserAddress.of("assistant@example.com");

    /** The assistant may act for everyone at example.com. */
    static final CalendarUserDirectory TRUSTING = new CalendarUserDirectory(List.of(),
            List.of(new GuardConfig.Proxy("assistant@example.com", List.of("@example.com"))));

    private static List<CalendarUserAddress> route(GuardConfig.Replies settings, CalendarUserAddress organizer,
                                                   CalendarUserAddress sentBy) {
        return new SentByReplyRouter(settings, TRUSTING).route(organizer, Optional.ofNullable(sentBy)).deliverTo();
    }

    @Test
    void theDefaultIsTheOrganizerAsRfc5546Says() {
        GuardConfig.Replies defaults = new GuardConfig.Replies("organizer", Map.of(), Map.of());
        assertEquals(List.of(BOSS), route(defaults, BOSS, ASSISTANT));
        assertEquals(List.of(BOSS), route(defaults, BOSS, null));
    }

    @Test
    void eachSettingRoutesAsNamed() {
        assertEquals(List.of(ASSISTANT), route(new GuardConfig.Replies("sent-by", Map.of(), Map.of()), BOSS,
                ASSISTANT));
        assertEquals(List.of(BOSS, ASSISTANT), route(new GuardConfig.Replies("both", Map.of(), Map.of()), BOSS,
                ASSISTANT));
        assertEquals(List.of(BOSS), route(new GuardConfig.Replies("sent-by", Map.of(), Map.of()), BOSS, BOSS),
                "a SENT-BY that is the organizer itself changes nothing");
    }

    @Test
    void aUserSettingBeatsItsDomainWhichBeatsTheDefault() {
        GuardConfig.Replies settings = new GuardConfig.Replies("organizer", Map.of("example.com", "both"),
                Map.of("MAILTO:boss@EXAMPLE.com", "sent-by"));
        assertEquals(List.of(ASSISTANT), route(settings, BOSS, ASSISTANT));
        CalendarUserAddress other = CalendarUserAddress.of("cfo@example.com");
        assertEquals(List.of(other, ASSISTANT), route(settings, other, ASSISTANT));
        CalendarUserAddress elsewhere = CalendarUserAddress.of("ceo@example.org");
        assertEquals(List.of(elsewhere), route(settings, elsewhere, ASSISTANT));
        ReplyRoute untrusted = new SentByReplyRouter(new GuardConfig.Replies("both", Map.of(), Map.of()),
                CalendarUserDirectory.empty()).route(BOSS, Optional.of(ASSISTANT));
        assertEquals(List.of(BOSS), untrusted.deliverTo(), "replies go to a SENT-BY only if it is trusted");
        ReplyRoute why = new SentByReplyRouter(settings, TRUSTING).route(BOSS, Optional.of(ASSISTANT));
        assertTrue(why.reason().contains("replies.users"), why.reason());
    }

    @Test
    void badSettingsAreConfigurationErrors() {
        for (GuardConfig.Replies bad : List.of(new GuardConfig.Replies("assistant", Map.of(), Map.of()),
                new GuardConfig.Replies("organizer", Map.of("example.com", "everyone"), Map.of()),
                new GuardConfig.Replies("organizer", Map.of(), Map.of("not an address", "both")))) {
            assertThrows(ConfigException.class, () -> new SentByReplyRouter(bad, CalendarUserDirectory.empty()));
        }
    }

    @Test
    void anInboundReplyToATrustedSentByReachesTheOrganizer() {
        CalendarUserDirectory trusting = new CalendarUserDirectory(List.of(),
                List.of(new GuardConfig.Proxy("assistant@example.com", List.of("boss@example.com"))));
        SentByReplyRouter router = new SentByReplyRouter(new GuardConfig.Replies("organizer", Map.of(), Map.of()),
                trusting);
        assertEquals(List.of(BOSS), router.routeInbound(ASSISTANT, BOSS, Optional.of(ASSISTANT)).deliverTo());
        SentByReplyRouter both = new SentByReplyRouter(new GuardConfig.Replies("both", Map.of(), Map.of()), trusting);
        assertEquals(List.of(BOSS, ASSISTANT), both.routeInbound(ASSISTANT, BOSS, Optional.of(ASSISTANT))
                .deliverTo());
        SentByReplyRouter untrusting = new SentByReplyRouter(new GuardConfig.Replies("organizer", Map.of(),
                Map.of()), CalendarUserDirectory.empty());
        assertEquals(List.of(ASSISTANT), untrusting.routeInbound(ASSISTANT, BOSS, Optional.of(ASSISTANT))
                .deliverTo());
        assertEquals(List.of(BOSS), untrusting.routeInbound(BOSS, BOSS, Optional.of(ASSISTANT)).deliverTo());
    }
}
