package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.protocol.TestRun;

/** {@link TestRuns} with real scripts: what a test run runs, with which arguments and environment, and what it refuses. */
class TestRunsTest {

    @TempDir
    Path dir;

    private static final UUID ID = UUID.fromString("7e57a000-0000-4000-8000-000000000001");

    TestRuns testRuns(boolean hooksEnabled, Path root) throws IOException {
        return new TestRuns(new JobRunner.Settings("fs-01", new HookRunner.Permissions(hooksEnabled, false, List.of(root)),
                Files.createDirectories(dir.resolve("scratch")), dir.resolve("secrets"), TargetOs.LINUX, "test",
                Duration.ofMillis(200)));
    }

    Path exe(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    PolicyDocument policy(List<PolicyDocument.Hook> hooks) {
        Path s = dir.resolve("scripts");
        return new PolicyDocument(UUID.randomUUID().toString(), "Nightly", 3, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.MANUAL, null, "UTC", null), new PolicyDocument.Retry(0, 1), null,
                new PolicyDocument.Scripts(true, s.toString(), s.resolve("pre_script.sh").toString(),
                        s.resolve("post_script.sh").toString(), true, 5),
                hooks);
    }

    static PolicyDocument.Hook hook(int index, HookPhase phase, HookMode mode, Path program) {
        return new PolicyDocument.Hook(index, phase, HookSource.COMMAND, mode, 10, null, List.of(program.toString()), null,
                null);
    }

    @Test
    void thePreScriptRunsWithTheTestRunAsItsJobAndFleethookTestSet() throws IOException {
        exe("scripts/pre_script.sh", "echo \"args=$1 job=$FLEETHOOK_JOB_ID test=$FLEETHOOK_TEST\"; exit 4");
        StepResult r = testRuns(true, dir).run(ID, new TestRun(TestRun.Target.PRE_SCRIPT, null, null, null), policy(List.of()));
        assertEquals(ScriptStatus.FAILED.code(), r.status());
        assertEquals(4, r.exitCode());
        assertEquals("args=" + ID + " job=" + ID + " test=1\n", r.outputTail());
    }

    @Test
    void thePostScriptGetsTheChosenStatusIntegers() throws IOException {
        exe("scripts/post_script.sh", "echo \"$2 $3 $FLEETHOOK_PRE_STATUS $FLEETHOOK_BACKUP_STATUS\"");
        StepResult r = testRuns(true, dir).run(ID, new TestRun(TestRun.Target.POST_SCRIPT, null, 3, 5), policy(List.of()));
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.status());
        assertEquals("3 5 3 5\n", r.outputTail());
    }

    @Test
    void oneHookRunsByItsIndexAndAnAsyncHookIsWaitedFor() throws IOException {
        Path first = exe("hooks/first.sh", "echo first; exit 1");
        Path second = exe("hooks/second.sh", "sleep 1; echo \"$FLEETHOOK_ACTION test=$FLEETHOOK_TEST\"; exit 2");
        PolicyDocument p = policy(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookMode.ESSENTIAL, first),
                hook(1, HookPhase.AFTER_BACKUP, HookMode.ASYNC, second)));
        StepResult r = testRuns(true, dir).run(ID, new TestRun(TestRun.Target.HOOK, 1, null, null), p);
        assertEquals(ScriptStatus.FAILED.code(), r.status());
        assertEquals(2, r.exitCode());
        assertEquals("after-backup test=1\n", r.outputTail());
        assertTrue(r.durationMs() >= 900, "waited for the async hook: " + r.durationMs() + " ms");
    }

    @Test
    void hooksOffLocallyOrOutsideTheAllowedRootsAreRefusedAndNothingRuns() throws IOException {
        Path marker = dir.resolve("ran");
        Path h = exe("hooks/touch.sh", "touch " + marker);
        PolicyDocument p = policy(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookMode.ESSENTIAL, h)));
        StepResult off = testRuns(false, dir).run(ID, new TestRun(TestRun.Target.HOOK, 0, null, null), p);
        assertEquals(ScriptStatus.FAILED.code(), off.status());
        assertTrue(off.detail().startsWith(TestRun.REFUSED) && off.detail().contains("not enabled"), off.detail());
        exe("scripts/pre_script.sh", "touch " + marker);
        StepResult outside = testRuns(true, Files.createDirectories(dir.resolve("elsewhere")))
                .run(ID, new TestRun(TestRun.Target.PRE_SCRIPT, null, null, null), p);
        assertTrue(outside.detail().startsWith(TestRun.REFUSED), outside.detail());
        assertTrue(Files.notExists(marker), "nothing ran");
    }

    @Test
    void anUnknownHookOrAFileFilterOrNoPolicyIsAFailedTestWithTheReason() throws IOException {
        Path h = exe("hooks/filter.sh", "cat");
        PolicyDocument p = policy(List.of(hook(0, HookPhase.FILE_FILTER, HookMode.ESSENTIAL, h)));
        TestRuns t = testRuns(true, dir);
        assertTrue(t.run(ID, new TestRun(TestRun.Target.HOOK, 5, null, null), p).detail().contains("has no hook 5"));
        assertTrue(t.run(ID, new TestRun(TestRun.Target.HOOK, 0, null, null), p).detail().contains("file-filter"));
        assertTrue(t.run(ID, new TestRun(TestRun.Target.PRE_SCRIPT, null, null, null), null).detail().contains("no policy"));
        assertEquals(ScriptStatus.SKIPPED.code(), t.run(ID, new TestRun(TestRun.Target.PRE_SCRIPT, null, null, null), p)
                .status(), "a missing pre-script is Skipped, as in a job");
    }
}
