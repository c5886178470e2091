package dev.fleethook.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.PolicySpec.Archive;
import dev.fleethook.policy.PolicySpec.Backup;
import dev.fleethook.policy.PolicySpec.Hook;
import dev.fleethook.policy.PolicySpec.OsScripts;
import dev.fleethook.policy.PolicySpec.Restic;
import dev.fleethook.policy.PolicySpec.Retry;
import dev.fleethook.policy.PolicySpec.Schedule;
import dev.fleethook.policy.PolicySpec.Scripts;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.Problem.FieldError;
import jakarta.validation.Validation;

/**
 * Every rule of {@link PolicyValidator}, without a Quarkus boot: the field path each problem names and
 * the reason an administrator reads, plus the stored form {@link PolicyValidator#normalize} produces.
 */
class PolicyValidatorTest {

    static final Schedule DEFAULT_SCHEDULE = new Schedule(ScheduleKind.DAILY, null, "02:00", null);
    static final Retry DEFAULT_RETRY = new Retry(2, 10);
    static final Backup DEFAULT_BACKUP = new Backup(BackupEngine.ARCHIVE, List.of("/data"), List.of(),
            new Archive("/backups", 7), null, null);
    static final OsScripts OFF = new OsScripts(false, null);
    static final Scripts NO_SCRIPTS = new Scripts(OFF, OFF, false, null);
    static final Scripts LINUX_SCRIPTS = new Scripts(new OsScripts(true, "/etc/fleethook/scripts"), OFF, false, null);

    PolicyValidator validator;

    @BeforeEach
    void plainValidator() {
        validator = new PolicyValidator();
        // Hibernate Validator as Quarkus runs it, with the annotations' literal messages (no EL needed).
        validator.validator = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();
    }

    /** A small builder: a valid policy, changed one part at a time. */
    record Spec(String name, Schedule schedule, Integer window, Backup backup, Scripts scripts, List<Hook> hooks) {
        static Spec valid() {
            return new Spec("Nightly", DEFAULT_SCHEDULE, null, DEFAULT_BACKUP, NO_SCRIPTS, List.of());
        }

        Spec name(String n) {
            return new Spec(n, schedule, window, backup, scripts, hooks);
        }

        Spec schedule(Schedule s) {
            return new Spec(name, s, window, backup, scripts, hooks);
        }

        Spec window(Integer w) {
            return new Spec(name, schedule, w, backup, scripts, hooks);
        }

        Spec backup(Backup b) {
            return new Spec(name, schedule, window, b, scripts, hooks);
        }

        Spec scripts(Scripts s) {
            return new Spec(name, schedule, window, backup, s, hooks);
        }

        Spec hooks(Hook... h) {
            return new Spec(name, schedule, window, backup, scripts, new ArrayList<>(Arrays.asList(h)));
        }

        PolicySpec build() {
            return new PolicySpec(name, null, schedule, window, DEFAULT_RETRY, backup, scripts, hooks);
        }
    }

    static Hook hook(HookPhase phase, HookSource source) {
        return switch (source) {
            case DIRECTORY -> new Hook(phase, source, null, null, "/etc/fleethook/hooks.d", null, null, null);
            case USER_CALLBACK -> new Hook(phase, source, null, null, "/usr/local/bin/callback", null, null, null);
            case COMMAND -> new Hook(phase, source, null, null, null, List.of("/usr/bin/true"), null, null);
            case STORED -> new Hook(phase, source, null, null, null, null, "echo hi\n", null);
            case CONVENTION -> new Hook(phase, source, null, null, null, null, null, null);
        };
    }

    static Hook with(Hook h, HookMode mode, Integer timeout) {
        return new Hook(h.phase(), h.source(), mode, timeout, h.path(), h.command(), h.script(), h.sha256());
    }

    List<FieldError> problems(Spec spec) {
        return validator.problems(spec.build(), null);
    }

    /** Exactly one problem, on {@code field}, with {@code reason}. */
    void only(List<FieldError> errors, String field, String reason) {
        assertEquals(List.of(new FieldError(field, reason)), errors);
    }

    static Backup backup(BackupEngine engine, List<String> sources, List<String> excludes, Archive archive, Restic restic,
            List<String> command) {
        return new Backup(engine, sources, excludes, archive, restic, command);
    }

    @Test
    void aValidPolicyHasNoProblems() {
        assertEquals(List.of(), problems(Spec.valid()));
        assertEquals(List.of(), problems(Spec.valid().scripts(LINUX_SCRIPTS)
                .hooks(hook(HookPhase.BEFORE_BACKUP, HookSource.CONVENTION), hook(HookPhase.AFTER_BACKUP, HookSource.STORED))));
    }

