package dev.inboxguard.imip;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.calendar.EventDescription;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.scheduling.OutgoingItip;
import dev.inboxguard.storage.ItemId;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The e-mail that carries an outgoing iTIP message (RFC 6047): multipart/alternative with a short text for people
 * and the {@code text/calendar} part, its {@code method} and {@code charset} set (§2.4).
 *
 * <p>Every header value built from calendar data (the summary, a CN) has its control characters replaced before
 * it is set, and addresses are parsed strictly, so a CR or LF in an event can never add or change a header.
 */
public final class ImipMail {
    private static final int SUBJECT_CHARS = 200;
    private static final Session SESSION = Session.getInstance(new Properties());

    private final CalendarReader reader;
    private final String hostname;

    /**
     * @param reader   reads the iTIP message for the readable part
     * @param hostname the right-hand side of Message-IDs
     */
    public ImipMail(CalendarReader reader, String hostname) {
        this.reader = reader;
        this.hostname = hostname;
    }

    /** The composed e-mail and its envelope. */
    public record Composed(String envelopeFrom, String envelopeTo, byte[] message) {
    }

    /**
     * @param itip the message
     * @param now  its Date
     * @return the e-mail, or empty if an address is not a mailbox (only {@code mailto:} addresses get mail)
     */
    public Optional<Composed> compose(OutgoingItip itip, Instant now) {
        Optional<InternetAddress> from = mailbox(itip.from());
        Optional<InternetAddress> to = mailbox(itip.to());
        if (from.isEmpty() || to.isEmpty()) {
            return Optional.empty();
        }
        Facts facts = facts(itip);
        try {
            MimeMessage m = new MimeMessage(SESSION);
            InternetAddress sender = new InternetAddress(from.get().getAddress());
            if (!facts.senderName.isEmpty()) {
                sender.setPersonal(facts.senderName, "UTF-8");
            }
            m.setFrom(sender);
            m.setRecipient(MimeMessage.RecipientType.TO, to.get());
            m.setSubject(subject(itip.method(), facts), "UTF-8");
            m.setSentDate(Date.from(now));

            MimeBodyPart text = new MimeBodyPart();
            text.setText(readable(itip, facts), "UTF-8", "plain");
            MimeBodyPart calendar = new MimeBodyPart();
            calendar.setContent(new String(itip.calendar(), StandardCharsets.UTF_8),
                    "text/calendar; charset=UTF-8; method=" + itip.method());
            // some clients treat the calendar part as the message only with this header (RFC 2183)
            calendar.setHeader("Content-Disposition", "inline; filename=invite.ics");
            MimeMultipart alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(text);
            alternative.addBodyPart(calendar);
            m.setContent(alternative);
            m.saveChanges();
            m.setHeader("Message-ID", "<" + ItemId.random() + "@" + hostname + ">");
            ByteArrayOutputStream out = new ByteArrayOutputStream(itip.calendar().length * 2 + 2048);
            m.writeTo(out);
            return Optional.of(new Composed(from.get().getAddress(), to.get().getAddress(), out.toByteArray()));
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot compose the iMIP message", e);
        }
    }


