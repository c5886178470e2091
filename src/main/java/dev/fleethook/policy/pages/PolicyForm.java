package dev.fleethook.policy.pages;

import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.kernel.Problem.FieldError;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * The policy form as typed: raw strings, so a form with errors comes back exactly as it was sent, with
 * each message next to its field. Field errors are keyed by the spec path ({@code hooks[1].path}), the
 * same paths the API reports.
 */
public class PolicyForm {

    /** The phase choice of a user-callback hook called at every moment that has a Back In Time reason. */
    public static final String EVERY_MOMENT = "every-moment";

    /**
     * One hook row of the form. An empty phase means "no hook" (the blank row for adding one);
     * {@link #EVERY_MOMENT} is a user-callback hook called at every moment (no phase in the spec).
     */
    public static class HookRow {
        public String phase = "";
        public String source = "command";
        public String mode = "essential";
        public String timeout = "300";
        public String path = "";
        public String command = "";
        public String script = "";
    }

    public String name = "";
    public String description = "";
    public String scheduleKind = "daily";
    public String cron = "";
    public String time = "01:00";
    public Set<String> days = new LinkedHashSet<>();
    public String windowMinutes = "";
    public String retryCount = "0";
    public String retryInterval = "15";
    public String engine = "archive";
    public String sources = "";
    public String excludes = "";
    public String archiveDestination = "";
    public String archiveRetention = "7";
    public String resticRepository = "";
    public String resticPasswordSecret = "";
    public String resticExtraArgs = "";
    public String command = "";
    public boolean linuxEnabled;
    public String linuxFolder = "";
    public boolean windowsEnabled;
    public String windowsFolder = "";
    public boolean skipBackup;
    public String scriptTimeout = "";
    public List<HookRow> hooks = new ArrayList<>();
    public String baseRevision = "";
    public String note = "";
    public Map<String, String> errors = new HashMap<>();
    public String conflict;

    public static PolicyForm of(PolicySpec s) {
        PolicyForm f = new PolicyForm();
        f.name = s.name();
        f.description = nz(s.description());
        f.scheduleKind = s.schedule().kind().wire();
        f.cron = nz(s.schedule().cron());
        f.time = s.schedule().time() == null ? "01:00" : s.schedule().time();
        if (s.schedule().days() != null) {
            s.schedule().days().forEach(d -> f.days.add(d.name()));
        }
        f.windowMinutes = s.windowMinutes() == null ? "" : s.windowMinutes().toString();
        f.retryCount = String.valueOf(s.retry().count());
        f.retryInterval = String.valueOf(s.retry().intervalMinutes());
        PolicySpec.Backup b = s.backup();
        f.engine = b.engine().wire();
        f.sources = lines(b.sources());
        f.excludes = lines(b.excludes());
        if (b.archive() != null) {
            f.archiveDestination = nz(b.archive().destination());
            f.archiveRetention = b.archive().retention() == null ? "7" : b.archive().retention().toString();
        }
        if (b.restic() != null) {
            f.resticRepository = nz(b.restic().repository());
            f.resticPasswordSecret = nz(b.restic().passwordSecret());
            f.resticExtraArgs = lines(b.restic().extraArgs());
        }
        f.command = lines(b.command());
        f.linuxEnabled = s.scripts().linux().enabled();
        f.linuxFolder = nz(s.scripts().linux().folder());
        f.windowsEnabled = s.scripts().windows().enabled();
        f.windowsFolder = nz(s.scripts().windows().folder());
        f.skipBackup = s.scripts().skipBackupIfPreScriptFails();
        f.scriptTimeout = s.scripts().timeoutSeconds() == null ? "" : s.scripts().timeoutSeconds().toString();
        for (PolicySpec.Hook h : s.hooks()) {
            HookRow r = new HookRow();
            r.phase = h.phase() == null ? EVERY_MOMENT : h.phase().wire();
            r.source = h.source().wire();
            r.mode = (h.mode() == null ? HookMode.ESSENTIAL : h.mode()).wire();
            r.timeout = h.timeoutSeconds() == null ? "300" : h.timeoutSeconds().toString();
            r.path = nz(h.path());
            r.command = lines(h.command());
            r.script = nz(h.script());
            f.hooks.add(r);
        }
        return f;
    }