    @Test
    void aMissingPolicyAndTheAnnotationsNameTheirField() {
        only(validator.problems(null, null), "spec", "is required");
        only(problems(Spec.valid().name(" ")), "name", "is required");
        only(problems(Spec.valid().window(4)), "windowMinutes", "must be 5 to 10080 minutes, or empty for no window");
        only(problems(Spec.valid().schedule(new Schedule(ScheduleKind.DAILY, null, "25:00", null))), "schedule.time",
                "must be a time as HH:mm");
    }

    @Test
    void scheduleRules() {
        only(problems(Spec.valid().schedule(new Schedule(ScheduleKind.CRON, "", null, null))), "schedule.cron",
                "is required for a cron schedule");
        only(problems(Spec.valid().schedule(new Schedule(ScheduleKind.CRON, "0 2 * *", null, null))), "schedule.cron",
                "must have 5 fields: minute hour day-of-month month day-of-week");
        List<FieldError> badCron = problems(Spec.valid().schedule(new Schedule(ScheduleKind.CRON, "61 2 * * *", null, null)));
        assertEquals(1, badCron.size(), badCron.toString());
        assertEquals("schedule.cron", badCron.get(0).field());
        assertTrue(badCron.get(0).message().startsWith("is not a valid cron expression: "), badCron.get(0).message());
        only(problems(Spec.valid().schedule(new Schedule(ScheduleKind.DAILY, null, null, null))), "schedule.time",
                "is required for a daily schedule (HH:mm)");
        only(problems(Spec.valid().schedule(new Schedule(ScheduleKind.WEEKLY, null, "03:00", List.of()))),
                "schedule.days", "choose at least one day for a weekly schedule");
        assertEquals(List.of(), problems(Spec.valid().schedule(new Schedule(ScheduleKind.MANUAL, null, null, null))));
    }

    @Test
    void backupSourcesExcludesAndEngines() {
        only(problems(Spec.valid().backup(backup(BackupEngine.ARCHIVE, List.of(), null, new Archive("/b", 7), null, null))),
                "backup.sources", "list at least one folder to back up");
        only(problems(Spec.valid().backup(backup(BackupEngine.ARCHIVE, List.of("/data", "data/../etc"), null,
                new Archive("/b", 7), null, null))), "backup.sources[1]",
                "must be an absolute path (/data or D:\\data), without '..'");
        only(problems(Spec.valid().backup(backup(BackupEngine.ARCHIVE, List.of("/data"), List.of("*.tmp", " "),
                new Archive("/b", 7), null, null))), "backup.excludes[1]", "must not be empty");
        only(problems(Spec.valid().backup(backup(BackupEngine.ARCHIVE, List.of("/data"), null, null, null, null))),
                "backup.archive.destination", "is required for the archive engine");
        only(problems(Spec.valid().backup(backup(BackupEngine.ARCHIVE, List.of("/data"), null, new Archive("backups", 7),
                null, null))), "backup.archive.destination", "must be an absolute path (/data or D:\\data), without '..'");
        assertEquals(List.of(new FieldError("backup.restic.passwordSecret",
                "name the agent-local secret that holds the repository password (the portal never stores it)"),
                new FieldError("backup.restic.repository", "is required for the restic engine")),
                problems(Spec.valid().backup(backup(BackupEngine.RESTIC, List.of("/data"), null, null, null, null))));
        only(problems(Spec.valid().backup(backup(BackupEngine.RESTIC, List.of("/data"), null, null,
                new Restic("/repo", "bad secret!", null), null))), "backup.restic.passwordSecret",
                "must be the name of a secret in the agent's local config: 1 to 64 letters, digits, _ . -, not starting with a dot");
        // The command engine needs no sources, but a program.
        only(problems(Spec.valid().backup(backup(BackupEngine.COMMAND, null, null, null, null, List.of()))),
                "backup.command", "give the program and its arguments, one per item");
        only(problems(Spec.valid().backup(backup(BackupEngine.COMMAND, null, null, null, null,
                List.of("/usr/bin/backup", "a\0b")))), "backup.command[1]", "must be text without NUL characters");
        assertEquals(List.of(), problems(Spec.valid().backup(backup(BackupEngine.COMMAND, null, null, null, null,
                List.of("/usr/bin/backup", "--all")))));
    }

