package dev.inboxguard.server;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password stored as PBKDF2-HMAC-SHA256: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}, salt and hash in base64.
 * PBKDF2 is in every JDK, so the embedded server needs no native library; 600,000 iterations is OWASP's 2023
 * figure for this function.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    static final int ITERATIONS = 600_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param password the password to store
     * @return a fresh hash with a random salt
     */
    public static PasswordHash of(String password) {
        return of(password, ITERATIONS);
    }

    static PasswordHash of(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * A hash that costs as much to check as a real one of {@code iterations} but that no password matches: random
     * bytes are no PBKDF2 output anyone can name. Deriving a real one instead cost a third of a second at start-up.
     *
     * @param iterations what a check should cost
     * @return the hash
     */
    static PasswordHash unmatchable(int iterations) {
        byte[] salt = new byte[16];
        byte[] hash = new byte[32];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(hash);
        return new PasswordHash(iterations, salt, hash);
    }

    /**
     * @param encoded the stored form
     * @return the hash
     * @throws IllegalArgumentException if the text is not a hash this server writes
     */
    public static PasswordHash parse(String encoded) {
        String[] parts = encoded.strip().split("\\$");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("a password hash looks like " + PREFIX + "$ITERATIONS$SALT$HASH");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count of a password hash is not a number");
        }
        // a config with a huge count would make every login a denial of service
        if (iterations < 10_000 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("a password hash needs 10,000 to 10,000,000 iterations");
        }
        try {
            return new PasswordHash(iterations, Base64.getDecoder().decode(parts[2]),
                    Base64.getDecoder().decode(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the salt or hash of a password hash is not base64");
        }
    }

    /**
     * @param password what the client sent
     * @return true if it is the stored password; compared in constant time
     */
    public boolean matches(String password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    /** @return the stored form */
    public String encoded() {
        return PREFIX + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Prints the stored form of a password read from standard input (one line), for the {@code users:} section of
     * the configuration. Reading stdin keeps the password out of the shell history and the process list.
     *
     * @param args none
     * @throws java.io.IOException if standard input cannot be read
     */
    public static void main(String[] args) throws java.io.IOException {
        String password = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8)).readLine();
        if (password == null || password.isEmpty()) {
            System.err.println("give the password on standard input");
            System.exit(2);
        }
        System.out.println(of(password).encoded());
    }

    @Override
    public String toString() {
        return PREFIX + "$" + iterations + "$…";
    }
}
