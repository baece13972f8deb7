package dev.inboxguard.checks.recurrence;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.checks.recurrence.SeriesExpansion.Instance;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * Measures what a recurring series would do to a calendar, within bounded time and memory, and what the message's
 * own VTIMEZONEs would do to the server.
 *
 * <p>First the shape of each rule, read without expanding it: a high-frequency rule with no end, a COUNT, RDATEs
 * and overrides over their limits, and BYxxx lists whose product would make one period expensive. Only a rule that
 * passes is expanded, lazily, in wall-clock time, over a window of {@code horizonDays}, stopping one instance past
 * {@code maxInstances} or when the message's work budget ({@code maxSteps}) runs out. The budget counts work, not
 * time, so a verdict never depends on how busy the machine is. From the instances: the busiest day, self-overlap, and how
 * far ahead the series starts.
 */
public final class RecurrenceCheck implements Check {
    static final RequestStatus INVALID_RULE = new RequestStatus("3.6", "Invalid rule");
    static final RequestStatus TOO_LARGE = new RequestStatus("3.10", "Request entity too large");
    private static final int LOOKBACK_DAYS = 365;
    private static final int MAX_CHANGES_PER_YEAR = 4;
    private static final Set<String> KINDS = Set.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL);

    private final RecurrenceLimits limits;

    /** @param limits the limits */
    public RecurrenceCheck(RecurrenceLimits limits) {
        this.limits = limits;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        List<Finding> out = new ArrayList<>();
        LocalDateTime now = LocalDateTime.ofInstant(recipient.clock().instant(), ZoneOffset.UTC);
        WorkBudget budget = new WorkBudget(limits.maxSteps(), limits.safetyNet());
        for (CalendarComponent c : message.calendar().<CalendarComponent>getComponents()) {
            if (c.getName().equals(Component.VTIMEZONE)) {
                inspectTimezone(c, budget, out);
            }
        }
        for (Series series : series(message)) {
            if (budget.exhausted()) {
                break; // the series that spent the budget said so; one finding is enough for the message
            }
            inspectSeries(series, now, budget, out);
        }
        return out;
    }

    /** A master component and the overrides of its instances, grouped by UID. */
    private record Series(String uid, Optional<Component> master, List<Component> overrides) {
    }

    private static List<Series> series(SchedulingMessage message) {
        Map<String, Component> masters = new LinkedHashMap<>();
        Map<String, List<Component>> overrides = new LinkedHashMap<>();
        for (CalendarComponent c : message.calendar().<CalendarComponent>getComponents()) {
            if (!KINDS.contains(c.getName())) {
                continue;
            }
            String uid = value(c, Property.UID).orElse("");
            if (c.getProperty(Property.RECURRENCE_ID).isPresent()) {
                overrides.computeIfAbsent(uid, k -> new ArrayList<>()).add(c);
            } else {
                masters.putIfAbsent(uid, c);
            }
        }
        List<Series> out = new ArrayList<>();
        Set<String> uids = new HashSet<>(masters.keySet());
        uids.addAll(overrides.keySet());
        for (String uid : uids) {
            List<Component> changed = overrides.getOrDefault(uid, List.of());
            out.add(new Series(uid, Optional.ofNullable(masters.get(uid)), changed));
            // a changed instance that recurs itself is judged as a series of its own: clients differ in what they
            // make of it, and some expand it
            for (Component o : changed) {
                if (o.getProperty(Property.RRULE).isPresent() || o.getProperty(Property.RDATE).isPresent()) {
                    out.add(new Series(uid, Optional.of(o), List.of()));
                }
            }
        }
        return out;
    }

    private void inspectSeries(Series series, LocalDateTime now, WorkBudget budget, List<Finding> out) {
        if (series.overrides().size() > limits.maxOverrides()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_MANY, Severity.HIGH, String.format(Locale.ROOT,
                    "%,d changed instances (RECURRENCE-ID); the limit is %,d", series.overrides().size(),
                    limits.maxOverrides()), TOO_LARGE).about(Property.RECURRENCE_ID, null));
            return;
        }
        if (series.master().isEmpty()) {
            return; // only single instances: nothing recurs here
        }
        Component master = series.master().get();
        Optional<LocalMoment> start = moment(master, Property.DTSTART);
        if (start.isEmpty()) {
            return; // VTODO and VJOURNAL may lack DTSTART; without it nothing recurs
        }
        Duration duration = duration(master, start.get());
        List<RecurrenceRule> rules = new ArrayList<>();
        for (Property rrule : master.<Property>getProperties(Property.RRULE)) {
            Optional<RecurrenceRule> shape = RecurrenceRule.parse(rrule.getValue());
            if (shape.isEmpty()) {
                out.add(finding(FindingCode.MALFORMED, Severity.HIGH,
                        "the RRULE is not valid (RFC 5545 §3.3.10)", INVALID_RULE)
                        .about(Property.RRULE, rrule.getValue()));
                return;
            }
            if (start.get().date() && shape.get().frequency().isHigh()) {
                // RFC 5545 §3.3.10 gives an all-day (DATE) start no times of day to repeat by
                out.add(finding(FindingCode.MALFORMED, Severity.HIGH, "an all-day series cannot repeat "
                        + shape.get().every(), INVALID_RULE).about(Property.RRULE, rrule.getValue()));
                return;
            }
            if (!shapeAcceptable(shape.get(), duration, out)) {
                return;
            }
            rules.add(shape.get());
        }
        int rdateCount = 0;
        for (Property rdate : master.<Property>getProperties(Property.RDATE)) {
            rdateCount += rdate.getValue().split(",").length;
        }
        if (rdateCount > limits.maxRdates()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_MANY, Severity.HIGH, String.format(Locale.ROOT,
                    "%,d extra dates (RDATE); the limit is %,d", rdateCount, limits.maxRdates()), TOO_LARGE)
                    .about(Property.RDATE, null));
            return;
        }
        List<Instance> rdates = rdates(master, duration);
        if (rules.isEmpty() && rdates.isEmpty() && series.overrides().isEmpty()) {
            checkFarFuture(List.of(new Instance(start.get().time(), duration)), now, out);
            return;
        }
        String startForm = form(master.<Property>getProperty(Property.DTSTART).orElseThrow());
        int exdateCount = 0;
        for (Property exdate : master.<Property>getProperties(Property.EXDATE)) {
            exdateCount += exdate.getValue().split(",").length;
        }
        if (exdateCount > limits.maxRdates()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_MANY, Severity.HIGH, String.format(Locale.ROOT,
                    "%,d excluded dates (EXDATE); the limit is %,d", exdateCount, limits.maxRdates()), TOO_LARGE)
                    .about(Property.EXDATE, null));
            return;
        }
        Set<LocalDateTime> exdates = dates(master, Property.EXDATE, startForm);
        TreeMap<LocalDateTime, Instance> overrides = new TreeMap<>();
        List<Instance> extra = new ArrayList<>();
        for (Component o : series.overrides()) {
            Optional<Property> idProperty = o.getProperty(Property.RECURRENCE_ID);
            Optional<LocalMoment> id = idProperty.flatMap(LocalMoment::of);
            Optional<LocalMoment> moved = moment(o, Property.DTSTART);
            if (id.isPresent()) {
                LocalMoment at = moved.orElse(id.get());
                Instance instance = new Instance(at.time(), duration(o, at));
                // a RECURRENCE-ID replaces an instance only if it is written as DTSTART is: wall-clock digits in
                // another zone name another moment, and the replaced instance would still be there
                if (form(idProperty.get()).equals(startForm)) {
                    overrides.put(id.get().time(), instance);
                } else {
                    extra.add(instance);
                }
            }
        }
        rdates = new ArrayList<>(rdates);
        rdates.addAll(extra);
        LocalDateTime windowStart = max(start.get().time(), now.minusDays(LOOKBACK_DAYS));
        LocalDateTime windowEnd = max(windowStart, now).plusDays(limits.horizonDays());
        if (rdates.isEmpty() && overrides.isEmpty() && rules.size() == 1
                && cannotBreakALimit(rules.get(0), start.get(), duration, windowStart, windowEnd)) {
            try {
                firstInstance(rules.get(0), start.get(), duration, exdates, windowEnd, budget)
                        .ifPresent(first -> checkFarFuture(List.of(first), now, out));
            } catch (WorkBudget.Exhausted e) {
                out.add(finding(FindingCode.RECURRENCE_TOO_COSTLY, Severity.HIGH,
                        describe(rules.get(0), duration) + ": finding its first instance costs more than the work "
                        + "budget allows", INVALID_RULE).about(Property.RRULE, rules.get(0).text()));
            }
            return;
        }
        SeriesExpansion.Result result = SeriesExpansion.expand(start.get(), duration, rules, rdates, exdates,
                overrides, windowStart, windowEnd, limits.maxInstances(), budget);
        String description = rules.isEmpty() ? "this series" : describe(rules.get(0), duration);
        if (result.costly().isPresent()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_COSTLY, Severity.HIGH,
                    description + ": " + result.costly().get(), INVALID_RULE)
                    .about(Property.RRULE, rules.isEmpty() ? null : rules.get(0).text()));
        }
        if (result.truncated()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_MANY, Severity.HIGH, String.format(Locale.ROOT,
                    "more than %,d instances within %,d days: %s", limits.maxInstances(), limits.horizonDays(),
                    description), INVALID_RULE).about(Property.RRULE, rules.isEmpty() ? null : rules.get(0).text()));
        }
        checkDensity(result.instances(), description, rules, out);
        checkOverlap(result.instances(), description, rules, out);
        checkFarFuture(result.instances(), now, out);
    }

    /**
     * Most real series are this kind: at most one instance a day, none longer than a day. Such a rule cannot be too
     * dense, cannot overlap itself (its instances start at least a day apart), and within the window cannot produce
     * more instances than the window has days. When that bound is within the limits, nothing needs expanding.
     */
    private boolean cannotBreakALimit(RecurrenceRule rule, LocalMoment start, Duration duration,
                                      LocalDateTime windowStart, LocalDateTime windowEnd) {
        boolean oncePerDay = start.date() || (rule.byHour().size() <= 1 && rule.byMinute().size() <= 1
                && rule.bySecond().size() <= 1);
        return rule.frequency().compareTo(RecurrenceRule.Frequency.DAILY) >= 0 && oncePerDay
                && duration.compareTo(Duration.ofDays(1)) <= 0
                && ChronoUnit.DAYS.between(windowStart, windowEnd) + 1 <= limits.maxInstances();
    }

    /** DTSTART is the first instance (RFC 5545 §3.8.5.3) unless excluded; then the rule's first one left. */
    private static Optional<Instance> firstInstance(RecurrenceRule rule, LocalMoment start, Duration duration,
                                                   Set<LocalDateTime> exdates, LocalDateTime windowEnd,
                                                   WorkBudget budget) {
        if (!exdates.contains(start.time())) {
            return Optional.of(new Instance(start.time(), duration));
        }
        RuleIterator it = new RuleIterator(rule, start.time(), start.date(), start.time(), windowEnd, budget);
        for (int i = 0; i <= exdates.size() && it.hasNext(); i++) {
            LocalDateTime t = it.next();
            if (!exdates.contains(t)) {
                return Optional.of(new Instance(t, duration));
            }
        }
        return Optional.empty();
    }

    /** Findings from the rule's face; answers false if the rule must not be expanded. */
    private boolean shapeAcceptable(RecurrenceRule shape, Duration duration, List<Finding> out) {
        boolean expand = true;
        if (shape.frequency().isHigh() && shape.isForever()) {
            out.add(finding(FindingCode.RECURRENCE_UNBOUNDED, Severity.HIGH, describe(shape, duration),
                    INVALID_RULE).about(Property.RRULE, shape.text()));
        }
        if (shape.count().isPresent() && shape.count().get() > limits.maxCount()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_MANY, Severity.HIGH, describe(shape, duration)
                    + String.format(Locale.ROOT, "; the limit is %,d", limits.maxCount()), INVALID_RULE)
                    .about(Property.RRULE, shape.text()));
            expand = false;
        }
        if (shape.canNeverMatch()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_COSTLY, Severity.HIGH, "the rule names a day no month has ("
                    + "BYMONTH with BYMONTHDAY), so it can never produce an instance; searching for one costs "
                    + "without end", INVALID_RULE).about(Property.RRULE, shape.text()));
            expand = false;
        }
        long candidates = shape.candidatesPerPeriod();
        if (candidates > limits.maxCandidatesPerPeriod()) {
            out.add(finding(FindingCode.RECURRENCE_TOO_COSTLY, Severity.HIGH, String.format(Locale.ROOT,
                    "each %s of this rule has up to %,d candidate instances to build (BYxxx lists multiply); "
                            + "the limit is %,d", shape.frequency().noun, candidates,
                    limits.maxCandidatesPerPeriod()), INVALID_RULE).about(Property.RRULE, shape.text()));
            expand = false;
        }
        return expand;
    }

    private void checkDensity(List<Instance> instances, String description, List<RecurrenceRule> rules,
                              List<Finding> out) {
        // instances are in start order, so each day's instances are one run
        LocalDate busiest = null;
        int most = 0;
        LocalDate day = null;
        int run = 0;
        for (Instance i : instances) {
            LocalDate d = i.start().toLocalDate();
            run = d.equals(day) ? run + 1 : 1;
            day = d;
            if (run > most) {
                most = run;
                busiest = d;
            }
        }
        if (most > limits.maxInstancesPerDay()) {
            int week = busiestWeek(instances);
            String more = instances.size() > limits.maxInstances() ? "+" : "";
            out.add(finding(FindingCode.RECURRENCE_TOO_DENSE, Severity.HIGH, String.format(Locale.ROOT,
                    "%s: %,d%s instances on %s and %,d%s in its busiest week; the limit is %,d a day", description,
                    most, more, busiest, week, more, limits.maxInstancesPerDay()), INVALID_RULE)
                    .about(Property.RRULE, rules.isEmpty() ? null : rules.get(0).text()));
        }
    }

    private static int busiestWeek(List<Instance> instances) {
        int best = 0;
        int from = 0;
        for (int to = 0; to < instances.size(); to++) {
            LocalDateTime limit = instances.get(to).start().minusDays(7);
            while (!instances.get(from).start().isAfter(limit)) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    private void checkOverlap(List<Instance> instances, String description, List<RecurrenceRule> rules,
                              List<Finding> out) {
        int overlaps = 0;
        Duration smallestGap = null;
        for (int i = 0; i + 1 < instances.size(); i++) {
            Instance a = instances.get(i);
            Instance b = instances.get(i + 1);
            if (a.end().isAfter(b.start())) {
                overlaps++;
                Duration gap = Duration.between(a.start(), b.start());
                smallestGap = smallestGap == null || gap.compareTo(smallestGap) < 0 ? gap : smallestGap;
            }
        }
        if (overlaps > limits.maxOverlaps()) {
            out.add(finding(FindingCode.RECURRENCE_OVERLAPPING, Severity.MEDIUM, String.format(Locale.ROOT,
                    "%s: %,d%s instances overlap the next one (starts as little as %s apart)", description,
                    overlaps, instances.size() > limits.maxInstances() ? "+" : "", words(smallestGap)),
                    INVALID_RULE).about(Property.RRULE, rules.isEmpty() ? null : rules.get(0).text()));
        }
    }

    private void checkFarFuture(List<Instance> instances, LocalDateTime now, List<Finding> out) {
        if (instances.isEmpty()) {
            return;
        }
        LocalDateTime first = instances.get(0).start();
        long days = ChronoUnit.DAYS.between(now, first);
        if (days > limits.farFutureDays()) {
            out.add(Finding.of(FindingCode.RECURRENCE_FAR_FUTURE, Severity.MEDIUM, String.format(Locale.ROOT,
                    "the first instance is on %s, %,d days from now; anything over %,d days ahead is held as a "
                            + "possible sleeper", first.toLocalDate(), days, limits.farFutureDays()))
                    .about(Property.DTSTART, first.toString()));
        }
    }

    private void inspectTimezone(Component vtimezone, WorkBudget budget, List<Finding> out) {
        String tzid = value(vtimezone, Property.TZID).orElse("?");
        List<Component> observances = children(vtimezone);
        if (observances.size() > limits.maxTimezoneObservances()) {
            out.add(abusive(tzid, String.format(Locale.ROOT, "has %,d observances; the limit is %,d",
                    observances.size(), limits.maxTimezoneObservances()), null));
            return;
        }
        int rdates = 0;
        for (Component o : observances) {
            for (Property rdate : o.<Property>getProperties(Property.RDATE)) {
                rdates += rdate.getValue().split(",").length;
            }
            for (Property rrule : o.<Property>getProperties(Property.RRULE)) {
                Optional<String> dtstart = value(o, Property.DTSTART);
                Optional<RecurrenceRule> shape = RecurrenceRule.parse(rrule.getValue());
                if (shape.isEmpty()) {
                    out.add(abusive(tzid, "has an observance rule that cannot be read", rrule.getValue()));
                    return;
                }
                // real zones change offset on a yearly rule, once per observance per year
                if (shape.get().frequency() != RecurrenceRule.Frequency.YEARLY) {
                    out.add(abusive(tzid, "changes its offset " + shape.get().every()
                            + "; real time zones change at most a few times a year", rrule.getValue()));
                    return;
                }
                int changes;
                try {
                    changes = changesInOneYear(shape.get(), dtstart, budget);
                } catch (WorkBudget.Exhausted e) {
                    changes = Integer.MAX_VALUE; // a zone that costs that much work is abusive
                }
                if (changes > MAX_CHANGES_PER_YEAR) {
                    out.add(abusive(tzid, changes == Integer.MAX_VALUE
                            ? "has an observance rule too costly to evaluate; real zones change a few times a year"
                            : String.format(Locale.ROOT, "has an observance rule with %,d changes a year; real time "
                            + "zones change at most a few times a year", changes), rrule.getValue()));
                    return;
                }
            }
        }
        if (rdates > limits.maxTimezoneRdates()) {
            out.add(abusive(tzid, String.format(Locale.ROOT, "lists %,d transition dates (RDATE); the limit is %,d",
                    rdates, limits.maxTimezoneRdates()), null));
        }
    }

    /**
     * Counts one year of a yearly observance rule, with the same bounded iterator as events and within the
     * message's work budget. COUNT is set aside, so the iterator jumps straight to the year counted; it only ends
     * the rule, and a year's changes are the question. A sound zone costs a handful of steps, so nothing is cached:
     * a cache would make one message's cost depend on the messages before it.
     */
    private int changesInOneYear(RecurrenceRule rule, Optional<String> dtstart, WorkBudget budget) {
        if (rule.candidatesPerPeriod() > limits.maxCandidatesPerPeriod() || budget.exhausted()) {
            return Integer.MAX_VALUE;
        }
        LocalDateTime seed = dtstart.flatMap(LocalMoment::parse).map(LocalMoment::time)
                .orElse(LocalDateTime.of(1970, 1, 1, 0, 0));
        LocalDateTime from = max(seed, LocalDateTime.of(2000, 1, 1, 0, 0));
        RuleIterator year = new RuleIterator(rule.withoutCount(), seed, false, from,
                from.plusYears(1).minusSeconds(1), budget);
        int n = 0;
        while (year.hasNext() && n <= MAX_CHANGES_PER_YEAR) {
            year.next();
            n++;
        }
        return n;
    }

    private static Finding abusive(String tzid, String what, String rule) {
        return finding(FindingCode.TIMEZONE_ABUSIVE, Severity.HIGH, "the time zone \"" + abbreviate(tzid) + "\" "
                + what, INVALID_RULE).about(Property.TZID, rule == null ? tzid : rule);
    }

    static List<Instance> rdates(Component c, Duration duration) {
        List<Instance> out = new ArrayList<>();
        for (Property rdate : c.<Property>getProperties(Property.RDATE)) {
            for (String v : rdate.getValue().split(",")) {
                int slash = v.indexOf('/');
                Optional<LocalMoment> at = LocalMoment.parse(slash < 0 ? v : v.substring(0, slash));
                if (at.isEmpty()) {
                    continue;
                }
                Duration d = duration;
                if (slash >= 0) {
                    String rest = v.substring(slash + 1);
                    d = LocalMoment.parse(rest).map(end -> Duration.between(at.get().time(), end.time()))
                            .or(() -> LocalMoment.parseDuration(rest)).orElse(duration);
                }
                out.add(new Instance(at.get().time(), d.isNegative() ? Duration.ZERO : d));
            }
        }
        return out;
    }

    /**
     * EXDATE values that exclude something: only those written as DTSTART is (the same TZID, or both UTC, or both
     * floating, or both dates). The check counts in wall-clock time, and an EXDATE in another zone with the same
     * digits names another moment: clients would still show the instance.
     */
    static Set<LocalDateTime> dates(Component c, String name, String startForm) {
        Set<LocalDateTime> out = new HashSet<>();
        for (Property p : c.<Property>getProperties(name)) {
            if (form(p).equals(startForm)) {
                LocalMoment.all(p).forEach(m -> out.add(m.time()));
            }
        }
        return out;
    }

    /** How a date property is written: with a TZID, in UTC, floating, or as a DATE. */
    static String form(Property p) {
        Optional<String> tzid = p.getParameter(Parameter.TZID).map(Parameter::getValue);
        if (tzid.isPresent()) {
            return "TZID=" + tzid.get();
        }
        String first = p.getValue().split(",", 2)[0].strip();
        if (p.getParameter(Parameter.VALUE).map(Parameter::getValue).filter("DATE"::equalsIgnoreCase).isPresent()
                || first.length() == 8) {
            return "DATE";
        }
        return first.endsWith("Z") ? "UTC" : "FLOATING";
    }

    static Optional<LocalMoment> moment(Component c, String name) {
        return c.<Property>getProperty(name).flatMap(LocalMoment::of);
    }

    /** DTEND (DUE) minus DTSTART, else DURATION, else a day for a DATE start and nothing for a DATE-TIME. */
    static Duration duration(Component c, LocalMoment start) {
        String endName = c.getName().equals(Component.VTODO) ? Property.DUE : Property.DTEND;
        Optional<Duration> d = moment(c, endName)
                .map(end -> Duration.between(start.time(), end.time()))
                .or(() -> value(c, Property.DURATION).flatMap(LocalMoment::parseDuration));
        Duration result = d.orElse(start.date() ? Duration.ofDays(1) : Duration.ZERO);
        return result.isNegative() ? Duration.ZERO : result;
    }

    /** "a new 5-minute event every minute, forever". */
    private static String describe(RecurrenceRule shape, Duration duration) {
        String length = duration.isZero() ? "" : adjective(duration) + " ";
        return "a new " + length + "event " + shape.every() + shape.extent();
    }

    /** "5-minute", "2-hour": a length used before a noun. */
    private static String adjective(Duration d) {
        String w = words(d);
        return w.substring(0, w.length() - (w.endsWith("s") && !w.startsWith("1 ") ? 1 : 0)).replace(' ', '-');
    }

    private static String words(Duration d) {
        if (d == null) {
            return "?";
        }
        long s = d.getSeconds();
        if (s % 86_400 == 0 && s > 0) {
            return plural(s / 86_400, "day");
        }
        if (s % 3600 == 0 && s > 0) {
            return plural(s / 3600, "hour");
        }
        if (s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        return plural(s, "second");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    static LocalDateTime max(LocalDateTime a, LocalDateTime b) {
        return a.isAfter(b) ? a : b;
    }

    private static Optional<String> value(Component c, String name) {
        return c.<Property>getProperty(name).map(Property::getValue);
    }

    @SuppressWarnings("unchecked")
    private static List<Component> children(Component c) {
        if (c instanceof ComponentContainer<?> container) {
            return (List<Component>) (List<?>) container.getComponentList().getAll();
        }
        return List.of();
    }

    private static Finding finding(FindingCode code, Severity severity, String message, RequestStatus status) {
        return Finding.of(code, severity, message).withRequestStatus(status);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