    public static PolicyForm of(MultivaluedMap<String, String> form) {
        PolicyForm f = new PolicyForm();
        f.name = v(form, "name");
        f.description = v(form, "description");
        f.scheduleKind = v(form, "scheduleKind");
        f.cron = v(form, "cron");
        f.time = v(form, "time");
        if (form.get("days") != null) {
            f.days.addAll(form.get("days"));
        }
        f.windowMinutes = v(form, "windowMinutes");
        f.retryCount = v(form, "retryCount");
        f.retryInterval = v(form, "retryInterval");
        f.engine = v(form, "engine");
        f.sources = v(form, "sources");
        f.excludes = v(form, "excludes");
        f.archiveDestination = v(form, "archiveDestination");
        f.archiveRetention = v(form, "archiveRetention");
        f.resticRepository = v(form, "resticRepository");
        f.resticPasswordSecret = v(form, "resticPasswordSecret");
        f.resticExtraArgs = v(form, "resticExtraArgs");
        f.command = v(form, "command");
        f.linuxEnabled = form.containsKey("linuxEnabled");
        f.linuxFolder = v(form, "linuxFolder");
        f.windowsEnabled = form.containsKey("windowsEnabled");
        f.windowsFolder = v(form, "windowsFolder");
        f.skipBackup = form.containsKey("skipBackup");
        f.scriptTimeout = v(form, "scriptTimeout");
        f.baseRevision = v(form, "baseRevision");
        f.note = v(form, "note");
        for (int i = 0; i < 60 && form.containsKey("hooks[" + i + "].phase"); i++) {
            String p = "hooks[" + i + "].";
            if (form.containsKey(p + "remove") || v(form, p + "phase").isBlank()) {
                continue;
            }
            HookRow r = new HookRow();
            r.phase = v(form, p + "phase");
            r.source = v(form, p + "source");
            r.mode = v(form, p + "mode");
            r.timeout = v(form, p + "timeout");
            r.path = v(form, p + "path");
            r.command = v(form, p + "command");
            // Browsers send CR LF; the one rule for stored scripts (StoredScripts) applies in the validator.
            r.script = v(form, p + "script");
            f.hooks.add(r);
        }
        return f;
    }

