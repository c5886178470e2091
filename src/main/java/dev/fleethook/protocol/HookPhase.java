package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * When a hook runs. Per-folder phases run once for each source path (Kopia's before/after-folder). Order in
 * a job: before-backup, before-folder, (the engine), after-folder, after-backup, then after-failed-attempt
 * at the end of every attempt whose backup did not succeed (Back In Time's "there was an error"; before a
 * retry, and on the last attempt too), after-final-failure once the job has failed for good. agent-start
 * (Kiwi's on_server_start, Back In Time's reason 5) and agent-stop (the daemon shutting down cleanly, Back
 * In Time's reason 6) run outside jobs. file-filter (Kiwi's on_file) is a program per source started just
 * before the engine, fed the source's files and answering which to keep (agent {@code FileFilter}).
 */
public enum HookPhase implements WireEnum {
    AGENT_START("agent-start"),
    BEFORE_BACKUP("before-backup"),
    BEFORE_FOLDER("before-folder"),
    AFTER_FOLDER("after-folder"),
    AFTER_BACKUP("after-backup"),
    AFTER_FINAL_FAILURE("after-final-failure"),
    AFTER_FAILED_ATTEMPT("after-failed-attempt"),
    AGENT_STOP("agent-stop"),
    FILE_FILTER("file-filter");

    private final String wire;

    HookPhase(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static HookPhase fromWire(String value) {
        return WireEnum.parse(values(), value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
