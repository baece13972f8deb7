package dev.inboxguard.checks;

import dev.inboxguard.api.ItipMethod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The restriction tables of RFC 5546 §3: for each kind of scheduling component and each method, which properties
 * and sub-components must, may once, or must not appear. Loaded once from {@code itip-restrictions.txt}.
 */
public final class ItipRestrictions {

    /** How often something may appear, as the RFC's "Presence" column says. */
    public enum Presence {
        /** Exactly once ("1"). */
        EXACTLY_ONE("1"),
        /** At least once ("1+"). */
        AT_LEAST_ONE("1+"),
        /** At most once ("0 or 1"). */
        AT_MOST_ONE("0_or_1"),
        /** Never ("0"). */
        NEVER("0"),
        /** Any number ("0+"). */
        ANY("0+");

        private final String token;

        Presence(String token) {
            this.token = token;
        }

        static Presence parse(String token) {
            for (Presence p : values()) {
                if (p.token.equals(token)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown presence: " + token);
        }

        /** @return the presence once a missing item is tolerated: a requirement becomes an allowance */
        Presence optional() {
            return switch (this) {
                case EXACTLY_ONE -> AT_MOST_ONE;
                case AT_LEAST_ONE -> ANY;
                default -> this;
            };
        }

        /**
         * @param count how often the item appears
         * @return true if that count is allowed
         */
        public boolean allows(int count) {
            return switch (this) {
                case EXACTLY_ONE -> count == 1;
                case AT_LEAST_ONE -> count >= 1;
                case AT_MOST_ONE -> count <= 1;
                case NEVER -> count == 0;
                case ANY -> true;
            };
        }
    }

    /**
     * One row of a table.
     *
     * @param component the component the row is about, e.g. {@code VEVENT} or {@code VALARM}
     * @param item      a property name, or {@code -} for the component itself
     * @param presence  how often it may appear
     */
    public record Row(String component, String item, Presence presence) {
        /** The item value that stands for the component itself. */
        public static final String COMPONENT_ITSELF = "-";

        /** @return true if the row is about the presence of the component itself */
        public boolean isComponent() {
            return item.equals(COMPONENT_ITSELF);
        }
    }

    private static final String RESOURCE = "itip-restrictions.txt";

    private final Map<String, List<Row>> tables;
    private final List<Row> shared;

    private ItipRestrictions(Map<String, List<Row>> tables, List<Row> shared) {
        this.tables = tables;
        this.shared = shared;
    }

    /** @return the tables of RFC 5546 as shipped with InboxGuard */
    public static ItipRestrictions rfc5546() {
        try (InputStream in = ItipRestrictions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ItipRestrictions parse(BufferedReader reader) throws IOException {
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        List<Row> shared = new java.util.ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 5) {
                throw new IllegalStateException("bad row in " + RESOURCE + ": " + line);
            }
            Row row = new Row(f[2], f[3], Presence.parse(f[4]));
            if (f[0].equals("*")) {
                shared.add(row);
            } else {
                tables.computeIfAbsent(key(f[0], ItipMethod.valueOf(f[1])), k -> new java.util.ArrayList<>()).add(row);
            }
        }
        Map<String, List<Row>> frozen = new HashMap<>();
        tables.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new ItipRestrictions(Collections.unmodifiableMap(frozen), List.copyOf(shared));
    }

    /**
     * @param kind   VEVENT, VTODO, VJOURNAL or VFREEBUSY
     * @param method the iTIP method
     * @return the rows of that table, or empty if RFC 5546 defines no such combination (e.g. VJOURNAL REQUEST)
     */
    public Optional<List<Row>> table(String kind, ItipMethod method) {
        return Optional.ofNullable(tables.get(key(kind, method)));
    }

    /** @return the rows of the shared tables (VCALENDAR, VTIMEZONE and its observances, VALARM) */
    public List<Row> shared() {
        return shared;
    }

    /**
     * @param kind   the scheduling component
     * @param method the method
     * @return the section of RFC 5546 that holds that table, e.g. {@code 3.2.3} for a VEVENT REPLY
     */
    public static String section(String kind, ItipMethod method) {
        int table = switch (kind) {
            case "VEVENT" -> 2;
            case "VFREEBUSY" -> 3;
            case "VTODO" -> 4;
            default -> 5;
        };
        int index = switch (kind) {
            case "VFREEBUSY" -> List.of(ItipMethod.PUBLISH, ItipMethod.REQUEST, ItipMethod.REPLY).indexOf(method);
            case "VJOURNAL" -> List.of(ItipMethod.PUBLISH, ItipMethod.ADD, ItipMethod.CANCEL).indexOf(method);
            default -> method.ordinal();
        };
        return "3." + table + "." + (index + 1);
    }

    private static String key(String kind, ItipMethod method) {
        return kind + " " + method.name();
    }
}
