package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/**
 * Whole jobs with real scripts and real processes: retries and FLEETHOOK_FINAL_ATTEMPT, Cancel in each
 * step, the window, hooks around the engine, local refusals, and the crash journal.
 */
class JobRunnerTest {

    @TempDir
    Path dir;

    final List<JobEvent> events = new CopyOnWriteArrayList<>();

    Path scripts() throws IOException {
        return Files.createDirectories(dir.resolve("scripts"));
    }

    Path script(String name, String body) throws IOException {
        Path p = scripts().resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    Path log() {
        return dir.resolve("run.log");
    }

    List<String> logLines() throws IOException {
        return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
    }

    JobRunner runner(boolean hooksEnabled) throws IOException {
        var settings = new JobRunner.Settings("fs-01", new HookRunner.Permissions(hooksEnabled, true, List.of(dir)),
                Files.createDirectories(dir.resolve("scratch")), dir.resolve("secrets"), TargetOs.LINUX, "test",
                Duration.ofMillis(200));
        return new JobRunner(settings, events::add, new JobJournal(dir.resolve("journal")));
    }

    PolicyDocument policy(int retries, Integer windowMinutes, PolicyDocument.Backup backup, boolean skip,
            List<PolicyDocument.Hook> hooks) throws IOException {
        Path s = scripts();
        return new PolicyDocument(UUID.randomUUID().toString(), "Nightly", 3, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.DAILY, "0 1 * * *", "UTC", windowMinutes),
                new PolicyDocument.Retry(retries, 1), backup,
                new PolicyDocument.Scripts(true, s.toString(), s.resolve("pre_script.sh").toString(),
                        s.resolve("post_script.sh").toString(), skip, 60),
                hooks);
    }

    PolicyDocument.Backup command(Path program) {
        return new PolicyDocument.Backup(BackupEngine.COMMAND, List.of(dir.resolve("data").toString()), List.of(), null,
                null, List.of(program.toString()));
    }

