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

    /** One job in progress: enough to run the post-script and report the job after a crash. */
    public record Entry(UUID jobId, String trigger, UUID commandId, Instant startedAt, Instant deadline,
            int maxAttempts, PolicyDocument policy, int attempt, Stage stage, Integer preStatus,
            Integer backupStatus) {

        Entry at(int attempt, Stage stage, Integer preStatus, Integer backupStatus) {
            return new Entry(jobId, trigger, commandId, startedAt, deadline, maxAttempts, policy, attempt, stage,
                    preStatus, backupStatus);
        }
    }

    private final Path dir;

    public JobJournal(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Durably records where a job stands; returns once it is on disk. */
    public void write(Entry entry) throws IOException {
        AgentState.writeDurably(dir.resolve(entry.jobId() + ".json"), AgentState.JSON.writeValueAsBytes(entry));
    }

    /** Forgets a job once its last event is safely in the spool. */
    public void remove(UUID jobId) throws IOException {
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
