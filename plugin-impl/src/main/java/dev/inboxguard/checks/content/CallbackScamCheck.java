package dev.inboxguard.checks.content;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Call-back phishing ({@code content.callback-scam}): an invitation whose text puts a telephone number beside
 * money language, such as a fake "PayPal invoice of $499, call +1 888 … to cancel". The lure carries no link
 * and may come from a real, authenticated account that was taken over, so only its words give it away.
 *
 * <p>A number counts when it is within {@link #WINDOW} characters of a payment term, and is not part of a
 * conference dial-in block (a dial-in term such as "Meeting ID" or "Passcode" close before or after it): the
 * numbers of Teams, Zoom, Meet and Webex invitations are not lures. The word lists, in English, German, French and
 * Spanish, are in {@code callback-scam-words.txt}. Bounded: the text examined per message, the numbers examined and
 * the windows around them are capped, and terms are found by plain substring search.
 */
@jakarta.inject.Singleton
public final class CallbackScamCheck implements Check {
    /** How far (in characters) money language may be from the number. */
    static final int WINDOW = 300;
    /** How far before and after a number a dial-in term marks it as a conference number. */
    private static final int DIAL_IN_BEFORE = 160;
    private static final int DIAL_IN_AFTER = 60;
    private static final int MAX_TEXT = 1 << 17;
    private static final int MAX_NUMBERS = 200;
    private static final Set<String> TEXT = Set.of(Property.SUMMARY, Property.DESCRIPTION, Property.LOCATION,
            Property.COMMENT, "X-ALT-DESC", "STYLED-DESCRIPTION");
    private static final Pattern DATE = Pattern.compile("^(?:\\d{4}[-./]\\d{1,2}[-./]\\d{1,2}"
            + "|\\d{1,2}[-./]\\d{1,2}[-./]\\d{2,4})");

    private final List<String> payment;
    private final List<String> dialIn;

    /** Loads the word lists shipped with the guard. */
    public CallbackScamCheck() {
        Map<String, List<String>> words = words();
        this.payment = words.getOrDefault("payment", List.of());
        this.dialIn = words.getOrDefault("dialin", List.of());
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty() || !(method.get() == ItipMethod.REQUEST || method.get() == ItipMethod.PUBLISH
                || method.get() == ItipMethod.ADD)) {
            return List.of();
        }
        List<String> where = new ArrayList<>();
        String text = text(message, where);
        for (PhoneNumber number : PhoneNumber.findAll(text)) {
            String before = words(text.substring(Math.max(0, number.start() - DIAL_IN_BEFORE), number.start()));
            String after = words(text.substring(number.end(), Math.min(text.length(), number.end() + DIAL_IN_AFTER)));
            if (firstTerm(before, dialIn).isPresent() || firstTerm(after, dialIn).isPresent()) {
                continue;
            }
            Optional<String> money = firstTerm(words(text.substring(Math.max(0, number.start() - WINDOW),
                    Math.min(text.length(), number.end() + WINDOW))), payment);
            if (money.isPresent()) {
                return List.of(Finding.of(FindingCode.CONTENT_CALLBACK_SCAM, Severity.MEDIUM, "a number to call ("
                        + number.text() + ") beside payment language (\"" + money.get() + "\"): the shape of a "
                        + "call-back scam; do not call a number from an unexpected invitation")
                        .about(where.get(Math.min(where.size() - 1, lineOf(text, number.start()))), number.text()));
            }
        }
        return List.of();
    }

    /** Which of the joined properties a position is in: they are joined one a line, their own newlines escaped. */
    private static int lineOf(String text, int position) {
        int line = 0;
        for (int i = 0; i < position; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The free text of the scheduling components, HTML reduced to its text, capped; one property a line.
     *
     * @param where receives each line's property name
     */
    private static String text(SchedulingMessage message, List<String> where) {
        StringBuilder sb = new StringBuilder();
        for (Component c : message.schedulingComponents()) {
            for (Property p : c.getProperties()) {
                String name = p.getName().toUpperCase(Locale.ROOT);
                if (!TEXT.contains(name) || sb.length() >= MAX_TEXT) {
                    continue;
                }
                String value = p.getValue() == null ? "" : p.getValue();
                if (name.equals("X-ALT-DESC") || name.equals("STYLED-DESCRIPTION")) {
                    value = LinkExtractor.stripTags(value);
                }
                value = value.replace('\n', ' ').replace('\r', ' ');
                sb.append(value, 0, Math.min(value.length(), MAX_TEXT - sb.length())).append('\n');
                where.add(name);
            }
        }
        return sb.toString();
    }

    /**
     * A telephone number as people write it: an optional {@code +}, then at least two groups of digits separated
     * by spaces, dots, dashes, slashes or brackets, 7 to 15 digits in all (E.164's maximum); or any such run after
     * {@code +}. Dates are not numbers to call.
     */
    record PhoneNumber(int start, int end, String text) {
        static List<PhoneNumber> findAll(String s) {
            List<PhoneNumber> out = new ArrayList<>();
            int i = 0;
            while (i < s.length() && out.size() <= MAX_NUMBERS) {
                char c = s.charAt(i);
                boolean begins = (c == '+' || c == '(' || isDigit(c))
                        && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)));
                if (!begins) {
                    i++;
                    continue;
                }
                int j = i;
                int digits = 0;
                int groups = 0;
                boolean inGroup = false;
                while (j < s.length() && (isDigit(s.charAt(j)) || " -./()\u00a0".indexOf(s.charAt(j)) >= 0
                        || (j == i && s.charAt(j) == '+'))) {
                    if (isDigit(s.charAt(j))) {
                        digits++;
                        if (!inGroup) {
                            groups++;
                            inGroup = true;
                        }
                    } else {
                        inGroup = false;
                    }
                    j++;
                }
                int end = j;
                while (end > i && !isDigit(s.charAt(end - 1))) {
                    end--; // a trailing space, dot or bracket belongs to the sentence
                }
                String run = s.substring(i, end);
                boolean plus = c == '+';
                if (digits >= 7 && digits <= 15 && (plus || groups >= 2) && !DATE.matcher(run).find()
                        && (end >= s.length() || !Character.isLetterOrDigit(s.charAt(end)))) {
                    out.add(new PhoneNumber(i, end, run.strip()));
                }
                i = Math.max(j, i + 1);
            }
            return out;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /** Lower case, every run of white space one space: terms of several words then match as plain text. */
    private static String words(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00a0') {
                space = true;
            } else {
                if (space && sb.length() > 0) {
                    sb.append(' ');
                }
                space = false;
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /** The first term that occurs as whole words: no letter or digit right before or after it. */
    private static Optional<String> firstTerm(String text, List<String> terms) {
        for (String t : terms) {
            for (int i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
                int end = i + t.length();
                if ((i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
                        && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }

    private static Map<String, List<String>> words() {
        Map<String, List<String>> out = new HashMap<>();
        try (InputStream in = CallbackScamCheck.class.getResourceAsStream("callback-scam-words.txt")) {
            if (in == null) {
                throw new IllegalStateException("callback-scam-words.txt is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String section = "";
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (t.startsWith("[") && t.endsWith("]")) {
                    section = t.substring(1, t.length() - 1);
                } else {
                    out.computeIfAbsent(section, k -> new ArrayList<>()).add(t.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
