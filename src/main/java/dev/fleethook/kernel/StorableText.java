package dev.fleethook.kernel;

/**
 * The one rule for text PostgreSQL can store: no NUL character, no unpaired UTF-16 surrogate. Applied to
 * JSON bodies (web.StrictJson), forms (InputValidator) and the sign-in email.
 */
public final class StorableText {

    private StorableText() {
    }

    /** Why {@code s} cannot be stored in PostgreSQL text, or null when it can: NUL characters and unpaired surrogates. */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "must not contain NUL characters";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must be valid Unicode text (it has an unpaired surrogate)";
            }
            if (Character.isLowSurrogate(c)) {
                return "must be valid Unicode text (it has an unpaired surrogate)";
            }
        }
        return null;
    }
}
