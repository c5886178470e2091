package dev.fleethook.identity.service;

import java.nio.charset.StandardCharsets;

import at.favre.lib.crypto.bcrypt.BCrypt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** BCrypt password hashes (at.favre.lib:bcrypt). */
@ApplicationScoped
public class PasswordHasher {

    @Inject
    IdentityConfig config;

    /** Compared against when the account does not exist, so timing does not reveal which emails exist. */
    private volatile String dummyHash;

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(config.bcryptCost(), password.toCharArray());
    }

    public boolean verify(String password, String hash) {
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
