package dev.inboxguard.checks.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkRiskTest {
    private static final LinkRisk RISK = new LinkRisk(Set.of("javascript", "vbscript", "data", "file", "blob",
            "filesystem", "about"), Set.of("evil-meetings.example"));

    private static List<String> reasons(String url) {
        return RISK.reasons(new Link(url, "DESCRIPTION", Optional.empty()));
    }

    private static List<String> reasons(String href, String shown) {
        return RISK.reasons(new Link(href, "X-ALT-DESC", Optional.of(shown)));
    }

    @Test
    void realMeetingLinksPassClean() {
        for (String url : List.of(
                "https://us02web.zoom.us/j/81234567890?pwd=dGVzdHBhc3N3b3Jk",
                "https://zoom.us/j/81234567890",
                "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjE2ZDk1ODQt%40thread.v2/0?context=%7b%22Tid"
                        + "%22%3a%2272f988bf%22%7d",
                "https://meet.google.com/abc-defg-hij",
                "https://meet.google.com/abc-defg-hij?authuser=0&hs=122",
                "https://webex.com/meet/alice",
                "https://www.example.com/agenda.pdf",
                "www.example.org/room-4",
                "https://münchen.de/termine",
                "https://xn--mnchen-3ya.de/termine",
                "mailto:alice@example.com",
                "tel:+49301234567",
                "cid:agenda@example.com")) {
            assertEquals(List.of(), reasons(url), url);
        }
        assertEquals(List.of(), reasons("https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"));
        assertEquals(List.of(), reasons("https://www.example.com/join", "Join the meeting"));
    }

    @Test
    void riskySchemesAreFlagged() {
        for (String url : List.of("javascript:alert(document.cookie)", "JavaScript:void(0)",
                "data:text/html;base64,PHNjcmlwdD4=", "file:///C:/Windows/system32/calc.exe",
                "vbscript:msgbox(1)")) {
            List<String> why = reasons(url);
            assertEquals(1, why.size(), url);
            assertTrue(why.get(0).contains("scheme"), why.toString());
        }
    }

    @Test
    void ipAddressHostsInAnySpellingAreFlagged() {
        for (String url : List.of("http://192.168.10.5/login", "https://203.0.113.7:8443/zoom", "http://3232235521/",
                "http://0x7f.0x0.0x0.0x1/", "http://[2001:db8::1]/meeting", "http://0177.0.0.1/")) {
            assertTrue(reasons(url).stream().anyMatch(r -> r.contains("IP address")), url + " " + reasons(url));
        }
    }

    @Test
    void userinfoThatDisguisesTheHostIsFlagged() {
        List<String> why = reasons("https://zoom.us@evil.example/j/123");
        assertTrue(why.stream().anyMatch(r -> r.contains("evil.example")), why.toString());
    }

    @Test
    void homographHostsAreFlagged() {
        // Cyrillic letters that look like Latin: "аpple" (mixed) and "аррӏе" (whole-script confusable)
        for (String u : List.of("https://аpple.com/login", "https://аррӏе.com/",
                "https://xn--pple-43d.com/", "https://pаypal.com/", "https://gооgle.com/")) {
            assertTrue(reasons(u).stream().anyMatch(r -> r.contains("imitates") || r.contains("mixes")),
                    u + " " + reasons(u));
        }
    }

    @Test
    void htmlLinksThatShowAnotherHostAreFlagged() {
        List<String> why = reasons("https://evil.example/login", "https://www.mybank.example.com/secure");
        assertTrue(why.stream().anyMatch(r -> r.contains("shows www.mybank.example.com")), why.toString());
        assertEquals(List.of(), reasons("https://secure.mybank.example.com/x", "mybank.example.com"));
    }

    @Test
    void blocklistedDomainsAndTheirSubdomainsAreFlagged() {
        assertTrue(reasons("https://join.evil-meetings.example/r/1").get(0).contains("blocklist"));
        assertEquals(List.of(), reasons("https://not-evil-meetings.example/"));
    }

    @Test
    void linksAreFoundInTextAndHtml() {
        List<Link> out = new ArrayList<>();
        LinkExtractor.extract("DESCRIPTION", "Join: https://meet.google.com/abc-defg-hij.\nDial-in or "
                + "www.example.org/dial (javascript:alert(1))", out);
        LinkExtractor.extract("X-ALT-DESC", "<p>Join <a class=\"btn\" href=\"https://evil.example/?a=1&amp;b=2\">"
                + "https://<b>zoom.us</b>/j/1</a> <abbr title=x>ok</abbr></p>", out);
        LinkExtractor.extract("URL", " https://example.com/event ", out);
        List<String> urls = out.stream().map(Link::url).toList();
        assertTrue(urls.contains("https://meet.google.com/abc-defg-hij"), urls.toString());
        assertTrue(urls.contains("www.example.org/dial"), urls.toString());
        assertTrue(urls.contains("javascript:alert(1"), urls.toString());
        assertTrue(urls.contains("https://evil.example/?a=1&b=2"), urls.toString());
        assertTrue(urls.contains("https://example.com/event"), urls.toString());
        Link anchor = out.stream().filter(l -> l.shown().isPresent()).findFirst().orElseThrow();
        assertEquals("https:// zoom.us /j/1", anchor.shown().get().replaceAll("\\s+", " "));
    }

    @Test
    void extractionIsBounded() {
        List<Link> out = new ArrayList<>();
        LinkExtractor.extract("DESCRIPTION", "https://a.example/ ".repeat(10_000), out);
        assertTrue(out.size() <= LinkExtractor.MAX_LINKS);
        List<Link> html = new ArrayList<>();
        LinkExtractor.extract("X-ALT-DESC", "<a href=".repeat(50_000), html);
        assertTrue(html.size() <= LinkExtractor.MAX_LINKS);
    }
}