    PolicyDocument.Backup archive() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/file.txt"), "precious");
        return new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                new PolicyDocument.Archive(dir.resolve("archives").toString(), 3), null, null);
    }

    JobJournal.Entry journalEntry(PolicyDocument p, UUID job) {
        return new JobJournal.Entry(job, "scheduled", null, Instant.now(), null, 1, p, 1, JobJournal.Stage.PRE, null, null);
    }

    List<EventType> types() {
        return events.stream().map(JobEvent::type).toList();
    }

    JobEvent last(EventType type) {
        return events.stream().filter(e -> e.type() == type).reduce((a, b) -> b).orElseThrow();
    }

    JobRunner.Request request(PolicyDocument p) {
        return new JobRunner.Request(UUID.randomUUID(), "scheduled", null, Instant.now(), p);
    }

    @Test
    void aFailingBackupIsRetriedWithPreAndPostEachTimeAndTheLastAttemptKnowsItIsFinal() throws IOException {
        script("pre_script.sh", "echo \"pre $FLEETHOOK_ATTEMPT $FLEETHOOK_FINAL_ATTEMPT\" >> " + log());
        script("post_script.sh", "echo \"post $FLEETHOOK_ATTEMPT $3\" >> " + log());
        Path backup = script("backup.sh", "echo \"backup $FLEETHOOK_ATTEMPT\" >> " + log() + "; echo disk full; exit 1");
        var status = runner(true).run(request(policy(2, null, command(backup), true, List.of())), () -> false);

        assertEquals(JobStatus.FAILED, status);
        assertEquals(List.of("pre 1 0", "backup 1", "post 1 1", "pre 2 0", "backup 2", "post 2 1", "pre 3 1", "backup 3",
                "post 3 1"), logLines());
        assertEquals(3, events.stream().filter(e -> e.type() == EventType.ATTEMPT_STARTED).count());
        List<Boolean> finals = events.stream().filter(e -> e.type() == EventType.ATTEMPT_FINISHED)
                .map(JobEvent::finalAttempt).toList();
        assertEquals(List.of(false, false, true), finals);
        JobEvent finished = last(EventType.JOB_FINISHED);
        assertEquals(JobStatus.FAILED, finished.jobStatus());
        assertEquals(3, finished.attempt());
        assertEquals(BackupStatus.FAILED.code(), finished.backupStatus());
        assertTrue(last(EventType.BACKUP_FINISHED).result().outputTail().contains("disk full"));
        assertEquals(3, events.get(0).maxAttempts());
    }

    @Test
    void aRetryThatSucceedsEndsTheJobSucceeded() throws IOException {
        script("pre_script.sh", "exit 0");
        Path marker = dir.resolve("second-time");
        Path backup = script("backup.sh", "if [ -e " + marker + " ]; then exit 0; fi; touch " + marker + "; exit 1");
        var status = runner(true).run(request(policy(3, null, command(backup), true, List.of())), () -> false);
        assertEquals(JobStatus.SUCCEEDED, status);
        assertEquals(2, last(EventType.JOB_FINISHED).attempt());
        assertEquals(List.of(false, true), events.stream().filter(e -> e.type() == EventType.ATTEMPT_FINISHED)
                .map(JobEvent::finalAttempt).toList());
    }

    @Test
    void cancelDuringTheBackupStopsTheEngineThenThePostScriptRuns() throws Exception {
        script("pre_script.sh", "exit 0");
        script("post_script.sh", "echo \"post $2 $3\" >> " + log());
        Path pid = dir.resolve("engine.pid");
        Path backup = script("backup.sh", "echo $$ > " + pid + "; sleep 300");
        AtomicBoolean cancel = new AtomicBoolean();
        var job = CompletableFuture.supplyAsync(() -> {
            try {
                return runner(true).run(request(policy(2, null, command(backup), true, List.of())), cancel::get);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await(() -> Files.exists(pid));
        cancel.set(true);
        assertEquals(JobStatus.CANCELED, job.get(20, TimeUnit.SECONDS));
        assertEquals(List.of("post 0 2"), logLines(), "post-script ran with backup status Canceled (2)");
        assertFalse(AttemptRunnerTest.running(Long.parseLong(Files.readString(pid).trim())), "engine stopped");
        assertEquals(1, events.stream().filter(e -> e.type() == EventType.ATTEMPT_STARTED).count(), "no retry");
    }

    @Test
    void cancelDuringThePostScriptLetsItFinishAndCancelsTheJob() throws Exception {
        script("pre_script.sh", "exit 0");
        Path started = dir.resolve("post-started");
        script("post_script.sh", "touch " + started + "; sleep 1; echo finished >> " + log());
        AtomicBoolean cancel = new AtomicBoolean();
        var job = CompletableFuture.supplyAsync(() -> {
            try {
                return runner(true).run(request(policy(2, null, archive(), true, List.of())), cancel::get);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await(() -> Files.exists(started));
        cancel.set(true);
        assertEquals(JobStatus.CANCELED, job.get(20, TimeUnit.SECONDS));
        assertEquals(List.of("finished"), logLines());
        assertEquals(BackupStatus.SUCCEEDED.code(), last(EventType.JOB_FINISHED).backupStatus(),
                "the backup itself succeeded and is reported so");
    }

    @Test
    void aJobThatCannotStartInsideItsWindowIsSkipped() throws IOException {
        script("pre_script.sh", "echo ran >> " + log());
        var p = policy(0, 30, archive(), true, List.of());
        var status = runner(true).run(new JobRunner.Request(UUID.randomUUID(), "scheduled", null,
                Instant.now().minus(Duration.ofMinutes(31)), p), () -> false);
        assertEquals(JobStatus.SKIPPED, status);
        assertEquals(List.of(EventType.JOB_STARTED, EventType.JOB_FINISHED), types());
        assertEquals(List.of(), logLines(), "nothing ran");
    }

    @Test
    void noRetryStartsAfterTheWindowCloses() throws IOException {
        script("pre_script.sh", "exit 0");
        Path backup = script("backup.sh", "exit 1");
        // 5 retries a "minute" (200 ms here) apart, but the window closes 100 ms after the first attempt starts.
        var p = policy(5, 1, command(backup), true, List.of());
        var status = runner(true).run(new JobRunner.Request(UUID.randomUUID(), "scheduled", null,
                Instant.now().minus(Duration.ofMillis(59_900)), p), () -> false);
        assertEquals(JobStatus.FAILED, status);
        assertEquals(1, events.stream().filter(e -> e.type() == EventType.ATTEMPT_STARTED).count());
        assertEquals(true, last(EventType.ATTEMPT_FINISHED).finalAttempt());
    }

    @Test
    void hooksRunAroundTheEngineInOrderWithTheirEnvironmentAndAfterFinalFailureRunsOnce() throws IOException {
        script("pre_script.sh", "echo pre >> " + log());
        script("post_script.sh", "echo post >> " + log());
        Path hook = script("hook.sh", "echo \"$FLEETHOOK_ACTION $FLEETHOOK_SOURCE_PATH $FLEETHOOK_BACKUP_STATUS\" >> " + log());
        Path backup = script("backup.sh", "echo backup >> " + log() + "; exit 1");
        List<PolicyDocument.Hook> hooks = List.of(
                new PolicyDocument.Hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                        List.of(hook.toString()), null, null),
                new PolicyDocument.Hook(1, HookPhase.BEFORE_FOLDER, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                        List.of(hook.toString()), null, null),
                new PolicyDocument.Hook(2, HookPhase.AFTER_FOLDER, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                        List.of(hook.toString()), null, null),
                new PolicyDocument.Hook(3, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                        List.of(hook.toString()), null, null),
                new PolicyDocument.Hook(4, HookPhase.AFTER_FINAL_FAILURE, HookSource.COMMAND, HookMode.ESSENTIAL, 30,
                        null, List.of(hook.toString()), null, null));
        runner(true).run(request(policy(0, null, command(backup), true, hooks)), () -> false);
        String data = dir.resolve("data").toString();
        // Job-level phases get the (first) source too: Kopia's snapshot-root semantics.
        assertEquals(List.of("pre", "before-backup " + data + " ", "before-folder " + data + " ", "backup",
                "after-folder " + data + " 1", "after-backup " + data + " 1", "post", "after-final-failure " + data + " 1"),
                logLines());
        assertEquals(5, events.stream().filter(e -> e.type() == EventType.HOOK_FINISHED).count());
    }

    @Test
    void anEssentialBeforeHookFailureMeansTheEngineIsNotExecutedButAfterHooksAndPostRun() throws IOException {
        script("pre_script.sh", "exit 0");
        script("post_script.sh", "echo \"post $3\" >> " + log());
        Path fail = script("fail.sh", "exit 9");
        Path after = script("after.sh", "echo after >> " + log());
        List<PolicyDocument.Hook> hooks = List.of(
                new PolicyDocument.Hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                        List.of(fail.toString()), null, null),
                new PolicyDocument.Hook(1, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, 30, null,
                        List.of(after.toString()), null, null));
        var status = runner(true).run(request(policy(0, null, archive(), true, hooks)), () -> false);
        assertEquals(JobStatus.FAILED, status);
        assertEquals(List.of("after", "post 4"), logLines());
        assertFalse(Files.exists(dir.resolve("archives")), "no archive written");
        assertEquals(9, events.stream().filter(e -> e.type() == EventType.HOOK_FINISHED).findFirst().orElseThrow()
                .result().exitCode());
    }

    @Test
    void withoutTheLocalOptInThePreScriptAndHooksAreRefusedNotRun() throws IOException {
        script("pre_script.sh", "echo ran >> " + log());
        script("post_script.sh", "echo ran >> " + log());
        Path hook = script("hook.sh", "echo ran >> " + log());
        var p = policy(0, null, archive(), true, List.of(new PolicyDocument.Hook(0, HookPhase.BEFORE_BACKUP,
                HookSource.COMMAND, HookMode.OPTIONAL, 30, null, List.of(hook.toString()), null, null)));
        var status = runner(false).run(request(p), () -> false);
        assertEquals(List.of(), logLines(), "nothing ran");
        JobEvent pre = events.stream().filter(e -> e.type() == EventType.SCRIPT_FINISHED).findFirst().orElseThrow();
        assertEquals(ScriptStatus.FAILED.code(), pre.result().status());
        assertTrue(pre.result().detail().startsWith("refused: scripts and hooks are not enabled"), pre.result().detail());
        assertEquals(BackupStatus.NOT_EXECUTED.code(), last(EventType.BACKUP_FINISHED).result().status(),
                "skip backup if the pre-script fails");
        assertEquals(JobStatus.FAILED, status);
        var reasons = LocalPolicyCheck.refusals(p, new HookRunner.Permissions(false, false, List.of(dir)));
        assertEquals(2, reasons.size(), reasons.toString());
    }

    @Test
    void aJobWaitsForItsAsyncHookWhoseTimeoutKillsItAndReportsItTimedOutBeforeTheJobEnds() throws IOException {
        // The reviewer's case: an async after-backup hook running sleep 47 with a 2 s timeout must not outlive
        // the job (backup-now exits right after run() returns), and its status must be reported.
        script("pre_script.sh", "exit 0");
        script("post_script.sh", "exit 0");
        Path pids = dir.resolve("pids");
        Path hook = script("notify.sh", "sleep 47 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait");
        var p = policy(0, null, archive(), true, List.of(new PolicyDocument.Hook(0, HookPhase.AFTER_BACKUP,
                HookSource.COMMAND, HookMode.ASYNC, 2, null, List.of(hook.toString()), null, null)));

        var status = runner(true).run(request(p), () -> false);

        assertEquals(JobStatus.SUCCEEDED, status, "an async hook's failure is recorded, it does not fail the job");
        List<Long> processes = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();
        assertEquals(2, processes.size());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertEquals(List.of(),
                HookRunnerTest.alive(processes), "no process of the hook outlives the job"));
        JobEvent hookEvent = events.stream().filter(e -> e.type() == EventType.HOOK_FINISHED).findFirst().orElseThrow();
        assertEquals(ScriptStatus.TIMED_OUT.code(), hookEvent.result().status(), hookEvent.result().detail());
        assertTrue(hookEvent.result().detail().contains("timed out after 2 s"), hookEvent.result().detail());
        assertEquals(1, events.stream().filter(e -> e.type() == EventType.HOOK_FINISHED).count(), "reported once");
        assertTrue(events.indexOf(hookEvent) < events.indexOf(last(EventType.JOB_FINISHED)),
                "reported before the job's end");
    }

    @Test
    void afterACrashBetweenPreAndPostThePostScriptStillRunsAndTheJobIsReportedFailed() throws IOException {
        script("post_script.sh", "echo \"post $1 $2 $3\" >> " + log());
        var p = policy(2, null, archive(), true, List.of());
        UUID job = UUID.randomUUID();
        JobJournal journal = new JobJournal(dir.resolve("journal"));
        // What the journal holds when the agent dies during the backup: pre succeeded, post pending.
        journal.write(journalEntry(p, job).at(1, JobJournal.Stage.BACKUP, 0, null));

        runner(true).recover();

        assertEquals(List.of("post " + job + " 0 1"), logLines(), "post-script ran with backup status Failed");
        assertEquals(List.of(EventType.BACKUP_FINISHED, EventType.SCRIPT_FINISHED, EventType.ATTEMPT_FINISHED,
                EventType.JOB_FINISHED), types());
        assertTrue(events.get(0).result().detail().contains("interrupted"));
        assertEquals(JobStatus.FAILED, last(EventType.JOB_FINISHED).jobStatus());
        assertEquals(List.of(), journal.unfinished(), "journal entry removed");
        runner(true).recover();
        assertEquals(1, logLines().size(), "a second start does not run it again");
    }

    @Test
    void aCrashDuringThePostScriptRunsItAgain() throws IOException {
        script("post_script.sh", "echo \"post $2 $3\" >> " + log());
        var p = policy(0, null, archive(), true, List.of());
        UUID job = UUID.randomUUID();
        new JobJournal(dir.resolve("journal")).write(journalEntry(p, job).at(1, JobJournal.Stage.POST, 0, 0));
        runner(true).recover();
        assertEquals(List.of("post 0 0"), logLines());
        assertEquals(JobStatus.SUCCEEDED, last(EventType.JOB_FINISHED).jobStatus());
    }

    /** Waits up to 15 s for {@code condition}. */
    static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15))
                .pollInterval(java.time.Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    PolicyDocument.Hook commandHook(int index, HookPhase phase, HookMode mode, Path program) {
        return new PolicyDocument.Hook(index, phase, HookSource.COMMAND, mode, 30, null, List.of(program.toString()), null,
                null);
    }

    @Test
    void anAfterFolderHookRunsOnlyForAFolderItsBeforeFolderHookPrepared() throws IOException {
        // Case 9 of issue 11: an essential before-backup hook fails; after-folder must not run for a folder
        // that before-folder never prepared, while after-backup (whose before hook ran) still cleans up.
        script("pre_script.sh", "exit 0");
        script("post_script.sh", "echo \"post $3\" >> " + log());
        Path fail = script("fail.sh", "echo before-backup >> " + log() + "; exit 3");
        Path hook = script("hook.sh", "echo \"$FLEETHOOK_ACTION\" >> " + log());
        var hooks = List.of(commandHook(0, HookPhase.BEFORE_BACKUP, HookMode.ESSENTIAL, fail),
                commandHook(1, HookPhase.BEFORE_FOLDER, HookMode.ESSENTIAL, hook),
                commandHook(2, HookPhase.AFTER_FOLDER, HookMode.ESSENTIAL, hook),
                commandHook(3, HookPhase.AFTER_BACKUP, HookMode.ESSENTIAL, hook));
        var status = runner(true).run(request(policy(0, null, archive(), true, hooks)), () -> false);
        assertEquals(JobStatus.FAILED, status);
        assertEquals(List.of("before-backup", "after-backup", "post 4"), logLines());
    }

    @Test
    void withTwoSourcesAnAfterFolderHookRunsForEachPreparedFolderOnly() throws IOException {
        // The same rule per folder: before-folder fails (essential) on the first source, so the second is
        // never prepared; after-folder runs for the first only.
        Path second = Files.createDirectories(dir.resolve("second"));
        Path hook = script("folder.sh", "echo \"$FLEETHOOK_ACTION $FLEETHOOK_SOURCE_PATH\" >> " + log()
                + "; [ \"$FLEETHOOK_ACTION\" != before-folder ]");
        var base = archive();
        var backup = new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString(),
                second.toString()), List.of(), base.archive(), null, null);
        var p = policy(0, null, backup, false, List.of(commandHook(0, HookPhase.BEFORE_FOLDER, HookMode.ESSENTIAL, hook),
                commandHook(1, HookPhase.AFTER_FOLDER, HookMode.ESSENTIAL, hook)));
        runner(true).run(request(p), () -> false);
        assertEquals(List.of("before-folder " + dir.resolve("data"), "after-folder " + dir.resolve("data")), logLines());
    }

    Path mysqldump() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fake = bin.resolve("mysqldump");
        // A stand-in for mysqldump that writes its --result-file, as the real one does.
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do case $a in --result-file=*) echo '-- dump' > "
                + "\"${a#--result-file=}\";; esac; done\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    List<String> archived() throws IOException, InterruptedException {
        Path archive;
        try (var files = Files.list(dir.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        Process tar = new ProcessBuilder("tar", "-tzf", archive.toString()).redirectErrorStream(true).start();
        List<String> names = new String(tar.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, tar.waitFor(), String.valueOf(names));
        return names;
    }

    @Test
    void kopiasDumpExampleAsABeforeBackupHookWritesIntoTheFirstSourceWithTwoSources() throws Exception {
        // Case 10 of issue 11: KOPIA_SOURCE_PATH was empty in a job-level phase, so the dump went to /dump.sql.
        Path bin = mysqldump();
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(second.resolve("other.txt"), "other");
        Path example = script("kopia-dump.sh", "set -e\nPATH=" + bin + ":$PATH\n"
                + "mysqldump SomeDatabase --result-file=$KOPIA_SOURCE_PATH/dump.sql\n"
                + "printf '%s|' \"$FLEETHOOK_SOURCE_PATHS\" > " + dir.resolve("sources.txt"));
        var base = archive();
        var backup = new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString(),
                second.toString()), List.of(), base.archive(), null, null);
        var status = runner(true).run(request(policy(0, null, backup, false,
                List.of(commandHook(0, HookPhase.BEFORE_BACKUP, HookMode.ESSENTIAL, example)))), () -> false);

        assertEquals(JobStatus.SUCCEEDED, status);
        assertEquals("-- dump", Files.readString(dir.resolve("data/dump.sql")).trim());
        assertFalse(Files.exists(Path.of("/dump.sql")), "nothing written to the file system root");
        List<String> names = archived();
        assertTrue(names.contains("data/dump.sql") && names.contains("second/other.txt"), names.toString());
        assertEquals(dir.resolve("data") + "\n" + second + "|", Files.readString(dir.resolve("sources.txt")));
    }

    @Test
    void aBeforeBackupRedirectReplacesTheFirstSourceOnlyWithTwoSources() throws Exception {
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(second.resolve("other.txt"), "other");
        Path snap = dir.resolve("snap");
        Path redirect = script("snapshot.sh", "mkdir -p " + snap + "/data && cp -r \"$KOPIA_SOURCE_PATH\"/. " + snap
                + "/data/ && echo frozen > " + snap + "/data/frozen.txt && echo KOPIA_SNAPSHOT_PATH=" + snap + "/data");
        Path after = script("after.sh", "echo \"$FLEETHOOK_ACTION $KOPIA_SOURCE_PATH $KOPIA_SNAPSHOT_PATH\" >> " + log());
        var base = archive();
        var backup = new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString(),
                second.toString()), List.of(), base.archive(), null, null);
        var status = runner(true).run(request(policy(0, null, backup, false,
                List.of(commandHook(0, HookPhase.BEFORE_BACKUP, HookMode.ESSENTIAL, redirect),
                        commandHook(1, HookPhase.AFTER_BACKUP, HookMode.ESSENTIAL, after)))), () -> false);

        assertEquals(JobStatus.SUCCEEDED, status);
        List<String> names = archived();
        assertTrue(names.contains("data/frozen.txt") && names.contains("data/file.txt"), names.toString());
        assertTrue(names.contains("second/other.txt"), "the second source is backed up as it is: " + names);
        assertEquals(List.of("after-backup " + dir.resolve("data") + " " + snap.resolve("data")), logLines());
    }

    @Test
    void anEngineErrorStillRunsTheAfterHooksAndThePostScriptAndReportsTheJob() throws IOException {
        // The general kind of case 1: an exception inside the engine (here a policy without its archive
        // settings, as a newer portal could send) is the backup's Failed status with a reason.
        script("pre_script.sh", "exit 0");
        script("post_script.sh", "echo \"post $3\" >> " + log());
        Path after = script("after.sh", "echo after-backup >> " + log());
        var broken = new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                null, null, null);
        var status = runner(true).run(request(policy(0, null, broken, true,
                List.of(commandHook(0, HookPhase.AFTER_BACKUP, HookMode.OPTIONAL, after)))), () -> false);

        assertEquals(JobStatus.FAILED, status);
        assertEquals(List.of("after-backup", "post 1"), logLines());
        JobEvent backup = last(EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.FAILED.code(), backup.result().status());
        assertTrue(backup.result().outputTail().startsWith("the backup engine stopped with an error: "),
                backup.result().outputTail());
        assertEquals(JobStatus.FAILED, last(EventType.JOB_FINISHED).jobStatus());
        assertEquals(List.of(), new JobJournal(dir.resolve("journal")).unfinished(), "nothing left running");
    }

    @Test
    void aJobThatBreaksOutsideAnyStepIsStillReportedNeverLeftRunning() throws IOException {
        // A policy without retry settings breaks the job loop itself: the job is reported Failed anyway.
        var p = policy(0, null, archive(), true, List.of());
        var noRetry = new PolicyDocument(p.policyId(), p.policyName(), p.revision(), p.os(), p.schedule(), null,
                p.backup(), p.scripts(), p.hooks());
        var status = runner(true).run(request(noRetry), () -> false);
        assertEquals(JobStatus.FAILED, status);
        assertEquals(EventType.JOB_FINISHED, events.get(events.size() - 1).type());
        assertEquals(JobStatus.FAILED, last(EventType.JOB_FINISHED).jobStatus());
    }

    @Test
    void aDamagedJournalEntryDoesNotKeepTheAgentFromStartingAndTheOthersAreFinished() throws IOException {
        script("post_script.sh", "echo \"post $3\" >> " + log());
        var p = policy(0, null, archive(), true, List.of());
        UUID job = UUID.randomUUID();
        JobJournal journal = new JobJournal(dir.resolve("journal"));
        journal.write(journalEntry(p, job).at(1, JobJournal.Stage.BACKUP, 0, null));
        Files.writeString(dir.resolve("journal/" + UUID.randomUUID() + ".json"), "{ half a jour");

        runner(true).recover();

        assertEquals(List.of("post 1"), logLines(), "the readable job was finished");
        assertEquals(List.of(), journal.unfinished());
        try (var files = Files.list(dir.resolve("journal"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".json.unreadable")).count(), "kept aside");
        }
    }

    static PolicyDocument.Hook commandHook(int index, HookPhase phase, Path program) {
        return new PolicyDocument.Hook(index, phase, HookSource.COMMAND, HookMode.ESSENTIAL, 30, null,
                List.of(program.toString()), null, null);
    }

    @Test
    void afterFailedAttemptHooksRunAfterThePostScriptOfEveryFailedAttemptAndNeverAfterASuccess() throws IOException {
        script("post_script.sh", "echo \"post $FLEETHOOK_ATTEMPT\" >> " + log());
        Path backup = script("backup.sh", "exit 1");
        Path hook = script("failed.sh", "echo \"failed $FLEETHOOK_ATTEMPT $FLEETHOOK_FINAL_ATTEMPT $FLEETHOOK_BACKUP_STATUS"
                + " $SUCCESS $FLEETHOOK_ACTION\" >> " + log());
        Path pre = script("pre_script.sh", "exit 0");
        var status = runner(true).run(request(policy(1, null, command(backup), false,
                List.of(commandHook(0, HookPhase.AFTER_FAILED_ATTEMPT, hook)))), () -> false);

        assertEquals(JobStatus.FAILED, status);
        assertEquals(List.of("post 1", "failed 1 0 1 0 after-failed-attempt", "post 2", "failed 2 1 1 0 after-failed-attempt"),
                logLines(), "every failed attempt, the last one too, after its post-script");
        List<EventType> order = types();
        assertTrue(order.indexOf(EventType.HOOK_FINISHED) < order.indexOf(EventType.ATTEMPT_FINISHED),
                "reported inside its attempt");

        Files.delete(log());
        Files.writeString(backup, "#!/bin/sh\nexit 0\n");
        assertEquals(JobStatus.SUCCEEDED, runner(true).run(request(policy(1, null, command(backup), false,
                List.of(commandHook(0, HookPhase.AFTER_FAILED_ATTEMPT, hook)))), () -> false));
        assertEquals(List.of("post 1"), logLines(), "no failed attempt, no after-failed-attempt hook");
        assertTrue(Files.exists(pre));
    }

    @Test
    void agentStopHooksRunAsAJobOfTheirOwn() throws IOException {
        Path hook = script("stop.sh", "echo \"stop $FLEETHOOK_ACTION $KOPIA_ACTION\" >> " + log());
        PolicyDocument p = policy(0, null, archive(), false, List.of(commandHook(0, HookPhase.AGENT_STOP, hook)));
        assertEquals(JobStatus.SUCCEEDED, runner(true).agentStop(p));
        assertEquals(List.of("stop agent-stop agent-stop"), logLines());
        assertEquals("agent-stop", events.get(0).trigger());
        // step-started announces the agent-stop hooks to the live job page before they run.
        assertEquals(List.of(EventType.JOB_STARTED, EventType.ATTEMPT_STARTED, EventType.STEP_STARTED,
                EventType.HOOK_FINISHED, EventType.ATTEMPT_FINISHED, EventType.JOB_FINISHED), types());
        assertEquals(null, runner(true).agentStop(policy(0, null, archive(), false, List.of())),
                "no agent-stop hook, no job");
    }

    @Test
    void kopiasVariablesHoldKopiasMeaningInEveryPhase() throws IOException {
        // Kopia: KOPIA_ACTION names the action, KOPIA_SOURCE_PATH the path being snapshotted, KOPIA_SNAPSHOT_PATH
        // what is actually snapshotted. Job-level phases get the first source (snapshot root), per-folder
        // phases their folder; a before-folder redirect shows in the matching after-folder.
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Path mnt = Files.createDirectories(dir.resolve("mnt-b"));
        Path env = script("env.sh", "echo \"$FLEETHOOK_ACTION|$KOPIA_ACTION|$KOPIA_SOURCE_PATH|$KOPIA_SNAPSHOT_PATH\" >> "
                + log());
        Path redirect = script("redirect.sh", "[ \"$KOPIA_SOURCE_PATH\" = " + b + " ] && echo KOPIA_SNAPSHOT_PATH=" + mnt
                + "; exit 0");
        Path backup = script("backup.sh", "exit 1");
        List<PolicyDocument.Hook> hooks = new java.util.ArrayList<>();
        int i = 0;
        for (HookPhase phase : HookPhase.values()) {
            if (phase != HookPhase.FILE_FILTER) {
                hooks.add(commandHook(i++, phase, env));
            }
        }
        hooks.add(commandHook(i, HookPhase.BEFORE_FOLDER, redirect));
        PolicyDocument p = policy(0, null, new PolicyDocument.Backup(BackupEngine.COMMAND, List.of(a.toString(),
                b.toString()), List.of(), null, null, List.of(backup.toString())), false, hooks);
        JobRunner runner = runner(true);
        runner.agentStart(p);
        runner.run(request(p), () -> false);
        runner.agentStop(p);

        assertEquals(List.of(
                "agent-start|agent-start|" + a + "|" + a,
                "before-backup|before-snapshot-root|" + a + "|" + a,
                "before-folder|before-folder|" + a + "|" + a,
                "before-folder|before-folder|" + b + "|" + b,
                "after-folder|after-folder|" + a + "|" + a,
                "after-folder|after-folder|" + b + "|" + mnt,
                "after-backup|after-snapshot-root|" + a + "|" + a,
                "after-failed-attempt|after-failed-attempt|" + a + "|" + a,
                "after-final-failure|after-final-failure|" + a + "|" + a,
                "agent-stop|agent-stop|" + a + "|" + a), logLines());
    }

    @Test
    void aJobSkippedBecauseItsWindowClosedCallsOnlyTheUserCallbackWithBackInTimesErrorTwo() throws IOException {
        Path callback = script("user-callback", "echo \"$2 $3 $4\" >> " + log());
        Path other = script("other.sh", "echo other >> " + log());
        PolicyDocument p = policy(0, 5, archive(), false, List.of(
                new PolicyDocument.Hook(0, HookPhase.AFTER_FAILED_ATTEMPT, HookSource.USER_CALLBACK, HookMode.ESSENTIAL,
                        30, callback.toString(), null, null, null),
                commandHook(1, HookPhase.AFTER_FAILED_ATTEMPT, other)));
        var status = runner(true).run(new JobRunner.Request(UUID.randomUUID(), "scheduled", null,
                Instant.now().minus(Duration.ofMinutes(10)), p), () -> false);
        assertEquals(JobStatus.SKIPPED, status);
        assertEquals(List.of("Nightly 4 2"), logLines(), "error 2; no other hook runs for a job that never started");
    }

    PolicyDocument filtered(HookMode mode, Path program, PolicyDocument.Backup backup) throws IOException {
        return policy(0, null, backup, false, List.of(new PolicyDocument.Hook(0, HookPhase.FILE_FILTER,
                HookSource.COMMAND, mode, 5, null, List.of(program.toString()), null, null)));
    }

    @Test
    void anEssentialFileFilterDecidesWhatTheArchiveHoldsAndItsDropsAreInTheStats() throws IOException {
        Path filter = scripts().resolve("filter");
        Files.writeString(filter, FileFilterTest.DROP_TMP);
        Files.setPosixFilePermissions(filter, PosixFilePermissions.fromString("rwxr-xr-x"));
        PolicyDocument.Backup backup = archive();
        Files.writeString(dir.resolve("data/cache.tmp"), "scratch");
        assertEquals(JobStatus.SUCCEEDED, runner(true).run(request(filtered(HookMode.ESSENTIAL, filter, backup)),
                () -> false));
        JobEvent finished = last(EventType.BACKUP_FINISHED);
        assertEquals(1L, ((Number) finished.result().stats().get("filterDropped")).longValue(), finished.result().stats().toString());
        assertEquals(1L, ((Number) finished.result().stats().get("files")).longValue());
        JobEvent hook = last(EventType.HOOK_FINISHED);
        assertEquals(HookPhase.FILE_FILTER, hook.phase());
        assertEquals("kept 1 of 2 files, dropped 1", hook.result().detail());
        try (var files = Files.list(dir.resolve("archives"))) {
            Path archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
            assertEquals(List.of("data/file.txt=precious"), EnginesTest.entries(archive));
        }
    }

    @Test
    void aDeadEssentialFilterFailsTheBackupAndADeadOptionalOneKeepsEverything() throws IOException {
        Path dies = script("dies", "exit 3");
        PolicyDocument.Backup backup = archive();
        Files.writeString(dir.resolve("data/cache.tmp"), "scratch");
        assertEquals(JobStatus.FAILED, runner(true).run(request(filtered(HookMode.ESSENTIAL, dies, backup)), () -> false));
        JobEvent failed = last(EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.FAILED.code(), failed.result().status());
        assertTrue(failed.result().outputTail().contains("the file filter died") && failed.result().outputTail()
                .contains("exit 3"), failed.result().outputTail());
        assertTrue(!Files.exists(dir.resolve("archives")) || Files.list(dir.resolve("archives")).findAny().isEmpty(),
                "the engine did not run");

        events.clear();
        assertEquals(JobStatus.SUCCEEDED, runner(true).run(request(filtered(HookMode.OPTIONAL, dies, backup)), () -> false));
        assertEquals(2L, ((Number) last(EventType.BACKUP_FINISHED).result().stats().get("files")).longValue(),
                "everything kept");
        assertEquals(ScriptStatus.FAILED.code(), last(EventType.HOOK_FINISHED).result().status());
    }
}
