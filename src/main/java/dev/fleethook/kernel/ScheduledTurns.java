package dev.fleethook.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * One turn of a scheduled task, logged the same way by every task. A database outage skips the turn:
 * one WARN line when a task first meets it, nothing more while it lasts (DEBUG), one INFO line when the
 * task works again; no stack trace per tick. Any other exception is a real failure: WARN with its stack
 * trace, every time. Either way the task runs again at its next tick; nothing is swallowed silently.
 */
public final class ScheduledTurns {

    private static final Set<String> WAITING_FOR_DATABASE = ConcurrentHashMap.newKeySet();

    private ScheduledTurns() {
    }

    /** Runs {@code work} as one turn of the task named {@code task} (a few words, e.g. "Offline check"). */
    public static void run(Logger log, String task, Runnable work) {
        try {
            work.run();
            recovered(log, task);
        } catch (RuntimeException e) {
            failed(log, task, e);
        }
    }

    /** The turn worked: ends an outage episode for {@code task}, if one was under way. */
    public static void recovered(Logger log, String task) {
        if (WAITING_FOR_DATABASE.remove(task)) {
            log.infof("%s: the database is back", task);
        }
    }

    /** The turn failed with {@code e}: a database outage is a skipped turn, anything else a WARN with its trace. */
    public static void failed(Logger log, String task, Exception e) {
        if (DatabaseErrors.unavailable(e)) {
            if (WAITING_FOR_DATABASE.add(task)) {
                log.warnf("%s skipped: the database cannot be reached (%s); retrying every turn", task,
                        firstLine(e.getMessage()));
            } else {
                log.debugf("%s skipped: the database is still unreachable", task);
            }
        } else {
            log.warnf(e, "%s failed; retrying next turn", task);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse("");
    }
}
