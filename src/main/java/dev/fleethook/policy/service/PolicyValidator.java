package dev.fleethook.policy.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.PolicySpec.Backup;
import dev.fleethook.policy.PolicySpec.Hook;
import dev.fleethook.policy.PolicySpec.OsScripts;
import dev.fleethook.policy.PolicySpec.Schedule;
import dev.fleethook.policy.PolicySpec.Scripts;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.Sha256;
import dev.fleethook.protocol.StoredScripts;
import dev.fleethook.protocol.UserCallback;
import dev.fleethook.protocol.WireEnum;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.Problem.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.Validator;

/**
 * Checks a policy and brings it to its stored form (trimmed, defaults filled, stored scripts with Unix
 * line endings by {@link StoredScripts#canonical}, the one rule for the form and the API, pinned by SHA-256). Every problem is reported with its field path ({@code hooks[2].timeoutSeconds}) and a
 * reason that says what to fix.
 */
@ApplicationScoped
public class PolicyValidator {

    @Inject
    Validator validator;

    /** The stored form of {@code spec}, or a {@link BadInputException} listing every problem. */
    public PolicySpec check(PolicySpec spec, Integer tenantMaxScriptTimeout) {
        List<FieldError> errors = problems(spec, tenantMaxScriptTimeout);
        if (!errors.isEmpty()) {
            throw new BadInputException(errors);
        }
        return normalize(spec);
    }

