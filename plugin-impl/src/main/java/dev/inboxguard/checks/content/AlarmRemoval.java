package dev.inboxguard.checks.content;

import java.util.Locale;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/** Which incoming VALARMs the delivered copy loses, as {@code content.alarms} says. */
public enum AlarmRemoval {
    /** Every alarm. */
    STRIP,
    /** Every alarm but DISPLAY: AUDIO, EMAIL, PROCEDURE and unknown actions. */
    KEEP_DISPLAY,
    /** None. */
    KEEP;

    /**
     * @param setting the configuration value: strip, keep-display or keep
     * @return the removal it names
     */
    public static AlarmRemoval of(String setting) {
        return valueOf(setting.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /**
     * @param alarm a VALARM
     * @return true if the delivered copy drops it
     */
    public boolean removes(Component alarm) {
        return switch (this) {
            case STRIP -> true;
            case KEEP -> false;
            case KEEP_DISPLAY -> !alarm.<Property>getProperty(Property.ACTION).map(Property::getValue)
                    .map(v -> v.strip().equalsIgnoreCase("DISPLAY")).orElse(false);
        };
    }
}
