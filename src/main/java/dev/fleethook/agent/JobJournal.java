package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.fleethook.protocol.PolicyDocument;

/**
 * Where a running job stands, on disk, so that a crash or reboot never leaves a database stopped by a
 * pre-script without its post-script: one file per job, fsynced and renamed into place at every stage.
 * After a restart {@link JobRunner#recover} finds the entries and finishes what they describe.
 */
public final class JobJournal {

    /** Where an attempt stands. */
    public enum Stage {
        /** The pre-script (or nothing yet) is running: an interruption counts as a Failed pre-script. */
        PRE,
        /** Pre ended with {@code preStatus}; the backup phase is running: post pending. */
        BACKUP,
        /** Backup ended with {@code backupStatus}; the post-script is running (runs again if interrupted). */
        POST,
        /** The attempt is over; the job is waiting to retry or to finish. */
        DONE
    }

    /**
     * One job in progress: enough to run the post-script and report the job after a crash.
     * {@code sessions}: the sessions (= process groups: id and its leader's start) of the processes this
     * attempt started (scripts, hooks, the engine; see {@link ProcessGate#start}), newest last, so that recovery can kill what the
     * interrupted step left running before it runs the post-script; {@code bootId}: the boot they belong
     * to (after a reboot they are gone and their ids mean nothing).
     */
    public record Entry(UUID jobId, String trigger, UUID commandId, Instant startedAt, Instant deadline,
            int maxAttempts, PolicyDocument policy, int attempt, Stage stage, Integer preStatus,
            Integer backupStatus, List<ProcessGate.Session> sessions, String bootId) {

        public Entry {
            sessions = sessions == null ? List.of() : List.copyOf(sessions);
        }

        public Entry(UUID jobId, String trigger, UUID commandId, Instant startedAt, Instant deadline,
                int maxAttempts, PolicyDocument policy, int attempt, Stage stage, Integer preStatus,
                Integer backupStatus) {
            this(jobId, trigger, commandId, startedAt, deadline, maxAttempts, policy, attempt, stage, preStatus,
                    backupStatus, List.of(), ProcessGate.bootId());
        }

        /** The same job at another stage; the sessions are kept within an attempt and forgotten after it. */
        Entry at(int attempt, Stage stage, Integer preStatus, Integer backupStatus) {
            return new Entry(jobId, trigger, commandId, startedAt, deadline, maxAttempts, policy, attempt, stage,
                    preStatus, backupStatus, attempt == this.attempt ? sessions : List.of(), bootId);
        }
    }

    /** At most this many session ids are kept per attempt (a directory hook of many files). */
    static final int MAX_SESSIONS = 256;

    private final Path dir;

    /** The last entry written per running job, to which {@link #processStarted} adds. */
    private final java.util.Map<UUID, Entry> current = new java.util.HashMap<>();

    public JobJournal(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /**
     * Durably records where a job stands; returns once it is on disk. The sessions recorded since the
     * last write of the same attempt are kept.
     */
    public synchronized void write(Entry entry) throws IOException {
        Entry last = current.get(entry.jobId());
        if (last != null && last.attempt() == entry.attempt() && entry.sessions().isEmpty()) {
            entry = new Entry(entry.jobId(), entry.trigger(), entry.commandId(), entry.startedAt(), entry.deadline(),
                    entry.maxAttempts(), entry.policy(), entry.attempt(), entry.stage(), entry.preStatus(),
                    entry.backupStatus(), last.sessions(), entry.bootId());
        }
        AgentState.writeDurably(dir.resolve(entry.jobId() + ".json"), AgentState.JSON.writeValueAsBytes(entry));
        current.put(entry.jobId(), entry);
    }

    /**
     * Durably adds the session id of a process the job just started to its entry, before the process
     * does anything that matters (it is called right after the start). A job without an entry (the
     * agent-start hooks) is not journaled.
     */
    public synchronized void processStarted(UUID jobId, long session) throws IOException {
        Entry last = current.get(jobId);
        if (last == null) {
            return;
        }
        List<ProcessGate.Session> sessions = new ArrayList<>(last.sessions());
        sessions.add(new ProcessGate.Session(session, ProcessHandle.of(session)
                .flatMap(h -> h.info().startInstant()).orElse(null)));
        if (sessions.size() > MAX_SESSIONS) {
            sessions.subList(0, sessions.size() - MAX_SESSIONS).clear();
        }
        write(new Entry(last.jobId(), last.trigger(), last.commandId(), last.startedAt(), last.deadline(),
                last.maxAttempts(), last.policy(), last.attempt(), last.stage(), last.preStatus(), last.backupStatus(),
                sessions, last.bootId()));
    }

    /** Forgets a job once its last event is safely in the spool. */
    public synchronized void remove(UUID jobId) throws IOException {
        current.remove(jobId);
        Files.deleteIfExists(dir.resolve(jobId + ".json"));
    }

    /**
     * The jobs a previous run of the agent left unfinished. An entry that cannot be read is renamed to
     * {@code <job>.json.unreadable} and left out, so one damaged file never keeps the agent from starting.
     */
    public List<Entry> unfinished() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                try {
                    entries.add(AgentState.JSON.readValue(f.toFile(), Entry.class));
                } catch (IOException | RuntimeException unreadable) {
                    // One damaged entry must not stop the agent from starting (a crash loop under the unit):
                    // it is kept aside for a person to look at, and the other jobs are finished.
                    Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
                    System.getLogger("fleethook.agent").log(System.Logger.Level.ERROR, "Journal entry " + f
                            + " cannot be read (" + Failures.describe(unreadable) + "); moved to " + aside);
                    Files.move(f, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return entries;
    }
}