    /** The spec this form describes; values that do not even parse are recorded in {@link #errors}. */
    public PolicySpec toSpec() {
        ScheduleKind kind = parseEnum(ScheduleKind::fromWire, scheduleKind, "schedule.kind");
        List<DayOfWeek> dayList = days.stream().map(d -> {
            try {
                return DayOfWeek.valueOf(d);
            } catch (IllegalArgumentException e) {
                errors.put("schedule.days", "unknown day " + d);
                return null;
            }
        }).filter(d -> d != null).toList();
        PolicySpec.Schedule schedule = new PolicySpec.Schedule(kind, blankToNull(cron), blankToNull(time), dayList);
        PolicySpec.Retry retry = new PolicySpec.Retry(integer(retryCount, "retry.count"),
                integer(retryInterval, "retry.intervalMinutes"));
        BackupEngine eng = parseEnum(BackupEngine::fromWire, engine, "backup.engine");
        PolicySpec.Backup backup = new PolicySpec.Backup(eng, list(sources), list(excludes),
                eng == BackupEngine.ARCHIVE ? new PolicySpec.Archive(blankToNull(archiveDestination),
                        integer(archiveRetention, "backup.archive.retention")) : null,
                eng == BackupEngine.RESTIC ? new PolicySpec.Restic(blankToNull(resticRepository),
                        blankToNull(resticPasswordSecret), list(resticExtraArgs)) : null,
                eng == BackupEngine.COMMAND ? list(command) : null);
        PolicySpec.Scripts scripts = new PolicySpec.Scripts(
                new PolicySpec.OsScripts(linuxEnabled, blankToNull(linuxFolder)),
                new PolicySpec.OsScripts(windowsEnabled, blankToNull(windowsFolder)), skipBackup,
                integer(scriptTimeout, "scripts.timeoutSeconds"));
        List<PolicySpec.Hook> hookList = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            HookRow r = hooks.get(i);
            String at = "hooks[" + i + "].";
            HookSource source = parseEnum(HookSource::fromWire, r.source, at + "source");
            HookPhase phase = EVERY_MOMENT.equals(r.phase) ? null : parseEnum(HookPhase::fromWire, r.phase, at + "phase");
            hookList.add(new PolicySpec.Hook(phase, source,
                    parseEnum(HookMode::fromWire, r.mode, at + "mode"), integer(r.timeout, at + "timeoutSeconds"),
                    source == HookSource.DIRECTORY || source == HookSource.USER_CALLBACK ? blankToNull(r.path) : null,
                    source == HookSource.COMMAND ? list(r.command) : null,
                    source == HookSource.STORED && !r.script.isBlank() ? r.script : null, null));
        }
        return new PolicySpec(name, description, schedule, integer(windowMinutes, "windowMinutes"), retry, backup,
                scripts, hookList);
    }

    public void addErrors(List<FieldError> fieldErrors) {
        fieldErrors.forEach(e -> errors.putIfAbsent(e.field(), e.message()));
    }

    public boolean invalid() {
        return !errors.isEmpty() || conflict != null;
    }

    public int errorCount() {
        return errors.size();
    }

    /** The message for a spec path, or null: {@code form.error('scripts.linux.folder')} in templates. */
    public String error(String field) {
        return errors.get(field);
    }

    /** The message for one field of hook row {@code index}. */
    public String hookError(int index, String field) {
        return errors.get("hooks[" + index + "]." + field);
    }

    /** Element ids of the form's messages ({@code e-<id>}) and the spec paths they show. */
    private static final Map<String, String> FIELD_IDS = Map.ofEntries(
            Map.entry("name", "name"), Map.entry("description", "description"),
            Map.entry("scheduleKind", "schedule.kind"), Map.entry("cron", "schedule.cron"),
            Map.entry("time", "schedule.time"), Map.entry("days", "schedule.days"),
            Map.entry("windowMinutes", "windowMinutes"), Map.entry("retryCount", "retry.count"),
            Map.entry("retryInterval", "retry.intervalMinutes"), Map.entry("engine", "backup.engine"),
            Map.entry("archiveDestination", "backup.archive.destination"),
            Map.entry("archiveRetention", "backup.archive.retention"),
            Map.entry("resticRepository", "backup.restic.repository"),
            Map.entry("resticPasswordSecret", "backup.restic.passwordSecret"),
            Map.entry("linuxFolder", "scripts.linux.folder"), Map.entry("windowsFolder", "scripts.windows.folder"),
            Map.entry("scriptTimeout", "scripts.timeoutSeconds"));
    private static final Map<String, String> LIST_IDS = Map.of("sources", "backup.sources", "excludes",
            "backup.excludes", "resticExtraArgs", "backup.restic.extraArgs", "command", "backup.command");
    private static final Map<String, String> HOOK_FIELDS = Map.of("phase", "phase", "source", "source", "timeout",
            "timeoutSeconds", "path", "path", "command", "command", "script", "script");

    /** Every message element of the form, so a live check can set or clear each one. */
    public List<String> feedbackIds() {
        List<String> ids = new ArrayList<>(FIELD_IDS.keySet());
        ids.addAll(LIST_IDS.keySet());
        for (int i = 0; i <= hooks.size(); i++) {
            for (String f : HOOK_FIELDS.keySet()) {
                ids.add("h" + i + "-" + f);
            }
        }
        return ids;
    }

    public String messageForId(String id) {
        if (FIELD_IDS.containsKey(id)) {
            return errors.get(FIELD_IDS.get(id));
        }
        if (LIST_IDS.containsKey(id)) {
            return listError(LIST_IDS.get(id));
        }
        if (id.startsWith("h") && id.contains("-")) {
            int index = Integer.parseInt(id.substring(1, id.indexOf('-')));
            String field = HOOK_FIELDS.get(id.substring(id.indexOf('-') + 1));
            String message = hookError(index, field);
            return message == null && field.equals("script") ? hookError(index, "sha256") : message;
        }
        return null;
    }

    /** The message of a list field or of its first wrong item ({@code backup.sources[1]}). */
    public String listError(String path) {
        if (errors.containsKey(path)) {
            return errors.get(path);
        }
        return errors.entrySet().stream().filter(e -> e.getKey().startsWith(path + "["))
                .sorted(Map.Entry.comparingByKey()).map(e -> "line " + (lineOf(e.getKey()) + 1) + ": " + e.getValue())
                .findFirst().orElse(null);
    }

    public String sourcesError() {
        return listError("backup.sources");
    }

    private static int lineOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('[') + 1, key.lastIndexOf(']')));
    }

    /**
     * One problem of the summary at the top of the form: the field's label as the form shows it, the id of
     * its input ({@code f-linuxFolder}, {@code h1-script}; null when no single input holds it) and the message.
     */
    public record Problem(String field, String label, String anchor, String message) {
    }

    /**
     * Spec paths in the order the form shows them, with the id of their input and their label. Hook fields
     * ({@code hooks[i].x}) and list lines ({@code backup.sources[2]}) are derived from these.
     */
    private static final Map<String, String[]> LABELS = new java.util.LinkedHashMap<>();
    static {
        label("name", "f-name", "Name");
        label("description", "f-description", "Description");
        label("schedule.kind", "f-kind", "Runs");
        label("schedule.time", "f-time", "At (HH:mm)");
        label("schedule.cron", "f-cron", "Cron expression");
        label("schedule.days", "day-MONDAY", "Days (weekly)");
        label("schedule", "f-kind", "Schedule");
        label("windowMinutes", "f-windowMinutes", "Backup window (minutes)");
        label("retry.count", "f-retryCount", "Retries");
        label("retry.intervalMinutes", "f-retryInterval", "Minutes between attempts");
        label("backup.engine", "f-engine", "Engine");
        label("backup.sources", "f-sources", "Folders to back up");
        label("backup.excludes", "f-excludes", "Exclude patterns");
        label("backup.archive.destination", "f-archiveDestination", "Archive folder on the server");
        label("backup.archive.retention", "f-archiveRetention", "Archives kept");
        label("backup.archive", "f-archiveDestination", "Archive engine");
        label("backup.restic.repository", "f-resticRepository", "restic repository");
        label("backup.restic.passwordSecret", "f-resticPasswordSecret", "restic password secret");
        label("backup.restic.extraArgs", "f-rargs", "Extra restic arguments");
        label("backup.restic", "f-resticRepository", "restic engine");
        label("backup.command", "f-command", "Backup command");
        label("scripts.linux.folder", "f-linuxFolder", "Linux script folder");
        label("scripts.windows.folder", "f-windowsFolder", "Windows script folder");
        label("scripts.timeoutSeconds", "f-scriptTimeout", "Script timeout (seconds)");
    }

    private static final Map<String, String[]> HOOK_LABELS = Map.of("phase", new String[] { "phase", "Phase" },
            "source", new String[] { "source", "Source" }, "mode", new String[] { "mode", "Mode" },
            "timeoutSeconds", new String[] { "timeout", "Timeout" }, "path", new String[] { "path", "Folder or executable" },
            "command", new String[] { "command", "Program and arguments" }, "script", new String[] { "script", "Script body" },
            "sha256", new String[] { "script", "Script body" });

    private static void label(String path, String anchor, String text) {
        LABELS.put(path, new String[] { anchor, text });
    }

    /**
     * Every problem of the form at once, in the order of the form (sections top to bottom, hooks by number,
     * a list's lines in order), each with the label of its field: what the summary at the top lists.
     */
    public List<Problem> problems() {
        List<String> order = new ArrayList<>(LABELS.keySet());
        return errors.entrySet().stream().map(e -> problem(e.getKey(), e.getValue()))
                .sorted(java.util.Comparator.comparingInt((Problem p) -> rank(order, p.field()))
                        .thenComparing(p -> NUMBER.matcher(p.field()).replaceAll(m -> String.format("%06d", Integer.parseInt(m.group())))))
                .toList();
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("\\d+");

    private static int rank(List<String> order, String field) {
        if (field.startsWith("hooks[")) {
            return order.size();
        }
        for (String key = field.replaceAll("\\[\\d+]$", "");; key = key.substring(0, key.lastIndexOf('.'))) {
            int at = order.indexOf(key);
            if (at >= 0) {
                return at;
            }
            if (!key.contains(".")) {
                return order.size() + 1;
            }
        }
    }

    private static Problem problem(String field, String message) {
        String[] known = LABELS.get(field);
        if (known != null) {
            return new Problem(field, known[1], known[0], message);
        }
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(.+)\\[(\\d+)]").matcher(field);
        if (line.matches() && LABELS.containsKey(line.group(1))) {
            String[] list = LABELS.get(line.group(1));
            return new Problem(field, list[1] + ", line " + (Integer.parseInt(line.group(2)) + 1), list[0], message);
        }
        java.util.regex.Matcher hook = java.util.regex.Pattern.compile("hooks\\[(\\d+)](?:\\.(\\w+))?.*").matcher(field);
        if (hook.matches()) {
            int index = Integer.parseInt(hook.group(1));
            String[] part = hook.group(2) == null ? null : HOOK_LABELS.get(hook.group(2));
            String what = part != null ? part[1] : hook.group(2) == null ? "" : hook.group(2);
            return new Problem(field, "Hook " + (index + 1) + (what.isEmpty() ? "" : " · " + what),
                    "h" + index + "-" + (part != null ? part[0] : "phase"), message);
        }
        return new Problem(field, field, null, message);
    }

    /** Whether no error concerns the schedule, so its next runs can be shown while other fields are still wrong. */
    public boolean scheduleValid() {
        return errors.keySet().stream().noneMatch(k -> k.equals("schedule") || k.startsWith("schedule."));
    }

    /** The hook rows plus one blank row for adding a hook. */
    public List<HookRow> hookRowsWithBlank() {
        List<HookRow> rows = new ArrayList<>(hooks);
        rows.add(new HookRow());
        return rows;
    }

    public List<String> phases() {
        List<String> phases = new ArrayList<>(Arrays.stream(HookPhase.values()).map(HookPhase::wire).toList());
        phases.add(EVERY_MOMENT);
        return phases;
    }

    public List<String> hookSources() {
        return List.of("command", "directory", "stored", "convention", "user-callback");
    }

    public List<String> hookModes() {
        return Arrays.stream(HookMode.values()).map(HookMode::wire).toList();
    }

    public List<String> weekDays() {
        return Arrays.stream(DayOfWeek.values()).map(DayOfWeek::name).toList();
    }

    private <E> E parseEnum(java.util.function.Function<String, E> parser, String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            errors.put(field, e.getMessage());
            return null;
        }
    }

    private Integer integer(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            errors.put(field, "must be a whole number");
            return null;
        }
    }

    private static List<String> list(String text) {
        if (text == null) {
            return List.of();
        }
        return text.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static String lines(List<String> values) {
        return values == null ? "" : String.join("\n", values);
    }

    private static String v(MultivaluedMap<String, String> form, String key) {
        String value = form.getFirst(key);
        return value == null ? "" : value;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
