package dev.fleethook.protocol;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of one step: a pre/post-script, a hook or the backup. {@code status} is a
 * {@link ScriptStatus} code for scripts and hooks, a {@link BackupStatus} code for the backup.
 * {@code outputTail} is the last {@link #MAX_OUTPUT_TAIL} characters of output at most ({@link #tail}): the agent
 * keeps no more while a program runs, and the portal cuts what an agent sends to the same length.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepResult(int status, Integer exitCode, long durationMs, boolean timedOut, String outputTail,
        String detail, Map<String, Object> stats) {

    /** How much output a step keeps: its last 16 Ki characters (the product brief's "last 16 KiB of output"). */
    public static final int MAX_OUTPUT_TAIL = 16 * 1024;

    /** The last {@link #MAX_OUTPUT_TAIL} characters of {@code output}; null stays null, a shorter text is returned whole. */
    public static String tail(CharSequence output) {
        if (output == null) {
            return null;
        }
        int length = output.length();
        return (length <= MAX_OUTPUT_TAIL ? output : output.subSequence(length - MAX_OUTPUT_TAIL, length)).toString();
    }
}
