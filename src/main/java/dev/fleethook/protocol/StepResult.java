package dev.fleethook.protocol;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of one step: a pre/post-script, a hook or the backup. {@code status} is a
 * {@link ScriptStatus} code for scripts and hooks, a {@link BackupStatus} code for the backup.
 * {@code outputTail} is the last 16 KiB of output at most.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepResult(int status, Integer exitCode, long durationMs, boolean timedOut, String outputTail,
        String detail, Map<String, Object> stats) {

    public static final int MAX_OUTPUT_TAIL = 16 * 1024;
}
