package dev.inboxguard.checks.content;

import com.ibm.icu.text.SpoofChecker;
import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Judges one link by its text alone. It never resolves or fetches anything. The traits: a risky scheme, an IP
 * address for a host (in any spelling), userinfo before the host, a host that imitates another in other scripts
 * (an IDN homograph, read with ICU's confusable data), a host on the operator's blocklist, and an HTML link whose
 * shown text names a different host.
 */
final class LinkRisk {
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):");
    private static final Pattern IPV4ISH = Pattern.compile("^(?:0x[0-9a-f]+|[0-9]+)(?:\\.(?:0x[0-9a-f]+|[0-9]+)){0,3}$");
    private static final Pattern HOSTNAME_SHOWN = Pattern.compile(
            "(?i)^(?:https?://)?((?:[\\p{L}\\p{N}-]+\\.)+[\\p{L}]{2,63})(?:[/:?#].*)?$");

    private final Set<String> riskySchemes;
    private final Set<String> blocklist;

    /** ICU's confusable data loads on first use: messages without non-ASCII hosts never pay for it. */
    private static final class Spoof {
        static final SpoofChecker CHECKER = new SpoofChecker.Builder()
                .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE)
                .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.INVISIBLE | SpoofChecker.MIXED_NUMBERS)
                .build();
    }

    /**
     * @param riskySchemes schemes that are never safe in an invitation, lower case
     * @param blocklist    the operator's blocked domains, lower case
     */
    LinkRisk(Set<String> riskySchemes, Set<String> blocklist) {
        this.riskySchemes = Set.copyOf(riskySchemes);
        this.blocklist = Set.copyOf(blocklist);
    }

    /**
     * @param link a link
     * @return why it is risky, empty if nothing is wrong with it
     */
    List<String> reasons(Link link) {
        List<String> why = new ArrayList<>();
        String url = asBrowsersReadIt(link.url());
        String scheme = SCHEME.matcher(url).lookingAt()
                ? url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT) : (url.toLowerCase(Locale.ROOT)
                .startsWith("www.") ? "http" : "");
        if (riskySchemes.contains(scheme)) {
            why.add("the " + scheme + ": scheme runs or opens content, it is never a meeting link");
            return why;
        }
        Optional<Authority> authority = Authority.of(url, scheme);
        if (authority.isEmpty()) {
            return why;
        }
        Authority a = authority.get();
        if (a.userinfo()) {
            why.add("text before an @ in the address disguises the real host " + a.host());
        }
        String host = a.host();
        if (host.startsWith("[") || IPV4ISH.matcher(host).matches()) {
            why.add("the host is a bare IP address (" + host + ")");
        } else {
            String unicode = unicode(host);
            homograph(unicode).ifPresent(why::add);
            blocked(unicode.toLowerCase(Locale.ROOT)).ifPresent(b -> why.add("the domain " + b
                    + " is on the blocklist"));
        }
        link.shown().flatMap(LinkRisk::shownHost).ifPresent(shown -> {
            if (!sameSite(shown, unicode(host).toLowerCase(Locale.ROOT))) {
                why.add("the link shows " + shown + " but leads to " + host);
            }
        });
        return why;
    }

    /**
     * Browsers (the WHATWG URL standard) drop TAB, CR and LF anywhere in a URL and C0 controls and spaces at its
     * ends, so {@code java\tscript:} runs as {@code javascript:}. Judge what the browser will open.
     */
    static String asBrowsersReadIt(String url) {
        StringBuilder sb = new StringBuilder(url.length());
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c != '\t' && c != '\r' && c != '\n') {
                sb.append(c);
            }
        }
        int start = 0;
        int end = sb.length();
        while (start < end && sb.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && sb.charAt(end - 1) <= ' ') {
            end--;
        }
        return sb.substring(start, end);
    }

    /** The host as a person would read it; a host that is not valid IDN stays as written. */
    private static String unicode(String host) {
        try {
            return IDN.toUnicode(host, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return host;
        }
    }

    private Optional<String> homograph(String host) {
        for (String label : host.split("\\.")) {
            if (label.chars().allMatch(c -> c < 128)) {
                continue;
            }
            if (!Spoof.CHECKER.failsChecks(label) && !looksLikeAscii(label)) {
                continue; // a genuine single-script name such as münchen
            }
            String skeleton = Spoof.CHECKER.getSkeleton(label);
            return Optional.of("the host " + host + " mixes or imitates scripts (\"" + label + "\" reads like \""
                    + skeleton + "\")");
        }
        return Optional.empty();
    }

    /** A whole label in another script that is confusable with plain ASCII, such as Cyrillic "аррӏе". */
    private boolean looksLikeAscii(String label) {
        String skeleton = Spoof.CHECKER.getSkeleton(label);
        return skeleton.chars().allMatch(c -> c < 128) && !skeleton.equals(label);
    }

    private Optional<String> blocked(String host) {
        String h = host;
        while (true) {
            if (blocklist.contains(h)) {
                return Optional.of(h);
            }
            int dot = h.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            h = h.substring(dot + 1);
        }
    }

    private static Optional<String> shownHost(String shown) {
        var m = HOSTNAME_SHOWN.matcher(shown.strip());
        return m.matches() ? Optional.of(unicode(m.group(1)).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** The same site: equal after dropping "www.", or one a subdomain of the other. */
    private static boolean sameSite(String a, String b) {
        String x = a.startsWith("www.") ? a.substring(4) : a;
        String y = b.startsWith("www.") ? b.substring(4) : b;
        return x.equals(y) || x.endsWith("." + y) || y.endsWith("." + x);
    }

    /** The authority part of a hierarchical URL. */
    private record Authority(String host, boolean userinfo) {
        static Optional<Authority> of(String url, String scheme) {
            String rest;
            if (url.toLowerCase(Locale.ROOT).startsWith("www.")) {
                rest = url;
            } else {
                int sep = url.indexOf("://");
                if (sep < 0 || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("ftp"))) {
                    return Optional.empty();
                }
                rest = url.substring(sep + 3);
            }
            int end = 0;
            while (end < rest.length() && "/?#\\".indexOf(rest.charAt(end)) < 0) {
                end++;
            }
            String authority = rest.substring(0, end);
            int at = authority.lastIndexOf('@');
            boolean userinfo = at >= 0;
            String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
            String host;
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                host = close < 0 ? hostPort : hostPort.substring(0, close + 1);
            } else {
                int colon = hostPort.indexOf(':');
                host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            }
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            return host.isEmpty() ? Optional.empty() : Optional.of(new Authority(host, userinfo));
        }
    }
}
