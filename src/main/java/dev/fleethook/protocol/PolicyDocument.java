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
