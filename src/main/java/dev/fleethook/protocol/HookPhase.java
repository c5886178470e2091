package dev.fleethook.protocol;

import java.util.List;

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

    /**
     * The order in which a job meets the phases, the one order portal and agent use: the agent runs them so,
     * the portal lists a job's hook runs so. file-filter belongs to the backup step (it feeds the engine), so
     * it sits between the before- and the after-phases. (The enum's own order is the order of the policy
     * form and of error messages, kept as it is.)
     */
    public static final List<HookPhase> JOB_ORDER = List.of(AGENT_START, BEFORE_BACKUP, BEFORE_FOLDER, FILE_FILTER,
            AFTER_FOLDER, AFTER_BACKUP, AFTER_FAILED_ATTEMPT, AFTER_FINAL_FAILURE, AGENT_STOP);

    private final String wire;

    HookPhase(String wire) {
        this.wire = wire;
    }

    /** This phase's place in {@link #JOB_ORDER}, from 0. */
    public int jobOrder() {
        return JOB_ORDER.indexOf(this);
    }

    /**
     * The place in {@link #JOB_ORDER} of a phase given by its wire name; a name no phase has comes last
     * ({@code JOB_ORDER.size()}), so a list sorted by it stays whole.
     */
    public static int jobOrder(String wire) {
        for (HookPhase p : values()) {
            if (p.wire.equals(wire)) {
                return p.jobOrder();
            }
        }
        return JOB_ORDER.size();
    }

    /**
     * True for the phases that run before the engine inside an attempt (before-backup, before-folder): their
     * time counts against the backup window, and an essential one that fails cancels the backup.
     */
    public boolean beforeEngine() {
        return this == BEFORE_BACKUP || this == BEFORE_FOLDER;
    }

    /**
     * True for the phases that run once the engine has ended (after-folder, after-backup,
     * after-failed-attempt, after-final-failure): the backup's outcome is known to them (Rekkord's
     * {@code SUCCESS}).
     */
    public boolean afterEngine() {
        return this == AFTER_FOLDER || this == AFTER_BACKUP || this == AFTER_FAILED_ATTEMPT
                || this == AFTER_FINAL_FAILURE;
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
