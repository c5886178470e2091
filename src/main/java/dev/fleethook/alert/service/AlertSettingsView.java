package dev.fleethook.alert.service;

import java.util.Arrays;

import dev.fleethook.alert.AlertSettings;

/**
 * A tenant's alert settings as pages and the API see them, with the property names of {@link AlertSettings}
 * (minutes; {@code recipients} and {@code kinds} as arrays, so the page reads {@code recipients.length}).
 * {@code usesDefaults}: nothing saved yet, the recipients are the tenant's enabled admins.
 */
public record AlertSettingsView(String[] recipients, String[] kinds, int offlineThresholdMinutes,
        int repeatIntervalMinutes, boolean recoveryEmails, boolean usesDefaults) {

    public static AlertSettingsView of(AlertSettings s) {
        return new AlertSettingsView(s.recipients.clone(), s.kinds.clone(), s.offlineThresholdMinutes,
                s.repeatIntervalMinutes, s.recoveryEmails, s.usesDefaults());
    }

    /** Whether alerts of this kind send emails. */
    public boolean wants(String kind) {
        return Arrays.asList(kinds).contains(kind);
    }
}
