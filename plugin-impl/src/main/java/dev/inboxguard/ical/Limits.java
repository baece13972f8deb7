package dev.inboxguard.ical;

/**
 * Size limits for everything the guard reads. They are enforced while reading, before ical4j or mime4j build
 * anything large in memory. Defaults and the reasons for them are in {@code docs/policy.md}.
 *
 * @param maxBytes                  one iCalendar object, in bytes
 * @param maxMessageBytes           one e-mail, in bytes, attachments included
 * @param maxLineLength             one content line after unfolding, in characters
 * @param maxComponents             components in one object, VCALENDAR included
 * @param maxProperties             properties in one object
 * @param maxPropertiesPerComponent properties in one component
 * @param maxAttendees              ATTENDEE properties in one component
 * @param maxNestingDepth           component nesting, VCALENDAR counting as 1
 * @param maxMimeParts              body parts in one e-mail
 * @param maxHeaderLength           one e-mail header field, in characters
 */
public record Limits(int maxBytes, int maxMessageBytes, int maxLineLength, int maxComponents, int maxProperties,
                     int maxPropertiesPerComponent, int maxAttendees, int maxNestingDepth, int maxMimeParts,
                     int maxHeaderLength) {

    /** Every limit must be positive: a zero or negative limit is a configuration mistake, not "unlimited". */
    public Limits {
        positive("maxBytes", maxBytes);
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxLineLength", maxLineLength);
        positive("maxComponents", maxComponents);
        positive("maxProperties", maxProperties);
        positive("maxPropertiesPerComponent", maxPropertiesPerComponent);
        positive("maxAttendees", maxAttendees);
        positive("maxNestingDepth", maxNestingDepth);
        positive("maxMimeParts", maxMimeParts);
        positive("maxHeaderLength", maxHeaderLength);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("limits." + name + " must be positive, got " + value);
        }
    }
}