    public List<FieldError> problems(PolicySpec spec, Integer tenantMaxScriptTimeout) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            errors.add(new FieldError("spec", "is required"));
            return errors;
        }
        validator.validate(spec).forEach(v -> errors.add(new FieldError(v.getPropertyPath().toString(), v.getMessage())));
        if (spec.schedule() != null) {
            schedule(spec.schedule(), errors);
        }
        if (spec.backup() != null) {
            backup(spec.backup(), errors);
        }
        if (spec.scripts() != null) {
            scripts(spec.scripts(), tenantMaxScriptTimeout, errors);
        }
        if (spec.hooks() != null) {
            for (int i = 0; i < spec.hooks().size(); i++) {
                hook(spec.hooks().get(i), "hooks[" + i + "]", spec.scripts(), errors);
            }
        }
        fileFilters(spec, errors);
        window(spec, errors);
        return dedupe(errors);
    }

    private static void schedule(Schedule s, List<FieldError> errors) {
        if (s.kind() == ScheduleKind.CRON) {
            String problem = Schedules.cronProblem(s.cron());
            if (problem != null) {
                errors.add(new FieldError("schedule.cron", problem));
            }
        }
        if ((s.kind() == ScheduleKind.DAILY || s.kind() == ScheduleKind.WEEKLY) && blank(s.time())) {
            errors.add(new FieldError("schedule.time", "is required for a " + s.kind() + " schedule (HH:mm)"));
        }
        if (s.kind() == ScheduleKind.WEEKLY && (s.days() == null || s.days().isEmpty()
                || s.days().stream().anyMatch(Objects::isNull))) {
            errors.add(new FieldError("schedule.days", "choose at least one day for a weekly schedule"));
        }
    }

    private static void backup(Backup b, List<FieldError> errors) {
        if (b.engine() == null) {
            return;
        }
        boolean needsSources = b.engine() != BackupEngine.COMMAND;
        List<String> sources = b.sources() == null ? List.of() : b.sources();
        if (needsSources && sources.isEmpty()) {
            errors.add(new FieldError("backup.sources", "list at least one folder to back up"));
        }
        for (int i = 0; i < sources.size(); i++) {
            absolute(sources.get(i), "backup.sources[" + i + "]", errors);
        }
        if (b.excludes() != null) {
            for (int i = 0; i < b.excludes().size(); i++) {
                if (blank(b.excludes().get(i))) {
                    errors.add(new FieldError("backup.excludes[" + i + "]", "must not be empty"));
                }
            }
        }
        switch (b.engine()) {
            case ARCHIVE -> {
                if (b.archive() == null || blank(b.archive().destination())) {
                    errors.add(new FieldError("backup.archive.destination", "is required for the archive engine"));
                } else {
                    absolute(b.archive().destination(), "backup.archive.destination", errors);
                }
            }
            case RESTIC -> {
                if (b.restic() == null || blank(b.restic().repository())) {
                    errors.add(new FieldError("backup.restic.repository", "is required for the restic engine"));
                }
                if (b.restic() == null || blank(b.restic().passwordSecret())) {
                    errors.add(new FieldError("backup.restic.passwordSecret",
                            "name the agent-local secret that holds the repository password (the portal never stores it)"));
                }
            }
            case COMMAND -> argv(b.command(), "backup.command", errors);
        }
    }

    private static void scripts(Scripts s, Integer tenantMax, List<FieldError> errors) {
        if (s.linux() != null && s.linux().enabled()) {
            if (blank(s.linux().folder())) {
                errors.add(new FieldError("scripts.linux.folder", "is required when Linux scripts are enabled"));
            } else if (!ServerPaths.isPosixAbsolute(s.linux().folder().trim())) {
                errors.add(new FieldError("scripts.linux.folder", "must be an absolute Linux path such as /etc/fleethook/scripts"));
            }
        }
        if (s.windows() != null && s.windows().enabled()) {
            if (blank(s.windows().folder())) {
                errors.add(new FieldError("scripts.windows.folder", "is required when Windows scripts are enabled"));
            } else if (!ServerPaths.isWindowsAbsolute(s.windows().folder().trim())) {
                errors.add(new FieldError("scripts.windows.folder", "must be an absolute Windows path such as C:\\Fleethook\\scripts"));
            }
        }
        boolean anyEnabled = (s.linux() != null && s.linux().enabled()) || (s.windows() != null && s.windows().enabled());
        if (tenantMax != null && anyEnabled) {
            if (s.timeoutSeconds() == null) {
                errors.add(new FieldError("scripts.timeoutSeconds",
                        "is required: your organization allows scripts at most " + tenantMax + " s"));
            } else if (s.timeoutSeconds() > tenantMax) {
                errors.add(new FieldError("scripts.timeoutSeconds",
                        "must be at most " + tenantMax + " s, your organization's maximum"));
            }
        }
    }

    private static void hook(Hook h, String at, Scripts scripts, List<FieldError> errors) {
        if (h == null) {
            errors.add(new FieldError(at, "must not be empty"));
            return;
        }
        if (h.phase() == null && h.source() != HookSource.USER_CALLBACK) {
            errors.add(new FieldError(at + ".phase", "is required (" + WireEnum.allowed(HookPhase.values())
                    + "; only a user-callback hook may leave it empty to be called at every moment)"));
        }
        if (h.source() == null) {
            return;
        }
        boolean usesPath = h.source() == HookSource.DIRECTORY || h.source() == HookSource.USER_CALLBACK;
        if (!usesPath && h.path() != null && !h.path().isBlank()) {
            errors.add(new FieldError(at + ".path", "is only used by directory and user-callback hooks"));
        }
        if (h.source() != HookSource.COMMAND && h.command() != null && !h.command().isEmpty()) {
            errors.add(new FieldError(at + ".command", "is only used by command hooks"));
        }
        if (h.source() != HookSource.STORED && (h.script() != null || h.sha256() != null)) {
            errors.add(new FieldError(at + ".script", "is only used by stored hooks"));
        }
        switch (h.source()) {
            case CONVENTION -> {
                boolean folder = scripts != null && ((scripts.linux() != null && scripts.linux().enabled())
                        || (scripts.windows() != null && scripts.windows().enabled()));
                if (!folder) {
                    errors.add(new FieldError(at + ".source",
                            "convention hooks run from the script folder: enable custom scripts for Linux or Windows first"));
                }
            }
            case DIRECTORY -> {
                if (blank(h.path())) {
                    errors.add(new FieldError(at + ".path", "is required for a directory hook"));
                } else {
                    absolute(h.path(), at + ".path", errors);
                }
            }
            case USER_CALLBACK -> {
                if (blank(h.path())) {
                    errors.add(new FieldError(at + ".path", "is required for a user-callback hook (the executable)"));
                } else {
                    absolute(h.path(), at + ".path", errors);
                }
                if (h.phase() != null && !UserCallback.PHASES.contains(h.phase())) {
                    errors.add(new FieldError(at + ".phase", "has no Back In Time reason code: leave it empty or use one of "
                            + UserCallback.PHASES.stream().map(HookPhase::wire).collect(Collectors.joining(", "))));
                }
            }
            case COMMAND -> argv(h.command(), at + ".command", errors);
            case STORED -> {
                if (h.script() == null || h.script().isBlank()) {
                    errors.add(new FieldError(at + ".script", "is required for a stored hook"));
                } else if (StoredScripts.canonical(h.script()).length() > PolicySpec.MAX_STORED_SCRIPT) {
                    errors.add(new FieldError(at + ".script", "must be at most " + PolicySpec.MAX_STORED_SCRIPT
                            + " characters (it has " + StoredScripts.canonical(h.script()).length() + ")"));
                } else if (h.sha256() != null && !h.sha256().equalsIgnoreCase(Sha256.hex(h.script()))
                        && !h.sha256().equalsIgnoreCase(Sha256.hex(StoredScripts.canonical(h.script())))) {
                    errors.add(new FieldError(at + ".sha256", "does not match the script: the body changed in transit"));
                }
            }
        }
    }

    /**
     * Kiwi's on_file as a file-filter hook: one program (a command) per policy, waited for batch by batch
     * (not async), and an engine that can be told which files to back up (archive or restic).
     */
    private static void fileFilters(PolicySpec spec, List<FieldError> errors) {
        if (spec.hooks() == null) {
            return;
        }
        int seen = 0;
        for (int i = 0; i < spec.hooks().size(); i++) {
            Hook h = spec.hooks().get(i);
            if (h == null || h.phase() != HookPhase.FILE_FILTER) {
                continue;
            }
            String at = "hooks[" + i + "]";
            if (++seen > 1) {
                errors.add(new FieldError(at + ".phase", "a policy has at most one file-filter hook"));
            }
            if (h.source() != null && h.source() != HookSource.COMMAND) {
                errors.add(new FieldError(at + ".source", "a file-filter hook is a command (a program reading paths on"
                        + " stdin and writing the kept ones on stdout)"));
            }
            if (h.mode() == HookMode.ASYNC) {
                errors.add(new FieldError(at + ".mode", "a file filter is waited for: essential or optional"));
            }
            if (spec.backup() != null && spec.backup().engine() == BackupEngine.COMMAND) {
                errors.add(new FieldError(at + ".phase", "the command engine cannot be told which files to back up:"
                        + " use archive or restic with a file filter"));
            }
        }
    }

    private static void window(PolicySpec spec, List<FieldError> errors) {
        if (spec.windowMinutes() == null || spec.windowMinutes() < 5) {
            return;
        }
        long windowSeconds = spec.windowMinutes() * 60L;
        Scripts s = spec.scripts();
        boolean scriptsOn = s != null && ((s.linux() != null && s.linux().enabled())
                || (s.windows() != null && s.windows().enabled()));
        if (scriptsOn && s.timeoutSeconds() != null && s.timeoutSeconds() >= windowSeconds) {
            errors.add(new FieldError("windowMinutes", "must be longer than the script timeout ("
                    + s.timeoutSeconds() + " s), or the pre-script could use up the whole window"));
        }
        if (spec.hooks() != null) {
            for (int i = 0; i < spec.hooks().size(); i++) {
                Hook h = spec.hooks().get(i);
                if (h == null || (h.phase() == null && h.source() != HookSource.USER_CALLBACK)) {
                    continue;
                }
                boolean before = h.phase() == null || h.phase().beforeEngine();
                int timeout = h.timeoutSeconds() == null ? PolicySpec.DEFAULT_HOOK_TIMEOUT : h.timeoutSeconds();
                if (before && h.mode() != HookMode.ASYNC && timeout >= windowSeconds) {
                    errors.add(new FieldError("hooks[" + i + "].timeoutSeconds", "must be shorter than the backup window ("
                            + spec.windowMinutes() + " min)"));
                }
            }
        }
    }

    private static void absolute(String path, String field, List<FieldError> errors) {
        if (blank(path)) {
            errors.add(new FieldError(field, "must not be empty"));
        } else if (!ServerPaths.isAbsolute(path.trim())) {
            errors.add(new FieldError(field, "must be an absolute path (/data or D:\\data), without '..'"));
        }
    }

    private static void argv(List<String> argv, String field, List<FieldError> errors) {
        if (argv == null || argv.isEmpty() || blank(argv.get(0))) {
            errors.add(new FieldError(field, "give the program and its arguments, one per item"));
            return;
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null || argv.get(i).indexOf('\0') >= 0) {
                errors.add(new FieldError(field + "[" + i + "]", "must be text without NUL characters"));
            }
        }
    }

    /** The stored form: trimmed text, defaults filled in, stored scripts pinned by their SHA-256. */
    public static PolicySpec normalize(PolicySpec s) {
        Schedule schedule = s.schedule();
        schedule = switch (schedule.kind()) {
            case CRON -> new Schedule(ScheduleKind.CRON, schedule.cron().trim().replaceAll("\\s+", " "), null, null);
            case DAILY -> new Schedule(ScheduleKind.DAILY, null, schedule.time(), null);
            case WEEKLY -> new Schedule(ScheduleKind.WEEKLY, null, schedule.time(), List.copyOf(new TreeSet<>(schedule.days())));
            case MANUAL -> new Schedule(ScheduleKind.MANUAL, null, null, null);
        };
        Backup b = s.backup();
        Backup backup = new Backup(b.engine(), trimAll(b.sources()), trimAll(b.excludes()),
                b.engine() == BackupEngine.ARCHIVE ? new PolicySpec.Archive(b.archive().destination().trim(),
                        b.archive().retention() == null ? 7 : b.archive().retention()) : null,
                b.engine() == BackupEngine.RESTIC ? new PolicySpec.Restic(b.restic().repository().trim(),
                        b.restic().passwordSecret().trim(), b.restic().extraArgs() == null ? List.of() : List.copyOf(b.restic().extraArgs()))
                        : null,
                b.engine() == BackupEngine.COMMAND ? List.copyOf(b.command()) : null);
        Scripts sc = s.scripts();
        Scripts scripts = new Scripts(os(sc.linux()), os(sc.windows()), sc.skipBackupIfPreScriptFails(), sc.timeoutSeconds());
        List<Hook> hooks = new ArrayList<>();
        if (s.hooks() != null) {
            for (Hook h : s.hooks()) {
                hooks.add(new Hook(h.phase(), h.source(), h.mode() == null ? HookMode.ESSENTIAL : h.mode(),
                        h.timeoutSeconds() == null ? PolicySpec.DEFAULT_HOOK_TIMEOUT : h.timeoutSeconds(),
                        h.source() == HookSource.DIRECTORY || h.source() == HookSource.USER_CALLBACK ? h.path().trim() : null,
                        h.source() == HookSource.COMMAND ? List.copyOf(h.command()) : null,
                        h.source() == HookSource.STORED ? StoredScripts.canonical(h.script()) : null,
                        h.source() == HookSource.STORED ? Sha256.hex(StoredScripts.canonical(h.script())) : null));
            }
        }
        return new PolicySpec(s.name().trim(), s.description() == null ? "" : s.description().trim(), schedule,
                s.windowMinutes(), s.retry(), backup, scripts, List.copyOf(hooks));
    }

    private static OsScripts os(OsScripts o) {
        String folder = o.folder() == null || o.folder().isBlank() ? null : o.folder().trim();
        return new OsScripts(o.enabled(), folder);
    }

    private static List<String> trimAll(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).toList();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static List<FieldError> dedupe(List<FieldError> errors) {
        List<FieldError> out = new ArrayList<>();
        for (FieldError e : errors) {
            if (out.stream().noneMatch(o -> o.field().equals(e.field()) && o.message().equals(e.message()))) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(FieldError::field));
        return out;
    }
}
