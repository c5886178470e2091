package dev.fleethook.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What an agent receives: one policy revision rendered for the agent's operating system. Script paths
 * are final ({@code <folder>/pre_script.sh} or {@code .bat}); the agent adds nothing from the portal
 * to a command line. The portal serializes it deterministically and hashes it for the ETag.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record PolicyDocument(
        String policyId,
        String policyName,
        int revision,
        TargetOs os,
        Schedule schedule,
        Retry retry,
        Backup backup,
        Scripts scripts,
        List<Hook> hooks) {

    /** Start times: {@code cron} (5 fields) in {@code timeZone}, absent for manual-only policies. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Schedule(ScheduleKind kind, String cron, String timeZone, Integer windowMinutes) {
    }

    /** Every retry runs pre-script, backup and post-script again, {@code intervalMinutes} apart. */
    @JsonPropertyOrder(alphabetic = true)
    public record Retry(int count, int intervalMinutes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Backup(BackupEngine engine, List<String> sources, List<String> excludes, Archive archive,
            Restic restic, List<String> command) {
    }

    /** The built-in engine: a tar.gz of the sources in {@code destination}, keeping {@code retention} archives. */
    @JsonPropertyOrder(alphabetic = true)
    public record Archive(String destination, int retention) {
    }

    /** restic: the password is an agent-local secret, named here, never sent by the portal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Restic(String repository, String passwordSecret, List<String> extraArgs) {

        /**
         * The name of a password secret: 1 to 64 letters, digits, {@code _ . -}, not starting with a dot. The
         * agent reads the password from the file of that name in its {@code secrets/} folder, so the name must
         * be a plain file name: no separator, and no leading dot, which would allow {@code .} and {@code ..}
         * (the folder itself, its parent) and hidden files. The portal refuses any other name when a policy is
         * saved; the agent refuses it again before it opens a file. 64 because the portal has always stored at
         * most 64 (an agent used to accept 100, which no policy could reach) and it fits every file system.
         * A compile-time constant, so that the portal can use it in a Bean Validation {@code @Pattern}.
         */
        public static final String PASSWORD_SECRET_PATTERN = "[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}";

        /** What a person is told when a name breaks {@link #PASSWORD_SECRET_PATTERN}. */
        public static final String PASSWORD_SECRET_RULE = "must be the name of a secret in the agent's local config: "
                + "1 to 64 letters, digits, _ . -, not starting with a dot";

        private static final java.util.regex.Pattern PASSWORD_SECRET = java.util.regex.Pattern.compile(PASSWORD_SECRET_PATTERN);

        /** True when {@code name} is a valid password secret name ({@link #PASSWORD_SECRET_PATTERN}); false for null. */
        public static boolean validPasswordSecret(String name) {
            return name != null && PASSWORD_SECRET.matcher(name).matches();
        }
    }

    /** Druva's pre/post script settings for this OS; {@code timeoutSeconds} null means run to completion. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Scripts(boolean enabled, String folder, String preScript, String postScript,
            boolean skipBackupIfPreScriptFails, Integer timeoutSeconds) {
    }

    /**
     * A further hook. {@code path} for directory hooks (every executable, alphabetical), {@code command}
     * for argument vectors, {@code script} with its {@code sha256} for stored scripts; convention hooks
     * run {@code <scripts folder>/<phase>.sh|.bat} (e.g. {@code before_folder.sh}), given in {@code path}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Hook(int index, HookPhase phase, HookSource source, HookMode mode, int timeoutSeconds, String path,
            List<String> command, String script, String sha256) {
    }
}
