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
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/**
 * Issue 13, part 1: every way a policy makes the agent start a process goes through {@link ProcessGate},
 * which resolves real paths before checking the local allowed roots and refuses engine options that
 * start programs unless the local config allows them. Each path is driven through a whole job with real
 * scripts and real symbolic links: a refused step is reported Failed with "refused: …" and what lies
 * outside the roots never runs (its marker file never appears). Where a case could pass without the gate,
 * a control run with the local opt-in shows that the same input does run a program.
 */
class ProcessGateTest {

    @TempDir
    Path dir;

    Path root;
    Path outside;
    Path marker;
    Path evil;
    final List<JobEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("outside"));
        marker = dir.resolve("pwned");
        evil = exe(outside, "evil.sh", "id > " + marker);
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/a.txt"), "a");
    }

    static Path exe(Path folder, String name, String body) throws IOException {
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    Path link(Path at, Path target) throws IOException {
        Files.createDirectories(at.getParent());
        return Files.createSymbolicLink(at, target);
    }

    JobRunner runner(Set<String> allowedOptions) throws IOException {
        var settings = new JobRunner.Settings("fs-01",
                new HookRunner.Permissions(true, true, List.of(root), allowedOptions),
                Files.createDirectories(dir.resolve("scratch")), secrets(), TargetOs.LINUX, "test",
                Duration.ofMillis(200));
        return new JobRunner(settings, events::add, new JobJournal(dir.resolve("journal")));
    }

    Path secrets() throws IOException {
        Path s = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(s.resolve("restic-main"), "correct horse battery staple\n");
        return s;
    }

    PolicyDocument policy(Path scripts, PolicyDocument.Backup backup, List<PolicyDocument.Hook> hooks) {
        PolicyDocument.Scripts s = scripts == null ? new PolicyDocument.Scripts(false, null, null, null, false, null)
                : new PolicyDocument.Scripts(true, scripts.toString(), scripts.resolve("pre_script.sh").toString(),
                        scripts.resolve("post_script.sh").toString(), false, 60);
        return new PolicyDocument(UUID.randomUUID().toString(), "Nightly", 1, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.MANUAL, null, "UTC", null), new PolicyDocument.Retry(0, 1),
                backup, s, hooks);
    }

    PolicyDocument.Backup archive() {
        return new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                new PolicyDocument.Archive(dir.resolve("archives").toString(), 3), null, null);
    }

    PolicyDocument.Backup command(String program) {
        return new PolicyDocument.Backup(BackupEngine.COMMAND, List.of(dir.resolve("data").toString()), List.of(), null,
                null, List.of(program));
    }

    PolicyDocument.Backup restic(String repository, List<String> extraArgs) {
        return new PolicyDocument.Backup(BackupEngine.RESTIC, List.of(dir.resolve("data").toString()), List.of(), null,
                new PolicyDocument.Restic(repository, "restic-main", extraArgs), null);
    }

    static PolicyDocument.Hook hook(HookPhase phase, HookSource source, String path, List<String> command) {
        return new PolicyDocument.Hook(0, phase, source, HookMode.ESSENTIAL, 30, path, command, null, null);
    }

    void run(PolicyDocument policy, Set<String> allowedOptions) throws IOException {
        runner(allowedOptions).run(new JobRunner.Request(UUID.randomUUID(), "scheduled", null, Instant.now(), policy),
                () -> false);
    }

    JobEvent last(EventType type) {
        return events.stream().filter(e -> e.type() == type).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + type + " in " + events));
    }

    List<JobEvent> all(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    static String why(JobEvent e) {
        return String.valueOf(e.result().detail()) + " " + e.result().outputTail();
    }

    void assertRefused(JobEvent e, String... words) {
        assertEquals(ScriptStatus.FAILED.code(), e.result().status(), why(e));
        assertTrue(why(e).contains("refused: "), why(e));
        for (String w : words) {
            assertTrue(why(e).contains(w), "\"" + w + "\" in " + why(e));
        }
        assertFalse(Files.exists(marker), "the program outside the allowed roots did not run");
    }

    // ------------------------------------------------------------------ symbolic links out of the roots

    @Test
    void aScriptFolderThatIsASymlinkOutOfTheRootsRunsNeitherPreNorPostScript() throws IOException {
        exe(outside, "pre_script.sh", "id > " + marker);
        exe(outside, "post_script.sh", "id > " + marker);
        Path scripts = link(root.resolve("scripts"), outside);

        run(policy(scripts, archive(), List.of()), Set.of());

        List<JobEvent> steps = all(EventType.SCRIPT_FINISHED);
        assertEquals(2, steps.size(), steps.toString());
        assertRefused(steps.get(0), "outside the agent's allowed roots", "really " + outside.resolve("pre_script.sh"));
        assertRefused(steps.get(1), "outside the agent's allowed roots");
    }

    @Test
    void aPreScriptThatIsASymlinkOutOfTheRootsIsRefusedAndTheRealOneInsideStillRuns() throws IOException {
        Path scripts = Files.createDirectories(root.resolve("scripts"));
        link(scripts.resolve("pre_script.sh"), evil);
        Path log = dir.resolve("post.log");
        exe(scripts, "post_script.sh", "echo post > " + log);

        run(policy(scripts, archive(), List.of()), Set.of());

        assertRefused(all(EventType.SCRIPT_FINISHED).get(0), "really " + evil);
        assertEquals(ScriptStatus.SUCCEEDED.code(), all(EventType.SCRIPT_FINISHED).get(1).result().status());
        assertTrue(Files.exists(log), "a script really inside the roots runs");
    }

    @Test
    void aCommandHookThatIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path program = link(root.resolve("hooks/before.sh"), evil);
        run(policy(null, archive(), List.of(hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, null,
                List.of(program.toString(), "--now")))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "really " + evil);
        assertEquals(BackupStatus.NOT_EXECUTED.code(), last(EventType.BACKUP_FINISHED).result().status());
    }

    @Test
    void aFileFilterThatIsASymlinkOutOfTheRootsIsRefusedAndFailsTheBackup() throws IOException {
        Path program = link(root.resolve("hooks/filter"), evil);
        run(policy(null, archive(), List.of(hook(HookPhase.FILE_FILTER, HookSource.COMMAND, null,
                List.of(program.toString())))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "really " + evil);
        assertEquals(BackupStatus.FAILED.code(), last(EventType.BACKUP_FINISHED).result().status());
    }

    @Test
    void aUserCallbackThatIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path program = link(root.resolve("hooks/user-callback"), evil);
        run(policy(null, archive(), List.of(hook(HookPhase.BEFORE_BACKUP, HookSource.USER_CALLBACK, program.toString(),
                null))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "really " + evil);
    }

    @Test
    void aCommandHookThatClimbsOutWithDotDotIsRefused() throws IOException {
        String program = root + "/../outside/evil.sh";
        run(policy(null, archive(), List.of(hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, null,
                List.of(program)))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "outside the agent's allowed roots");
    }

    @Test
    void aConventionHookThatIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path program = link(root.resolve("hooks/after_backup.sh"), evil);
        run(policy(null, archive(), List.of(hook(HookPhase.AFTER_BACKUP, HookSource.CONVENTION, program.toString(),
                null))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "really " + evil);
    }

    @Test
    void aDirectoryHooksEntryThatIsASymlinkOutOfTheRootsIsRefusedAndTheOthersRun() throws IOException {
        Path hooks = Files.createDirectories(root.resolve("before.d"));
        link(hooks.resolve("10-evil"), evil);
        Path log = dir.resolve("good.log");
        exe(hooks, "20-good", "echo good > " + log);

        run(policy(null, archive(), List.of(hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, hooks.toString(),
                null))), Set.of());

        JobEvent hook = last(EventType.HOOK_FINISHED);
        assertEquals(ScriptStatus.FAILED.code(), hook.result().status(), why(hook));
        assertTrue(why(hook).contains("10-evil: refused, ") && why(hook).contains("really " + evil), why(hook));
        assertTrue(why(hook).contains("20-good: exit 0"), why(hook));
        assertTrue(Files.exists(log));
        assertFalse(Files.exists(marker));
    }

    @Test
    void aDirectoryHookWhoseFolderIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path hooks = link(root.resolve("after.d"), outside);
        run(policy(null, archive(), List.of(hook(HookPhase.AFTER_BACKUP, HookSource.DIRECTORY, hooks.toString(),
                null))), Set.of());
        assertRefused(last(EventType.HOOK_FINISHED), "outside the agent's allowed roots");
    }

    @Test
    void anAgentStartHookThatIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path program = link(root.resolve("hooks/on-start.sh"), evil);
        runner(Set.of()).agentStart(policy(null, archive(), List.of(hook(HookPhase.AGENT_START, HookSource.COMMAND,
                null, List.of(program.toString())))));
        assertRefused(last(EventType.HOOK_FINISHED), "really " + evil);
    }

    @Test
    void aStoredScriptRunsOnlyWithBothLocalOptIns() throws IOException {
        String body = "#!/bin/sh\nid > " + marker + "\n";
        PolicyDocument policy = policy(null, archive(), List.of(new PolicyDocument.Hook(0, HookPhase.BEFORE_BACKUP,
                HookSource.STORED, HookMode.ESSENTIAL, 30, null, null, body, dev.fleethook.protocol.Sha256.hex(body))));
        var settings = new JobRunner.Settings("fs-01", new HookRunner.Permissions(true, false, List.of(root)),
                Files.createDirectories(dir.resolve("scratch")), secrets(), TargetOs.LINUX, "test", Duration.ofMillis(200));
        new JobRunner(settings, events::add, new JobJournal(dir.resolve("journal")))
                .run(new JobRunner.Request(UUID.randomUUID(), "scheduled", null, Instant.now(), policy), () -> false);
        assertRefused(last(EventType.HOOK_FINISHED), "stored scripts are not enabled");
        assertFalse(new ProcessGate(new HookRunner.Permissions(false, true, List.of(root)))
                .storedScript(List.of("/bin/true")).allowed(), "hooksEnabled is needed too");

        events.clear();
        run(policy, Set.of()); // runner(): both opt-ins on
        assertEquals(ScriptStatus.SUCCEEDED.code(), last(EventType.HOOK_FINISHED).result().status());
        assertTrue(Files.exists(marker), "with both opt-ins the stored script runs");
    }

    @Test
    void theCommandEngineThatIsASymlinkOutOfTheRootsIsRefused() throws IOException {
        Path program = link(root.resolve("backup.sh"), evil);
        run(policy(null, command(program.toString()), List.of()), Set.of());
        JobEvent backup = last(EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.FAILED.code(), backup.result().status());
        assertTrue(why(backup).contains("refused: ") && why(backup).contains("really " + evil), why(backup));
        assertFalse(Files.exists(marker));
    }

    @Test
    void anAllowedRootThatIsItselfASymlinkStillAllowsWhatLiesInIt() throws IOException {
        // The check compares real paths on both sides: a root reached through a link is not lost.
        Path realRoot = Files.createDirectories(dir.resolve("real-root"));
        Path log = dir.resolve("ran.log");
        exe(realRoot, "backup.sh", "echo ran > " + log);
        Files.delete(root);
        link(root, realRoot);
        run(policy(null, command(root.resolve("backup.sh").toString()), List.of()), Set.of());
        assertEquals(BackupStatus.SUCCEEDED.code(), last(EventType.BACKUP_FINISHED).result().status());
        assertTrue(Files.exists(log));
    }

    // ------------------------------------------------------------------ restic options that run programs

    @Test
    void resticSftpCommandInExtraArgsIsRefusedAndReportedAndWouldOtherwiseRun() throws IOException {
        // The handed case: "extraArgs": ["-o", "sftp.command=/bin/sh -c 'id > /tmp/x'"] wrote uid=0(root).
        List<String> extra = List.of("-o", "sftp.command=/bin/sh -c 'id > " + marker + "'");
        PolicyDocument policy = policy(null, restic("sftp:backup@nas:/srv/restic", extra), List.of());

        run(policy, Set.of());
        JobEvent backup = last(EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.FAILED.code(), backup.result().status());
        assertTrue(why(backup).contains("refused: restic option sftp.command runs a program"), why(backup));
        assertFalse(Files.exists(marker), "the command did not run");
        assertTrue(LocalPolicyCheck.refusals(policy, new HookRunner.Permissions(true, false, List.of(root)))
                .stream().anyMatch(r -> r.contains("sftp.command")), "refused when the policy arrives, too");

        // Control: with the local opt-in restic does run it, so the refusal above is the gate's doing.
        ResticEngineTest.resticInstalled();
        events.clear();
        run(policy, Set.of("sftp.command"));
        assertTrue(Files.exists(marker), "with sftp.command allowed locally, restic runs the command");
    }

    @Test
    void resticRcloneProgramIsRefusedWithAnRcloneRepositoryAndWouldOtherwiseRun() throws IOException {
        PolicyDocument policy = policy(null, restic("rclone:remote:backups", List.of("-o", "rclone.program=" + evil)),
                List.of());
        run(policy, Set.of());
        JobEvent backup = last(EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.FAILED.code(), backup.result().status());
        assertTrue(why(backup).contains("refused: restic option rclone.program runs a program"), why(backup));
        assertFalse(Files.exists(marker));

        ResticEngineTest.resticInstalled();
        events.clear();
        run(policy, Set.of("rclone.program"));
        assertTrue(Files.exists(marker), "with rclone.program allowed locally, restic runs the program");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "-o|sftp.command=sh -c id", "-osftp.command=sh", "-o=sftp.command=sh", "--option|sftp.command=sh",
            "--option=sftp.command=sh", "-o| SFTP.Command =sh", "-vo|sftp.command=sh", "-qvosftp.command=sh",
            "-o|sftp.args=-oProxyCommand=sh", "-o|rclone.program=/x", "-o|rclone.args=serve restic --stdio --sftp-ssh=sh",
            "--password-command|sh -c 'cat /etc/shadow'", "--password-command=sh", "--stdin-from-command",
            "-r|sftp:-oProxyCommand=sh:/repo", "--repo=sftp:user@-oProxyCommand=sh:/r", "--repository|rclone:--config=/x",
            "-r|rclone::sftp,ssh='sh -c id':/repo", "-rrclone:remote,ssh=sh:/repo", "-zo|sftp.command=sh",
            "--exclude|x|sftp.command=sh" })
    void everySpellingOfAProgramOptionIsRefused(String joined) {
        List<String> args = List.of(joined.split("\\|"));
        ProcessGate gate = new ProcessGate(new HookRunner.Permissions(true, false, List.of(root)));
        assertFalse(gate.resticRefusals(args, "/srv/restic").isEmpty(), args + " was let through");
        assertFalse(gate.restic(List.of("restic"), args, "/srv/restic").allowed());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sftp:-oProxyCommand=sh -c id:/repo", "sftp://-oProxyCommand=x/repo", "sftp:-l:/repo",
            "rclone:-vv", "rclone::sftp,host=h,ssh=sh:/repo", "rclone:remote,ssh=sh:/repo", "/srv/re\npo" })
    void aRepositoryThatWouldHaveTheBackendRunAProgramIsRefused(String repository) {
        ProcessGate gate = new ProcessGate(new HookRunner.Permissions(true, false, List.of(root)));
        assertFalse(gate.restic(List.of("restic"), List.of(), repository).allowed(), repository);
    }

    @Test
    void ordinaryOptionsAndRepositoriesPassAndALocalOptInAllowsItsOption() {
        ProcessGate strict = new ProcessGate(new HookRunner.Permissions(true, false, List.of(root)));
        assertEquals(List.of(), strict.resticRefusals(List.of("--host", "fs-01", "-o", "s3.storage-class=STANDARD_IA",
                "--exclude-caches", "-x", "--tag", "nightly", "-H", "fs-01", "--compression=max"), "sftp:backup@nas:/srv/restic"));
        assertEquals(List.of(), strict.resticRefusals(List.of(), "rclone:b2-remote:bucket/restic"));
        assertEquals(List.of(), strict.resticRefusals(List.of(), "s3:s3.amazonaws.com/bucket"));
        ProcessGate lenient = new ProcessGate(new HookRunner.Permissions(true, false, List.of(root),
                Set.of("sftp.command", "--password-command", "rclone.connection-string")));
        assertEquals(List.of(), lenient.resticRefusals(List.of("-o", "sftp.command=ssh -4 nas -s sftp",
                "--password-command", "pass show restic"), "rclone::b2,account=x:bucket"));
        assertFalse(lenient.resticRefusals(List.of("-o", "rclone.program=/x"), null).isEmpty(),
                "only the options listed are allowed");
    }

    // ------------------------------------------------------------------ killing what a crash left running

    @Test
    void recoveryKillsARecordedSessionWithItsChildrenButNotAnotherBootsNorAReusedId() throws Exception {
        long marker = 8_000_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        Path engine = exe(root, "engine.sh", "sleep " + marker + " &\nsleep " + marker + "\n");
        List<Long> sessions = new CopyOnWriteArrayList<>();
        ProcessGate gate = new ProcessGate(new HookRunner.Permissions(true, false, List.of(root)), sessions::add);
        Thread run = new Thread(() -> ScriptRunner.run(gate.policyProgram(List.of(engine.toString()), 0, null).launch(),
                java.util.Map.of(), null, null));
        run.setDaemon(true);
        run.start();
        java.util.function.Supplier<Long> alive = () -> ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").endsWith("sleep " + marker)).count();
        AgentProcessTest.await(() -> alive.get() == 2, Duration.ofSeconds(10));
        long id = sessions.get(0);
        Instant started = ProcessHandle.of(id).orElseThrow().info().startInstant().orElseThrow();
        try {
            assertEquals(0, ProcessGate.killSessions(List.of(new ProcessGate.Session(id, started)), "another-boot",
                    Duration.ofSeconds(2)), "after a reboot the ids mean other processes");
            assertEquals(0, ProcessGate.killSessions(List.of(new ProcessGate.Session(id, started.minusSeconds(60))),
                    ProcessGate.bootId(), Duration.ofSeconds(2)), "a leader that started at another time is not ours");
            assertEquals(2, alive.get());

            assertTrue(ProcessGate.killSessions(List.of(new ProcessGate.Session(id, started)), ProcessGate.bootId(),
                    Duration.ofSeconds(10)) >= 2);
            assertEquals(0, alive.get(), "the session's leader and its background child are gone when it returns");
        } finally {
            ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").endsWith("sleep " + marker))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    // ------------------------------------------------------------------ every start point passes the gate

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.fleethook");

    @Test
    void onlyTheGateStartsProcesses() {
        // Locales only starts the agent's own JVM again (and kill for its signals): no policy input at all.
        DescribedPredicate<JavaMethodCall> startsAProcess = new DescribedPredicate<>("start a process") {
            @Override
            public boolean test(JavaMethodCall call) {
                String owner = call.getTargetOwner().getName();
                String name = call.getName();
                return (owner.equals(ProcessBuilder.class.getName()) && name.startsWith("start"))
                        || (owner.equals(Runtime.class.getName()) && name.equals("exec"));
            }
        };
        ArchRuleDefinition.noClasses().that().doNotHaveFullyQualifiedName(ProcessGate.class.getName())
                .and().doNotHaveFullyQualifiedName(Locales.class.getName())
                .should().callMethodWhere(startsAProcess)
                .check(MAIN);
    }

    @Test
    void everyCallerOfTheRunnerIsCoveredByTheTestsAbove() {
        // ScriptRunner.run takes only a ProcessGate.Launch, which only the gate makes. The start points are
        // enumerated here: a new one fails this test until a case above proves it goes through the gate.
        Set<String> callers = new TreeSet<>();
        MAIN.get(ScriptRunner.class).getMethods().stream().filter(m -> m.getName().equals("run"))
                .flatMap(m -> m.getCallsOfSelf().stream())
                .filter(call -> !call.getOriginOwner().equals(MAIN.get(ScriptRunner.class)))
                .forEach(call -> callers.add(call.getOriginOwner().getSimpleName() + "." + call.getOrigin().getName()
                        .replaceAll("^lambda\\$(\\w+)\\$\\d+$", "$1")));
        assertEquals(new TreeSet<>(List.of(
                "AttemptRunner.script", // pre/post-script: aScriptFolderThat…, aPreScriptThat…
                "Engines.command", // command engine: theCommandEngineThat…
                "Engines.restic", // restic: resticSftpCommand…, resticRcloneProgram…, everySpelling…
                "HookRunner.directory", // directory hook entries: aDirectoryHooksEntry…
                "HookRunner.execute", // command, convention, stored, agent-start hooks: aCommandHook…, …
                "HookRunner.userCallback")), // Back In Time's user-callback: aUserCallbackThatIsASymlink…
                callers);
        Set<String> deciders = new TreeSet<>();
        for (String method : List.of("policyProgram", "storedScript", "restic")) {
            MAIN.get(ProcessGate.class).getMethods().stream().filter(m -> m.getName().equals(method))
                    .flatMap(m -> m.getCallsOfSelf().stream())
                    .forEach(call -> deciders.add(call.getOriginOwner().getSimpleName() + "." + method));
        }
        assertEquals(new TreeSet<>(List.of("AttemptRunner.policyProgram", "Engines.policyProgram", "Engines.restic",
                "HookRunner.policyProgram", "HookRunner.storedScript",
                "JobRunner.policyProgram")), deciders); // file-filter hooks: aFileFilterThatIsASymlink…
    }
}
