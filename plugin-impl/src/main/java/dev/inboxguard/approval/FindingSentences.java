package dev.inboxguard.approval;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A finding as a sentence a person reads: the finding codes are for scripts and policies; the approval page says
 * what each means for the reader. The guard's own message follows where it adds detail.
 */
final class FindingSentences {
    private FindingSentences() {
    }

    /** @param finding one finding of a verdict's JSON */
    static String sentence(JsonNode finding) {
        String code = finding.path("code").asText("");
        String value = plain(finding.path("value").asText(""));
        String message = finding.path("message").asText("");
        String who = value.isEmpty() ? "the sender" : value;
        String sentence = switch (code) {
            case "party-crash" -> who + " answered as a guest, but was never invited.";
            case "sender.unknown" -> message.contains("adds no invitation automatically")
                    ? "Your settings say invitations wait for you, whoever sends them."
                    : "You have not had an invitation from " + who + " before.";
            case "sender.blocked" -> who + " is on your block list.";
            case "sender.unauthenticated" -> "The e-mail could not be proven to come from "
                    + (value.isEmpty() ? "its sender" : value) + ": no DKIM signature or SPF check passed for its "
                    + "domain.";
            case "sender.not-organizer" -> "It changes the event, but was not sent by the event's organizer.";
            case "sender.not-attendee" -> "It answers for a guest, but was not sent by that guest.";
            case "sender.sent-by-unauthorized" -> "It was sent on someone's behalf by " + who
                    + ", who is not known to act for them.";
            case "content.suspicious-url" -> "A link in it looks risky" + (message.isEmpty() ? "." : ": " + message
                    + ".");
            case "content.callback-scam" -> "It asks you to call a phone number about a payment, invoice or refund: "
                    + "a common scam.";
            case "content.alarm-removed" -> "Its reminders were removed: a sender's reminders could run programs or "
                    + "send mail.";
            case "message.conflicting-parts" -> "The e-mail carries two different versions of the event.";
            case "delegation.inconsistent" -> "Its delegation (who passed the invitation to whom) does not add up.";
            case "event.unknown" -> "It refers to an event you do not have.";
            case "event.stale" -> "It is older than the version you already have.";
            case "organizer.changed" -> "It would change who organizes an event you already have.";
            case "refresh.not-attendee" -> "Someone who is not a guest asked for the event's details.";
            case "rate.limited" -> "The sender sent more than the allowed number of messages.";
            case "limits.size" -> "It is larger than this server accepts.";
            case "timezone.abusive" -> "Its time zone definition is built to overload calendar programs.";
            case "malformed" -> "It is not a well-formed calendar message.";
            default -> code.startsWith("recurrence.") ? "Its repetition is abusive: " + message + "."
                    : message.isEmpty() ? code : message + ".";
        };
        return dev.inboxguard.calendar.EventDescription.visible(sentence);
    }

    /** @return an address without its {@code mailto:} */
    static String plain(String address) {
        return address.regionMatches(true, 0, "mailto:", 0, 7) ? address.substring(7) : address;
    }
}
