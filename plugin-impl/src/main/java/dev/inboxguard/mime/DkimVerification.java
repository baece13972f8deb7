package dev.inboxguard.mime;

import dev.inboxguard.api.AuthenticationResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.Result;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.impl.DNSPublicKeyRecordRetriever;
import org.xbill.DNS.ExtendedResolver;

/**
 * The guard's own DKIM verification (RFC 6376), with Apache jDKIM: one result per DKIM-Signature, pass or fail,
 * with its signing domain. Keys come from DNS, with a short timeout, or from a fixed table (partners whose keys
 * the operator pins, and tests).
 */
public final class DkimVerification {
    /** The authserv-id the guard's own results carry. */
    public static final String AUTHSERV_ID = "inboxguard";
    /** Each signature may cost a DNS query and an RSA check; a message gets this many, the first ones. */
    static final int MAX_SIGNATURES = 3;
    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,253}");

    private final PublicKeyRecordRetriever keys;

    /** @param keys where public keys come from */
    public DkimVerification(PublicKeyRecordRetriever keys) {
        this.keys = keys;
    }

    /**
     * @param settings the configuration's {@code imip} section
     * @return the verification it asks for, or empty when {@code dkim} is off
     */
    public static java.util.Optional<DkimVerification> configured(dev.inboxguard.config.GuardConfig.Imip settings) {
        return switch (settings.dkim()) {
            case "dns" -> java.util.Optional.of(withDns(Duration.ofSeconds(3)));
            case "keys" -> java.util.Optional.of(withKeys(settings.dkimKeys()));
            default -> java.util.Optional.empty();
        };
    }

    /**
     * @param timeout how long one DNS query may take
     * @return a verification that looks keys up in DNS
     */
    public static DkimVerification withDns(Duration timeout) {
        // a resolver of our own: the library's default one is shared by the whole JVM
        ExtendedResolver resolver = new ExtendedResolver();
        resolver.setTimeout(timeout);
        resolver.setRetries(1);
        return new DkimVerification(new DNSPublicKeyRecordRetriever(resolver));
    }

    /**
     * @param records TXT records by name, e.g. {@code s1._domainkey.example.com} to {@code v=DKIM1; k=rsa; p=...}
     * @return a verification that uses only these keys
     */
    public static DkimVerification withKeys(Map<String, String> records) {
        Map<String, String> byName = new java.util.HashMap<>();
        records.forEach((k, v) -> byName.put(k.toLowerCase(Locale.ROOT), v));
        return new DkimVerification((method, selector, domain) -> {
            String record = byName.get((selector + "._domainkey." + domain).toLowerCase(Locale.ROOT));
            if (record == null) {
                throw new PermFailException("no key for " + selector + "._domainkey." + domain);
            }
            return List.of(record);
        });
    }

    /**
     * @param message the whole e-mail as received
     * @return one result per signature (none if unsigned)
     */
    public List<AuthenticationResult> verify(byte[] message) {
        DKIMVerifier verifier = new DKIMVerifier(keys);
        try {
            SignedMessage signed = SignedMessage.of(message, MAX_SIGNATURES);
            verifier.verify(signed, signed.body());
        } catch (FailException | IOException | org.apache.james.mime4j.MimeException | RuntimeException e) {
            // the results below say which signatures failed, and why
        }
        List<AuthenticationResult> out = new ArrayList<>();
        for (Result r : verifier.getResults()) {
            if (out.size() == MAX_SIGNATURES) {
                break;
            }
            String domain = r.getRecord() == null || r.getRecord().getDToken() == null ? ""
                    : r.getRecord().getDToken().toString();
            if (!DOMAIN.matcher(domain).matches()) {
                domain = "";
            }
            String result = switch (r.getResultType()) {
                case PASS -> "pass";
                case FAIL -> "fail";
                case TEMPERROR -> "temperror";
                case PERMERROR -> "permerror";
                case POLICY -> "policy";
                case NEUTRAL -> "neutral";
                default -> "none";
            };
            out.add(new AuthenticationResult("dkim", result, domain, AUTHSERV_ID));
        }
        return out;
    }
}
