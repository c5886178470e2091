package dev.fleethook.protocol;

import java.util.List;

/**
 * Back In Time's {@code user-callback} interface (seed: backintime-user-callback), the one rule portal and
 * agent share. A user-callback hook is one executable called as
 * {@code <callback> <profile id> <profile name> <reason> [extra…]}. Fleethook's profile id is the policy id,
 * its profile name the policy name. The moments and their reason codes:
 * <pre>
 * agent-start           5  application started
 * before-backup         1  a backup is about to start (non-zero exit cancels the backup: NotExecuted)
 * after-backup          3 &lt;snapshot id&gt; &lt;snapshot path&gt;   when the engine made a snapshot
 *                       4 6 &lt;snapshot id&gt;                 when that snapshot was taken with errors (PartiallySuccessful)
 *                       2  the backup process has ended (always, last)
 * after-failed-attempt  4 &lt;error code&gt; [information]     every attempt whose backup did not succeed
 * agent-stop            6  application closed (the daemon shuts down cleanly)
 * </pre>
 * Error codes of reason 4 (Back In Time's table): 2 a scheduled job was Skipped because its window closed
 * before it could start (one agent runs one job at a time: an earlier job was still running), 3 the backup
 * destination is missing (the archive folder cannot be made, restic finds no repository), 5 the backup did
 * not succeed otherwise (information: the engine's last output line or why it was not executed), 6 new
 * snapshot taken but with errors. Code 1 (configuration missing or invalid) is Fleethook's
 * {@code policy-refused} report to the portal; no job runs then, so no callback is made. Code 4 ("a
 * snapshot for now already exists") has no Fleethook condition. Reasons 7 and 8 (mounting) have no
 * Fleethook moment.
 */
public final class UserCallback {

    /** The phases a user-callback hook without a phase is called at, in the order a job meets them. */
    public static final List<HookPhase> PHASES = List.of(HookPhase.AGENT_START, HookPhase.BEFORE_BACKUP,
            HookPhase.AFTER_BACKUP, HookPhase.AFTER_FAILED_ATTEMPT, HookPhase.AGENT_STOP);

    public static final int BACKUP_STARTING = 1;
    public static final int BACKUP_ENDED = 2;
    public static final int SNAPSHOT_TAKEN = 3;
    public static final int ERROR = 4;
    public static final int APPLICATION_STARTED = 5;
    public static final int APPLICATION_CLOSED = 6;

    public static final int ERROR_CONFIGURATION = 1;
    public static final int ERROR_ALREADY_RUNNING = 2;
    public static final int ERROR_NO_DESTINATION = 3;
    public static final int ERROR_TAKING_SNAPSHOT = 5;
    public static final int ERROR_SNAPSHOT_WITH_ERRORS = 6;

    private UserCallback() {
    }
}
