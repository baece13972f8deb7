package dev.inboxguard.checks.recurrence;

import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What an RRULE says on its face, read without evaluating it: frequency, interval, COUNT, UNTIL and how many values
 * each BYxxx part lists. From these the check bounds how much work and how many instances one period of the rule can
 * produce, before anything is expanded.
 *
 * @param frequency the FREQ
 * @param interval  the INTERVAL (1 if absent)
 * @param count     the COUNT, if any
 * @param until     the UNTIL value as written, if any
 * @param parts     the number of values in each BYxxx part present
 * @param text      the rule as written
 */
record RuleShape(Frequency frequency, int interval, Optional<Long> count, Optional<String> until,
                 Map<Part, Integer> parts, String text) {

    /** RRULE frequencies, finest first. */
    enum Frequency {
        SECONDLY(ChronoUnit.SECONDS, "second"),
        MINUTELY(ChronoUnit.MINUTES, "minute"),
        HOURLY(ChronoUnit.HOURS, "hour"),
        DAILY(ChronoUnit.DAYS, "day"),
        WEEKLY(ChronoUnit.WEEKS, "week"),
        MONTHLY(ChronoUnit.MONTHS, "month"),
        YEARLY(ChronoUnit.YEARS, "year");

        final ChronoUnit unit;
        final String noun;

        Frequency(ChronoUnit unit, String noun) {
            this.unit = unit;
            this.noun = noun;
        }

        boolean isHigh() {
            return compareTo(HOURLY) <= 0;
        }
    }

    /** The BYxxx rule parts. */
    enum Part {
        BYSECOND, BYMINUTE, BYHOUR, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS
    }

    /**
     * @param text an RRULE value
     * @return its shape, or empty if it has no valid FREQ, INTERVAL or COUNT
     */
    static Optional<RuleShape> parse(String text) {
        Frequency frequency = null;
        int interval = 1;
        Long count = null;
        String until = null;
        Map<Part, Integer> parts = new EnumMap<>(Part.class);
        for (String piece : text.split(";")) {
            int eq = piece.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = piece.substring(0, eq).strip().toUpperCase(Locale.ROOT);
            String value = piece.substring(eq + 1).strip();
            try {
                switch (name) {
                    case "FREQ" -> frequency = Frequency.valueOf(value.toUpperCase(Locale.ROOT));
                    case "INTERVAL" -> interval = Integer.parseInt(value);
                    case "COUNT" -> count = Long.parseLong(value);
                    case "UNTIL" -> until = value;
                    default -> {
                        try {
                            parts.put(Part.valueOf(name), value.isEmpty() ? 0 : value.split(",").length);
                        } catch (IllegalArgumentException e) {
                            // WKST, RSCALE, SKIP and unknown parts do not change the shape
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (frequency == null || interval < 1 || (count != null && count < 1)) {
            return Optional.empty();
        }
        return Optional.of(new RuleShape(frequency, interval, Optional.ofNullable(count), Optional.ofNullable(until),
                Map.copyOf(parts), text));
    }

    /** @return true if the rule neither counts nor ends */
    boolean isForever() {
        return count.isEmpty() && until.isEmpty();
    }

    private int size(Part part) {
        return parts.getOrDefault(part, 0);
    }

    private boolean has(Part part) {
        return size(part) > 0;
    }

    /**
     * An upper bound of the candidate instances one period (one year of a YEARLY rule, one day of a DAILY one...)
     * produces before limiting parts and BYSETPOS filter them. ical4j builds all of them, so this bounds its work.
     *
     * @return the bound
     */
    long candidatesPerPeriod() {
        long days;
        int daysInPeriod = switch (frequency) {
            case YEARLY -> 366;
            case MONTHLY -> 31;
            case WEEKLY -> 7;
            default -> 1;
        };
        if (frequency == Frequency.YEARLY && has(Part.BYYEARDAY)) {
            days = size(Part.BYYEARDAY);
        } else if ((frequency == Frequency.YEARLY || frequency == Frequency.MONTHLY) && has(Part.BYMONTHDAY)) {
            days = (long) size(Part.BYMONTHDAY) * (frequency == Frequency.YEARLY ? Math.max(1, size(Part.BYMONTH))
                    * (has(Part.BYMONTH) ? 1 : 12) : 1);
        } else if (frequency == Frequency.YEARLY && has(Part.BYWEEKNO)) {
            days = size(Part.BYWEEKNO) * 7L;
        } else if (has(Part.BYDAY) && (frequency == Frequency.YEARLY || frequency == Frequency.MONTHLY
                || frequency == Frequency.WEEKLY)) {
            long perWeekday = switch (frequency) {
                case YEARLY -> has(Part.BYMONTH) ? 5L * size(Part.BYMONTH) : 53;
                case MONTHLY -> 5;
                default -> 1;
            };
            days = size(Part.BYDAY) * perWeekday;
        } else if (frequency == Frequency.YEARLY && has(Part.BYMONTH)) {
            days = size(Part.BYMONTH);
        } else {
            days = 1;
        }
        days = Math.min(days, daysInPeriod);
        long times = 1;
        if (frequency.compareTo(Frequency.HOURLY) > 0) {
            times *= Math.max(1, size(Part.BYHOUR));
        }
        if (frequency.compareTo(Frequency.MINUTELY) > 0) {
            times *= Math.max(1, size(Part.BYMINUTE));
        }
        if (frequency.compareTo(Frequency.SECONDLY) > 0) {
            times *= Math.max(1, size(Part.BYSECOND));
        }
        return days * times;
    }

    /** @return "every minute", "every 2 weeks" */
    String every() {
        return interval == 1 ? "every " + frequency.noun : "every " + interval + " " + frequency.noun + "s";
    }

    /** @return ", forever", ", 5,000 times" or ", until 20991231" */
    String extent() {
        if (count.isPresent()) {
            return String.format(Locale.ROOT, ", %,d times", count.get());
        }
        return until.map(u -> ", until " + u).orElse(", forever");
    }
}
