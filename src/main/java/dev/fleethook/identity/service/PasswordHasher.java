package dev.fleethook.identity.service;

import java.nio.charset.StandardCharsets;

import at.favre.lib.crypto.bcrypt.BCrypt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.fleethook.kernel.Secrets;

/** BCrypt password hashes (at.favre.lib:bcrypt). */
@ApplicationScoped
public class PasswordHasher {

    @Inject
    IdentityConfig config;

    /** Compared against when the account does not exist, so timing does not reveal which emails exist. */
    private volatile String dummyHash;

    /**
     * The BCrypt hash of a password of at most 72 bytes in UTF-8 ({@link dev.fleethook.identity.PasswordRule});
     * longer input is a 400 on {@code password}, never a library exception.
     */
    public String hash(String password) {
        if (!dev.fleethook.identity.PasswordRule.Check.fitsBcrypt(password)) {
            throw new dev.fleethook.kernel.BadInputException("password", "must be at most 72 bytes in UTF-8 (BCrypt's limit)");
        }
        return BCrypt.withDefaults().hashToString(config.bcryptCost(), password.toCharArray());
    }

    /** True when the password matches; a password over BCrypt's 72 bytes matches nothing ever stored. */
    public boolean verify(String password, String hash) {
        if (!dev.fleethook.identity.PasswordRule.Check.fitsBcrypt(password)) {
            password = "";
            hash = null;
        }
        String against = hash;
        if (against == null) {
            if (dummyHash == null) {
                dummyHash = hash(Secrets.newPassword());
            }
            against = dummyHash;
        }
        boolean ok = BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8),
                against.getBytes(StandardCharsets.UTF_8)).verified;
        return ok && hash != null;
    }
}
