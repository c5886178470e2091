package dev.fleethook.policy;

import java.time.DayOfWeek;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Everything a backup policy says, as administrators write it. A revision stores it as JSON, so this
 * record is also the stored form: add fields with defaults, never rename them.
 * {@link PolicyValidator} checks what annotations cannot (cron, paths, the window against timeouts).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name", "description", "schedule", "windowMinutes", "retry", "backup", "scripts", "hooks" })
public record PolicySpec(
        @NotBlank(message = "is required") @Size(max = 120, message = "must be at most 120 characters") String name,
        @Size(max = 2000, message = "must be at most 2000 characters") String description,
        @NotNull(message = "is required") @Valid Schedule schedule,
        /** Minutes after the scheduled start in which a job may start and retry; null for no window. */
        @Min(value = 5, message = "must be 5 to 10080 minutes, or empty for no window")
        @Max(value = 10080, message = "must be 5 to 10080 minutes, or empty for no window") Integer windowMinutes,
        @NotNull(message = "is required") @Valid Retry retry,
        @NotNull(message = "is required") @Valid Backup backup,
        @NotNull(message = "is required") @Valid Scripts scripts,
        @Size(max = 50, message = "at most 50 hooks") List<@Valid Hook> hooks) {

    public static final int MAX_STORED_SCRIPT = 32_000;
    public static final int DEFAULT_HOOK_TIMEOUT = 300;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "kind", "cron", "time", "days" })
    public record Schedule(
            @NotNull(message = "is required (" + "cron, daily, weekly or manual)") ScheduleKind kind,
            @Size(max = 120) String cron,
            @Pattern(regexp = "([01][0-9]|2[0-3]):[0-5][0-9]", message = "must be a time as HH:mm") String time,
            List<DayOfWeek> days) {
    }

    @JsonPropertyOrder({ "count", "intervalMinutes" })
    public record Retry(
            @NotNull(message = "is required") @Min(value = 0, message = "must be 0 to 10")
            @Max(value = 10, message = "must be 0 to 10") Integer count,
            @NotNull(message = "is required") @Min(value = 1, message = "must be 1 to 1440 minutes")
            @Max(value = 1440, message = "must be 1 to 1440 minutes") Integer intervalMinutes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "engine", "sources", "excludes", "archive", "restic", "command" })
    public record Backup(
            @NotNull(message = "is required (archive, restic or command)") BackupEngine engine,
            @Size(max = 100, message = "at most 100 source paths") List<String> sources,
            @Size(max = 200, message = "at most 200 exclude patterns") List<String> excludes,
            @Valid Archive archive,
            @Valid Restic restic,
            @Size(max = 100, message = "at most 100 arguments") List<String> command) {
    }

    @JsonPropertyOrder({ "destination", "retention" })
    public record Archive(String destination,
            @Min(value = 1, message = "must be 1 to 1000") @Max(value = 1000, message = "must be 1 to 1000")
            Integer retention) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "repository", "passwordSecret", "extraArgs" })
    public record Restic(@Size(max = 1000) String repository,
            @Pattern(regexp = PolicyDocument.Restic.PASSWORD_SECRET_PATTERN, message = PolicyDocument.Restic.PASSWORD_SECRET_RULE)
            String passwordSecret,
            @Size(max = 50) List<String> extraArgs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "linux", "windows", "skipBackupIfPreScriptFails", "timeoutSeconds" })
    public record Scripts(@NotNull(message = "is required") @Valid OsScripts linux,
            @NotNull(message = "is required") @Valid OsScripts windows,
            boolean skipBackupIfPreScriptFails,
            /** Null: scripts run to completion (unless the tenant sets a maximum). */
            @Min(value = 1, message = "must be 1 to 86400 seconds, or empty for none")
            @Max(value = 86400, message = "must be 1 to 86400 seconds, or empty for none") Integer timeoutSeconds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "enabled", "folder" })
    public record OsScripts(boolean enabled, @Size(max = 1024, message = "must be at most 1024 characters") String folder) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "phase", "source", "mode", "timeoutSeconds", "path", "command", "script", "sha256" })
    public record Hook(
            /** Required, except for a user-callback hook: without a phase it is called at every moment it has a reason code. */
            HookPhase phase,
            @NotNull(message = "is required (convention, directory, command, stored or user-callback)") HookSource source,
            HookMode mode,
            @Min(value = 1, message = "must be 1 to 86400 seconds") @Max(value = 86400, message = "must be 1 to 86400 seconds")
            Integer timeoutSeconds,
            @Size(max = 1024, message = "must be at most 1024 characters") String path,
            @Size(max = 100, message = "at most 100 arguments") List<String> command,
            String script,
            String sha256) {
    }
}
