package dev.fleethook.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 (FIPS 180-4) as lower-case hex, the one form portal and agent compare: the pin of a stored
 * script, the policy document's ETag, the stored form of every bearer secret. Text is hashed as its UTF-8
 * bytes. The JDK's {@link MessageDigest} does the hashing; this class only fixes the encoding both sides use.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** The 64 lower-case hex digits of the SHA-256 of {@code text}'s UTF-8 bytes; {@code text} must not be null. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The 64 lower-case hex digits of the SHA-256 of everything {@code in} still holds, read to its end in
     * blocks (a file of any size: the agent jar the portal offers); the caller closes the stream.
     */
    public static String hex(java.io.InputStream in) throws java.io.IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[64 * 1024];
            for (int n = in.read(block); n >= 0; n = in.read(block)) {
                digest.update(block, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The 64 lower-case hex digits of the SHA-256 of {@code bytes}. */
    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