    @Test
    void scriptFoldersAndTheTenantsMaximumTimeout() {
        only(problems(Spec.valid().scripts(new Scripts(new OsScripts(true, " "), OFF, false, null))),
                "scripts.linux.folder", "is required when Linux scripts are enabled");
        only(problems(Spec.valid().scripts(new Scripts(new OsScripts(true, "C:\\scripts"), OFF, false, null))),
                "scripts.linux.folder", "must be an absolute Linux path such as /etc/fleethook/scripts");
        only(problems(Spec.valid().scripts(new Scripts(OFF, new OsScripts(true, null), false, null))),
                "scripts.windows.folder", "is required when Windows scripts are enabled");
        only(problems(Spec.valid().scripts(new Scripts(OFF, new OsScripts(true, "/etc/scripts"), false, null))),
                "scripts.windows.folder", "must be an absolute Windows path such as C:\\Fleethook\\scripts");
        // A disabled folder is not checked.
        assertEquals(List.of(), problems(Spec.valid().scripts(new Scripts(new OsScripts(false, "relative"), OFF, false, null))));

        only(validator.problems(Spec.valid().scripts(LINUX_SCRIPTS).build(), 600), "scripts.timeoutSeconds",
                "is required: your organization allows scripts at most 600 s");
        only(validator.problems(Spec.valid().scripts(new Scripts(LINUX_SCRIPTS.linux(), OFF, false, 601)).build(), 600),
                "scripts.timeoutSeconds", "must be at most 600 s, your organization's maximum");
        assertEquals(List.of(), validator.problems(Spec.valid().scripts(new Scripts(LINUX_SCRIPTS.linux(), OFF, false, 600))
                .build(), 600));
        assertEquals(List.of(), validator.problems(Spec.valid().build(), 600), "no scripts enabled: no timeout needed");
    }

