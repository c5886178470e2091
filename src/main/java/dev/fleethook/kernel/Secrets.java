package dev.fleethook.kernel;

import java.security.SecureRandom;
import java.util.Base64;

import dev.fleethook.protocol.Sha256;

/** Random bearer secrets and their stored form (SHA-256, hex). */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A new secret of {@code bytes} random bytes, URL-safe base64, prefixed so it can be recognized. */
    public static String newToken(String prefix, int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The stored form of a bearer secret: its SHA-256 as hex ({@link Sha256#hex}, the rule the agent shares). */
    public static String sha256(String value) {
        return Sha256.hex(value);
    }

    /** A readable random password for generated accounts. */
    public static String newPassword() {
        return newToken("", 18);
    }
}
