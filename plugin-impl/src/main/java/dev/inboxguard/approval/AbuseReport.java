package dev.inboxguard.approval;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.scheduling.Provenance;
import dev.inboxguard.storage.PreferenceStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A spam report as an RFC 5965 abuse report (ARF), for the operator to send to the sender's provider: a
 * {@code multipart/report} with a human-readable part, a {@code message/feedback-report} part, and the reported
 * message. The original e-mail is not kept, so the third part is rebuilt from what the server kept: the headers
 * it recorded and the calendar object as it reached the user. The first part says so.
 */
final class AbuseReport {
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private AbuseReport() {
    }

    static byte[] write(PreferenceStore.SpamReport r, String hostname) {
        Optional<Provenance> p = Provenance.parse(r.provenance());
        String host = header(hostname.isEmpty() ? "localhost" : hostname);
        String sender = header(r.sender().regionMatches(true, 0, "mailto:", 0, 7) ? r.sender().substring(7)
                : r.sender());
        String boundary = "arf-" + HexFormat.of().formatHex(r.id().getBytes(StandardCharsets.US_ASCII), 0,
                Math.min(16, r.id().length()));
        String date = DATE.format(Instant.ofEpochMilli(r.reported()));
        String arrived = DATE.format(Instant.ofEpochMilli(r.arrived()));
        StringBuilder b = new StringBuilder();
        b.append("From: InboxGuard <postmaster@").append(host).append(">\r\n");
        b.append("Subject: Abuse report: calendar spam from ").append(sender).append("\r\n");
        b.append("Date: ").append(date).append("\r\n");
        b.append("Message-ID: <spam-report-").append(r.id()).append('@').append(host).append(">\r\n");
        b.append("MIME-Version: 1.0\r\n");
        b.append("Content-Type: multipart/report; report-type=feedback-report; boundary=\"").append(boundary)
                .append("\"\r\n\r\n");
        b.append("--").append(boundary).append("\r\n");
        b.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        b.append("A user of ").append(host).append(" reported a calendar invitation from ").append(sender)
                .append(" as spam on ").append(date).append(".\r\n");
        b.append("The original e-mail is not kept. The attached message is the calendar object as it reached\r\n");
        b.append("the user, with the headers the server recorded when it arrived.\r\n\r\n");
        b.append("--").append(boundary).append("\r\n");
        b.append("Content-Type: message/feedback-report\r\n\r\n");
        b.append("Feedback-Type: abuse\r\n");
        b.append("User-Agent: InboxGuard/1\r\n");
        b.append("Version: 1\r\n");
        p.map(Provenance::envelopeSender).filter(s -> !s.isEmpty())
                .ifPresent(s -> b.append("Original-Mail-From: <").append(header(s)).append(">\r\n"));
        b.append("Arrival-Date: ").append(arrived).append("\r\n");
        CalendarUserAddress.parse(r.sender()).flatMap(CalendarUserAddress::domain)
                .ifPresent(d -> b.append("Reported-Domain: ").append(header(d)).append("\r\n"));
        p.map(Provenance::authentication).filter(a -> !a.isEmpty()).ifPresent(a -> b
                .append("Authentication-Results: ").append(host).append("; ")
                .append(header(String.join("; ", a))).append("\r\n"));
        b.append("\r\n--").append(boundary).append("\r\n");
        b.append("Content-Type: message/rfc822\r\n\r\n");
        p.map(Provenance::from).filter(s -> !s.isEmpty())
                .ifPresent(s -> b.append("From: <").append(header(s)).append(">\r\n"));
        p.map(Provenance::messageId).filter(s -> !s.isEmpty())
                .ifPresent(s -> b.append("Message-ID: ").append(header(s)).append("\r\n"));
        b.append("MIME-Version: 1.0\r\n");
        b.append("Content-Type: text/calendar; charset=utf-8\r\n");
        b.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        String calendar = new String(r.data(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\r", "\n")
                .replace("\n", "\r\n");
        // a line that is the boundary would end the part early; calendar lines never start with "--"
        b.append(calendar.replace("\r\n--", "\r\n -"));
        if (!calendar.endsWith("\r\n")) {
            b.append("\r\n");
        }
        b.append("--").append(boundary).append("--\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the text with line breaks and other control characters removed: a header value cannot be split */
    private static String header(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", "");
        return clean.length() > 500 ? clean.substring(0, 500) : clean;
    }
}