    @Test
    void hookSourcesAndTheFieldsEachUses() {
        only(problems(Spec.valid().hooks((Hook) null)), "hooks[0]", "must not be empty");
        List<FieldError> noPhase = problems(Spec.valid().hooks(hook(null, HookSource.COMMAND)));
        assertEquals(1, noPhase.size());
        assertEquals("hooks[0].phase", noPhase.get(0).field());
        assertTrue(noPhase.get(0).message().startsWith("is required (") && noPhase.get(0).message().contains("before-backup")
                && noPhase.get(0).message().contains("only a user-callback hook may leave it empty"), noPhase.get(0).message());
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, null, null, "/x",
                List.of("/bin/true"), null, null))), "hooks[0].path", "is only used by directory and user-callback hooks");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, null, null, "/hooks",
                List.of("/bin/true"), null, null))), "hooks[0].command", "is only used by command hooks");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, null, null, null,
                List.of("/bin/true"), "echo", null))), "hooks[0].script", "is only used by stored hooks");
        only(problems(Spec.valid().hooks(hook(HookPhase.BEFORE_BACKUP, HookSource.CONVENTION))), "hooks[0].source",
                "convention hooks run from the script folder: enable custom scripts for Linux or Windows first");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, null, null, null, null,
                null, null))), "hooks[0].path", "is required for a directory hook");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, null, null, "hooks.d",
                null, null, null))), "hooks[0].path", "must be an absolute path (/data or D:\\data), without '..'");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.USER_CALLBACK, null, null, null,
                null, null, null))), "hooks[0].path", "is required for a user-callback hook (the executable)");
        only(problems(Spec.valid().hooks(hook(HookPhase.BEFORE_FOLDER, HookSource.USER_CALLBACK))), "hooks[0].phase",
                "has no Back In Time reason code: leave it empty or use one of agent-start, before-backup, after-backup, "
                        + "after-failed-attempt, agent-stop");
        assertEquals(List.of(), problems(Spec.valid().hooks(hook(null, HookSource.USER_CALLBACK))),
                "a user callback without a phase is called at every moment");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, null, 0, null,
                List.of("/bin/true"), null, null))), "hooks[0].timeoutSeconds", "must be 1 to 86400 seconds");
    }

    @Test
    void storedHooksAreBoundedAndPinnedByTheirHash() {
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, null, null, null, null, " ",
                null))), "hooks[0].script", "is required for a stored hook");
        String tooLong = "x".repeat(PolicySpec.MAX_STORED_SCRIPT + 1);
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, null, null, null, null,
                tooLong, null))), "hooks[0].script", "must be at most 32000 characters (it has 32001)");
        only(problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, null, null, null, null,
                "echo hi\n", sha256("echo bye\n")))), "hooks[0].sha256",
                "does not match the script: the body changed in transit");
        // The hash of the script as sent, or of its canonical form (Unix line endings), is accepted.
        assertEquals(List.of(), problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, null,
                null, null, null, "echo hi\r\n", sha256("echo hi\r\n")))));
        assertEquals(List.of(), problems(Spec.valid().hooks(new Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, null,
                null, null, null, "echo hi\r\n", sha256("echo hi\n")))));
    }

    @Test
    void atMostOneFileFilterACommandWaitedForAndNeverWithTheCommandEngine() {
        Hook filter = hook(HookPhase.FILE_FILTER, HookSource.COMMAND);
        assertEquals(List.of(), problems(Spec.valid().hooks(filter)));
        only(problems(Spec.valid().hooks(filter, filter)), "hooks[1].phase", "a policy has at most one file-filter hook");
        only(problems(Spec.valid().hooks(hook(HookPhase.FILE_FILTER, HookSource.DIRECTORY))), "hooks[0].source",
                "a file-filter hook is a command (a program reading paths on stdin and writing the kept ones on stdout)");
        only(problems(Spec.valid().hooks(with(filter, HookMode.ASYNC, null))), "hooks[0].mode",
                "a file filter is waited for: essential or optional");
        only(problems(Spec.valid().backup(backup(BackupEngine.COMMAND, null, null, null, null, List.of("/bin/backup")))
                .hooks(filter)), "hooks[0].phase",
                "the command engine cannot be told which files to back up: use archive or restic with a file filter");
    }

    @Test
    void theWindowMustOutlastTheScriptTimeoutAndEveryAwaitedBeforeHook() {
        only(problems(Spec.valid().window(10).scripts(new Scripts(LINUX_SCRIPTS.linux(), OFF, false, 600))),
                "windowMinutes", "must be longer than the script timeout (600 s), or the pre-script could use up the whole window");
        assertEquals(List.of(), problems(Spec.valid().window(11).scripts(new Scripts(LINUX_SCRIPTS.linux(), OFF, false, 600))));
        // The default hook timeout is 300 s: a 5-minute window is too short for an awaited before-hook.
        only(problems(Spec.valid().window(5).hooks(hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND))),
                "hooks[0].timeoutSeconds", "must be shorter than the backup window (5 min)");
        only(problems(Spec.valid().window(5).hooks(hook(HookPhase.AFTER_BACKUP, HookSource.COMMAND),
                with(hook(HookPhase.BEFORE_FOLDER, HookSource.COMMAND), HookMode.OPTIONAL, 600))),
                "hooks[1].timeoutSeconds", "must be shorter than the backup window (5 min)");
        assertEquals(List.of(), problems(Spec.valid().window(5).hooks(
                with(hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND), HookMode.ASYNC, 600),
                with(hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND), null, 299))),
                "async hooks are not waited for; 299 s fits");
    }

    @Test
    void problemsAreSortedByFieldAndCheckThrowsThemAll() {
        Spec broken = Spec.valid().name("").backup(backup(BackupEngine.ARCHIVE, List.of(), null, null, null, null));
        List<FieldError> errors = problems(broken);
        assertEquals(List.of("backup.archive.destination", "backup.sources", "name"),
                errors.stream().map(FieldError::field).toList());
        BadInputException thrown = assertThrows(BadInputException.class, () -> validator.check(broken.build(), null));
        assertEquals(errors, thrown.errors());
    }

    @Test
    void theStoredFormIsTrimmedWithDefaultsAndPinnedScripts() {
        PolicySpec stored = validator.check(new PolicySpec("  Nightly  ", null,
                new Schedule(ScheduleKind.WEEKLY, null, "03:30", List.of(DayOfWeek.FRIDAY, DayOfWeek.MONDAY, DayOfWeek.FRIDAY)),
                null, DEFAULT_RETRY,
                new Backup(BackupEngine.ARCHIVE, List.of(" /data "), null, new Archive(" /backups ", null), null, null),
                new Scripts(new OsScripts(true, " /etc/fleethook/scripts "), new OsScripts(false, " "), false, null),
                List.of(new Hook(HookPhase.AFTER_BACKUP, HookSource.STORED, null, null, null, null, "echo done\r\n", null),
                        new Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, HookMode.OPTIONAL, 60, " /hooks ", null,
                                null, null))), null);
        assertEquals("Nightly", stored.name());
        assertEquals("", stored.description());
        assertEquals(List.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), stored.schedule().days(), "days sorted, once each");
        assertEquals(List.of("/data"), stored.backup().sources());
        assertEquals(List.of(), stored.backup().excludes());
        assertEquals(new Archive("/backups", 7), stored.backup().archive(), "retention defaults to 7");
        assertEquals("/etc/fleethook/scripts", stored.scripts().linux().folder());
        assertEquals(null, stored.scripts().windows().folder(), "a blank folder is stored as none");
        Hook stored0 = stored.hooks().get(0);
        assertEquals(HookMode.ESSENTIAL, stored0.mode());
        assertEquals(PolicySpec.DEFAULT_HOOK_TIMEOUT, stored0.timeoutSeconds());
        assertEquals("echo done\n", stored0.script(), "Unix line endings");
        assertEquals(sha256("echo done\n"), stored0.sha256());
        assertEquals("/hooks", stored.hooks().get(1).path());
        assertEquals(HookMode.OPTIONAL, stored.hooks().get(1).mode());
        assertEquals(60, stored.hooks().get(1).timeoutSeconds());
        assertEquals(stored, PolicyValidator.normalize(stored), "the stored form is stable");
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