    /** @return the mailbox of a {@code mailto:} address, parsed strictly */
    static Optional<InternetAddress> mailbox(CalendarUserAddress address) {
        Optional<String> email = address.email();
        if (email.isEmpty() || email.get().chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return Optional.empty();
        }
        try {
            InternetAddress a = new InternetAddress(email.get(), true);
            return a.getAddress().contains("@") && a.getPersonal() == null ? Optional.of(a) : Optional.empty();
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    private record Facts(String summary, String start, String location, String senderName, String partstat) {
    }

    private Facts facts(OutgoingItip itip) {
        CalendarRead read = reader.read(itip.calendar());
        if (!(read instanceof CalendarRead.Parsed parsed)) {
            return new Facts("", "", "", "", "");
        }
        Calendar cal = parsed.calendar();
        for (CalendarComponent c : cal.<CalendarComponent>getComponents()) {
            if (!c.getName().equals(Component.VEVENT) && !c.getName().equals(Component.VTODO)) {
                continue;
            }
            String senderName = "";
            String partstat = "";
            if (itip.method().equals("REPLY")) {
                for (Property a : c.<Property>getProperties(Property.ATTENDEE)) {
                    if (CalendarUserAddress.parse(a.getValue()).filter(itip.from()::equals).isPresent()) {
                        senderName = param(a, Parameter.CN);
                        partstat = param(a, Parameter.PARTSTAT);
                    }
                }
            } else {
                senderName = c.getProperty(Property.ORGANIZER).map(o -> param((Property) o, Parameter.CN)).orElse("");
            }
            return new Facts(value(c, Property.SUMMARY), value(c, Property.DTSTART), value(c, Property.LOCATION),
                    oneLine(senderName, 80), partstat.toUpperCase(Locale.ROOT));
        }
        return new Facts("", "", "", "", "");
    }

    private static String value(CalendarComponent c, String name) {
        return c.getProperty(name).map(p -> ((Property) p).getValue()).orElse("");
    }

    private static String param(Property p, String name) {
        return p.getParameter(name).map(x -> ((Parameter) x).getValue()).orElse("");
    }

    static String subject(String method, Facts facts) {
        String what = facts.summary.isBlank() ? "(no title)" : facts.summary;
        String prefix = switch (method) {
            case "REQUEST" -> "Invitation: ";
            case "CANCEL" -> "Cancelled: ";
            case "REPLY" -> switch (facts.partstat) {
                case "ACCEPTED" -> "Accepted: ";
                case "DECLINED" -> "Declined: ";
                case "TENTATIVE" -> "Tentative: ";
                default -> "Reply: ";
            };
            case "COUNTER" -> "New time proposed: ";
            default -> "";
        };
        return oneLine(prefix + what, SUBJECT_CHARS);
    }

    /**
     * The text part, for a person whose mail program does not show invitations: what it is, when in words (in the
     * zone the organizer's calendar wrote the start in), where, who organizes it, and what the buttons of a calendar
     * program do with it.
     */
    private String readable(OutgoingItip itip, Facts facts) {
        EventDescription event = EventDescription.inItsOwnZone(reader, itip.calendar(), itip.method());
        String address = itip.from().email().orElse(itip.from().uri());
        String who = facts.senderName.isEmpty() ? address : facts.senderName + " (" + address + ")";
        String what = facts.summary.isBlank() ? "an event" : "\u201c" + oneLine(facts.summary, 200) + "\u201d";
        StringBuilder b = new StringBuilder();
        b.append(switch (itip.method()) {
            case "REQUEST" -> who + " invites you to " + what + ".";
            case "CANCEL" -> who + " has cancelled " + what + ".";
            case "REPLY" -> who + " has answered your invitation to " + what
                    + (EventDescription.answer(facts.partstat).isEmpty() ? ""
                    : ": " + EventDescription.answer(facts.partstat)) + ".";
            case "COUNTER" -> who + " proposes another time for " + what + ".";
            default -> who + " sends an update about " + what + ".";
        }).append("\n\n");
        line(b, "When", event.when());
        line(b, "Repeats", event.recurrence());
        line(b, "Where", oneLine(event.where(), 200));
        line(b, "Organizer", oneLine(event.organizer(), 200));
        if (itip.method().equals("REQUEST") && !event.guests().isEmpty()) {
            line(b, "Guests", String.join(", ", event.guests().stream().map(g -> oneLine(g, 120)).toList()));
        }
        b.append('\n').append(switch (itip.method()) {
            case "REQUEST" -> "Your calendar program shows this as an invitation. Accept, Maybe and Decline there "
                    + "send your answer to " + address + " and keep the event in your calendar; if you do nothing, "
                    + "nothing is sent.";
            case "CANCEL" -> "Your calendar program removes the event, or marks it cancelled, when it reads this "
                    + "message. Nothing is sent back.";
            case "REPLY" -> "Your calendar program records the answer in your event. Nothing is sent back.";
            case "COUNTER" -> "Your calendar program lets you accept the new time (everyone is sent the change) or "
                    + "decline it (only " + address + " is told).";
            default -> "Your calendar program applies this update to the event.";
        }).append("\n");
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        if (!value.isBlank()) {
            b.append(label).append(':').append(" ".repeat(Math.max(1, 10 - label.length()))).append(value)
                    .append('\n');
        }
    }

    /** Control characters (CR and LF among them) become spaces; the result is one bounded line. */
    public static String oneLine(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return b.toString().strip();
    }
}
