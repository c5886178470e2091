package dev.fleethook.protocol;

/**
 * The one rule for a stored hook's body, applied by the portal to every way a script arrives (the policy
 * form, whose browser sends CR LF line breaks, and the admin API, which sends what the client had) and
 * checked again by the agent: a stored script is kept with Unix line endings (LF). A CR LF pair becomes
 * LF; a CR elsewhere is kept. The SHA-256 that pins the script is taken over this canonical body, and an
 * agent on Windows writes it back with CR LF for {@code cmd.exe}.
 * <p>
 * Why: {@code #!/bin/sh\r} names an interpreter that does not exist, and {@code sh} reads the CR as part
 * of each command; the same script pasted in the form or sent through the API must run the same way.
 */
public final class StoredScripts {

    private StoredScripts() {
    }

    /** The body as stored and pinned: every CR LF replaced by LF; null stays null. */
    public static String canonical(String body) {
        return body == null ? null : body.replace("\r\n", "\n");
    }

    /** True when {@code body} still holds a CR LF pair (stored before this rule, or by an older portal). */
    public static boolean hasWindowsLineEndings(String body) {
        return body != null && body.contains("\r\n");
    }
}
