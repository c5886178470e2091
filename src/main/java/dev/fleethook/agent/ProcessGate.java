package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The one gate every process the agent starts for a policy goes through (engines, their options and
 * repository strings, pre/post-scripts, hooks of every source). A start needs a {@link Launch}, and only
 * this class makes one, after checking the agent's <em>local</em> config ({@link HookRunner.Permissions}):
 * <ul>
 * <li>a program or script the policy names must resolve, as a real path (symbolic links and {@code ..}
 * followed, {@link Path#toRealPath}), to a file under an allowed root, itself resolved the same way; the
 * resolved path is what runs, so a symbolic link inside a root that points outside it runs nothing;</li>
 * <li>an engine option that makes the engine start a program is refused unless the local config lists
 * it in {@code allowedEngineOptions}. For restic (restic's manual and {@code restic options}): the
 * global flag {@code --password-command}, the backup flag {@code --stdin-from-command} and the extended
 * options {@code sftp.command}, {@code sftp.args}, {@code rclone.program} and {@code rclone.args}, in
 * every spelling pflag and restic accept ({@code -o k=v}, {@code -ok=v}, {@code --option=k=v}, any case,
 * spaces around the key); a repository given in the extra arguments is checked like the policy's own;</li>
 * <li>a repository string that would have restic's backend start a program with options of the policy's
 * choosing is refused: an {@code sftp:} host or user starting with {@code -} (ssh would read it as an
 * option such as {@code -oProxyCommand=…}), an {@code rclone:} remote starting with {@code -}, or an
 * rclone connection string ({@code :backend,…:path} or {@code remote,option=…:path}, which can set
 * options such as the sftp backend's {@code ssh} program) unless {@code rclone.connection-string} is
 * allowed locally.</li>
 * </ul>
 * A refusal is a sentence starting with the reason; the callers record the step as Failed with
 * "refused: " and that sentence, and never run it. Every program runs in a session (and process group)
 * of its own, whose id the gate reports to its listener so that the crash journal can kill what an
 * interrupted step left running ({@link #killSessions}).
 */
public final class ProcessGate {

    /** The names {@code allowedEngineOptions} understands, each a way the engine can be made to start a program. */
    public static final Set<String> PROGRAM_OPTIONS = Set.of("--password-command", "--stdin-from-command",
            "sftp.command", "sftp.args", "rclone.program", "rclone.args", "rclone.connection-string");

    /** A start the gate allowed: the argument vector (the program as its real path) and working folder. */
    public static final class Launch {
        private final List<String> argv;
        private final Path workDir;
        private final LongConsumer started;

        private Launch(List<String> argv, Path workDir, LongConsumer started) {
            this.argv = List.copyOf(argv);
            this.workDir = workDir;
            this.started = started;
        }

        public List<String> argv() {
            return argv;
        }

        public Path workDir() {
            return workDir;
        }
    }

    /**
     * A session the gate started: its id (= the process group id and the leader's pid) and when its
     * leader started (null if unknown), which tells a reused id apart from ours.
     */
    public record Session(long id, Instant started) {
    }

    /** Either a {@link Launch} or the reason it is refused (never both). */
    public record Decision(Launch launch, String refusal) {
        public boolean allowed() {
            return launch != null;
        }
    }

    private static final boolean POSIX = java.io.File.separatorChar == '/';

    private static final Path SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of)
            .filter(Files::isExecutable).findFirst().orElse(null);

    private static final Path KILL = Stream.of("/bin/kill", "/usr/bin/kill").map(Path::of)
            .filter(Files::isExecutable).findFirst().orElse(null);

    private final HookRunner.Permissions permissions;
    private final LongConsumer started;

    /** A gate for these local permissions; nobody is told about started sessions. */
    public ProcessGate(HookRunner.Permissions permissions) {
        this(permissions, id -> {
        });
    }

    /** {@code started}: told the session id of every process started (the crash journal records it). */
    public ProcessGate(HookRunner.Permissions permissions, LongConsumer started) {
        this.permissions = permissions;
        this.started = started;
    }

    public HookRunner.Permissions permissions() {
        return permissions;
    }

    // ------------------------------------------------------------------ what may run

    /**
     * A program the policy names (command hook, convention hook, command engine, pre/post-script) with
     * its arguments. {@code programIndex}: where in {@code argv} the policy's program stands (2 behind
     * Windows' {@code cmd.exe /c}). Needs {@code hooksEnabled} and the program's real path under a root.
     */
    public Decision policyProgram(List<String> argv, int programIndex, Path workDir) {
        if (!permissions.hooksEnabled()) {
            return refuse("scripts and hooks are not enabled on this agent (set hooksEnabled in config.json)");
        }
        if (argv == null || argv.size() <= programIndex) {
            return refuse("no program to run");
        }
        String named = argv.get(programIndex);
        Path program;
        try {
            program = Path.of(named);
        } catch (RuntimeException e) {
            return refuse("cannot use the path " + named + ": " + Failures.describe(e));
        }
        if (!program.isAbsolute()) {
            return refuse(named + " is not an absolute path under the agent's allowed roots");
        }
        Path real;
        try {
            real = program.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            return refuse(named + (Files.isSymbolicLink(program) ? " is a symbolic link to nothing" : " does not exist"));
        } catch (IOException | RuntimeException e) {
            return refuse(named + " cannot be resolved (" + Failures.describe(e) + ")");
        }
        String outside = outsideRoots(real, named);
        if (outside != null) {
            return refuse(outside);
        }
        List<String> resolved = new ArrayList<>(argv);
        resolved.set(programIndex, real.toString());
        return allow(resolved, workDir == null ? null : realOrSelf(workDir));
    }

    /**
     * A script body the agent wrote itself from a stored script ({@code file}, in its private scratch
     * folder), run by {@code argv} (the file itself, {@code sh -e file} or {@code cmd.exe /c file}).
     * Needs {@code hooksEnabled} and {@code storedScriptsEnabled}.
     */
    public Decision storedScript(List<String> argv) {
        if (!permissions.hooksEnabled()) {
            return refuse("hooks are not enabled on this agent (set hooksEnabled in config.json)");
        }
        if (!permissions.storedScriptsEnabled()) {
            return refuse("stored scripts are not enabled on this agent (set storedScriptsEnabled in config.json)");
        }
        return allow(argv, null);
    }

    /**
     * {@code restic} (found on PATH) with the agent's own arguments and the policy's {@code extraArgs},
     * for {@code repository}. Refused when an extra argument or the repository would have restic start a
     * program that the local config does not allow (see the class comment).
     */
    public Decision restic(List<String> argv, List<String> extraArgs, String repository) {
        List<String> refusals = new ArrayList<>(resticRefusals(extraArgs, repository));
        if (!refusals.isEmpty()) {
            return refuse(String.join("; ", refusals));
        }
        return allow(argv, null);
    }

    /** The reasons (empty: none) restic's extra arguments or repository are refused on this agent. */
    List<String> resticRefusals(List<String> extraArgs, String repository) {
        List<String> reasons = new ArrayList<>();
        String repo = repositoryRefusal(repository);
        if (repo != null) {
            reasons.add(repo);
        }
        List<String> args = extraArgs == null ? List.of() : extraArgs;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg == null) {
                reasons.add("an extra argument is null");
                continue;
            }
            if (arg.equals("--")) {
                break;
            }
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            if (arg.startsWith("--")) {
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
                boolean takesValue = LONG_WITH_VALUE.contains(name);
                if (value == null && takesValue) {
                    value = next;
                    i++;
                }
                check(name, value, reasons);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                // pflag shorthand: bool letters may be grouped, the first letter taking a value ends the group.
                for (int c = 1; c < arg.length(); c++) {
                    char letter = arg.charAt(c);
                    String longName = SHORT_WITH_VALUE.get(letter);
                    if (longName != null) {
                        String value = arg.substring(c + 1);
                        if (value.startsWith("=")) {
                            value = value.substring(1);
                        }
                        if (value.isEmpty()) {
                            value = next;
                            i++;
                        }
                        check(longName, value, reasons);
                        break;
                    }
                    if (SHORT_BOOLEAN.indexOf(letter) < 0) {
                        reasons.add("extra argument " + arg + ": unknown short option -" + letter
                                + ", which the agent cannot check");
                        break;
                    }
                }
            }
        }
        // Whatever the parse, no argument may even mention a program option that is not allowed.
        for (String arg : args) {
            String lower = arg == null ? "" : arg.toLowerCase(Locale.ROOT);
            for (String option : PROGRAM_OPTIONS) {
                String key = option.startsWith("--") ? option.substring(2) : option;
                if (!option.equals("rclone.connection-string") && lower.contains(key) && !allowedOption(option)
                        && reasons.stream().noneMatch(r -> r.contains(option))) {
                    reasons.add(refusedOption(option));
                }
            }
        }
        return reasons;
    }

    /** restic's long options whose value is the next argument when not given with '=' (that matter here). */
    private static final Set<String> LONG_WITH_VALUE = Set.of("--option", "--repo", "--repository",
            "--password-command");

    private static final Map<Character, String> SHORT_WITH_VALUE = Map.of('o', "--option", 'r', "--repo",
            'p', "--password-file", 'e', "--exclude", 'H', "--host");

    /** restic's boolean shorthands (global -q -v -h, backup -x -f -n). */
    private static final String SHORT_BOOLEAN = "qvhxfn";

    private void check(String name, String value, List<String> reasons) {
        switch (name) {
            case "--password-command", "--stdin-from-command" -> {
                if (!allowedOption(name)) {
                    reasons.add(refusedOption(name));
                }
            }
            case "--repo", "--repository" -> {
                String r = repositoryRefusal(value);
                if (r != null) {
                    reasons.add(r);
                }
            }
            case "--option" -> {
                if (value == null) {
                    return;
                }
                // restic's options.Parse: the key is what stands before the first '=', trimmed, lower case.
                String key = (value.contains("=") ? value.substring(0, value.indexOf('=')) : value).strip()
                        .toLowerCase(Locale.ROOT);
                if (PROGRAM_OPTIONS.contains(key) && !allowedOption(key)) {
                    reasons.add(refusedOption(key));
                }
            }
            default -> {
                // other options do not start programs
            }
        }
    }

    /** Why restic must not use this repository string here; null when it may. */
    String repositoryRefusal(String repository) {
        if (repository == null) {
            return null;
        }
        if (repository.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            return "the restic repository contains control characters";
        }
        String lower = repository.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sftp:")) {
            String rest = repository.substring(5);
            if (rest.startsWith("//")) {
                rest = rest.substring(2);
            }
            String userHost = rest.split("[:/]", 2)[0];
            for (String part : userHost.split("@")) {
                if (part.startsWith("-")) {
                    return "the sftp repository's host or user \"" + part + "\" starts with '-', which ssh would "
                            + "read as an option that can run a program (such as -oProxyCommand=…)";
                }
            }
            if (rest.startsWith("-")) {
                return "the sftp repository starts with '-', which ssh would read as an option";
            }
        }
        if (lower.startsWith("rclone:")) {
            String remote = repository.substring(7);
            if (remote.startsWith("-")) {
                return "the rclone remote \"" + remote + "\" starts with '-', which rclone would read as an option";
            }
            int colon = remote.indexOf(':');
            String name = colon < 0 ? remote : remote.substring(0, colon);
            if ((remote.startsWith(":") || name.contains(",")) && !allowedOption("rclone.connection-string")) {
                return "the rclone remote \"" + remote + "\" is a connection string, which can set backend options "
                        + "that run programs (such as the sftp backend's ssh); refused unless this agent allows "
                        + "\"rclone.connection-string\" in allowedEngineOptions (config.json)";
            }
        }
        return null;
    }

    private boolean allowedOption(String option) {
        return permissions.allowedEngineOptions().contains(option);
    }

    private static String refusedOption(String option) {
        return "restic option " + option + " runs a program, and this agent does not allow it (add \"" + option
                + "\" to allowedEngineOptions in config.json to allow it)";
    }

    // ------------------------------------------------------------------ roots

    /**
     * Null when {@code real} (already a real path) lies under an allowed root (resolved to its real path
     * too); otherwise the reason, naming {@code named} and, when they differ, where it really leads.
     */
    String outsideRoots(Path real, String named) {
        for (Path root : permissions.allowedRoots()) {
            if (real.startsWith(realOrSelf(root))) {
                return null;
            }
        }
        return named + (real.toString().equals(named) ? "" : " (really " + real + ")")
                + " is outside the agent's allowed roots";
    }

    /**
     * Null when {@code named}, resolved as far as it exists ({@link #realOrSelf}), lies under an allowed
     * root; otherwise why not, naming where it really leads. Used before the start for the
     * step's record (a missing convention script is Skipped only when it would be allowed).
     */
    public String rootRefusal(String named) {
        try {
            Path p = Path.of(named);
            if (!p.isAbsolute()) {
                return named + " is not an absolute path under the agent's allowed roots";
            }
            return outsideRoots(realOrSelf(p), named);
        } catch (RuntimeException e) {
            return "cannot use the path " + named + ": " + Failures.describe(e);
        }
    }

    /** True when {@code path}, resolved as far as it exists, lies under an allowed root. */
    static boolean underRoots(Path path, List<Path> roots) {
        Path real = realOrSelf(path);
        return roots.stream().anyMatch(root -> real.startsWith(realOrSelf(root)));
    }

    /**
     * The real path of {@code path}: symbolic links and {@code ..} of its longest existing part
     * resolved by the file system, the rest (which does not exist yet) normalized and appended.
     */
    static Path realOrSelf(Path path) {
        Path absolute = path.toAbsolutePath();
        Path existing = absolute;
        List<Path> rest = new ArrayList<>();
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                for (int i = rest.size() - 1; i >= 0; i--) {
                    real = real.resolve(rest.get(i));
                }
                return real.normalize();
            } catch (IOException | RuntimeException e) {
                if (existing.getFileName() == null) {
                    break;
                }
                rest.add(existing.getFileName());
                existing = existing.getParent();
            }
        }
        return absolute.normalize();
    }

    private Decision allow(List<String> argv, Path workDir) {
        return new Decision(new Launch(argv, workDir, started), null);
    }

    private static Decision refuse(String why) {
        return new Decision(null, why);
    }

    // ------------------------------------------------------------------ starting and killing

    /**
     * Starts a launch in a session (and process group) of its own, whose id is the program's pid
     * (util-linux {@code setsid} execs in place; {@code --wait} keeps the exit status if it had to fork),
     * so that a timeout or the crash journal can kill everything it started, and Ctrl-C on the agent's
     * terminal does not reach it. Without setsid (not Linux) only the live process tree can be killed.
     */
    static Process start(Launch launch, Map<String, String> env) throws IOException {
        return start(launch, env, true);
    }

    /**
     * As {@link #start(Launch, Map)}; {@code mergeStderr} false keeps stderr apart from stdout (a file-filter
     * hook answers on stdout and reports on stderr).
     */
    static Process start(Launch launch, Map<String, String> env, boolean mergeStderr) throws IOException {
        List<String> argv = launch.argv;
        if (POSIX && SETSID != null) {
            argv = new ArrayList<>(launch.argv.size() + 2);
            argv.add(SETSID.toString());
            argv.add("--wait");
            argv.addAll(launch.argv);
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(mergeStderr);
        if (launch.workDir != null) {
            pb.directory(launch.workDir.toFile());
        }
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            launch.started.accept(process.pid());
        } catch (RuntimeException e) {
            // the journal's trouble must not lose the run; it is logged where it happened
        }
        return process;
    }

    /** SIGKILL to the process group {@code pgid} (a session the gate started). */
    static void killGroup(long pgid) {
        if (!POSIX || SETSID == null || KILL == null) {
            return;
        }
        try {
            Process k = new ProcessBuilder(KILL.toString(), "-s", "KILL", "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            k.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the group is gone already, or kill is missing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This boot's id (Linux {@code /proc/sys/kernel/random/boot_id}); null where there is none. */
    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Kills every process still in one of {@code sessions} (session or process group id, as the gate
     * started them) and waits until none is left, at most {@code within}. Only when {@code bootId} is
     * this boot's: after a reboot the ids mean other processes. Linux gives no new process an id that is
     * still some process's session or group id, so a live member of such a session was started in it;
     * a live leader with another start time than recorded means the id was reused after our session
     * ended, and that session is left alone. Returns how many processes were killed.
     */
    public static int killSessions(Collection<Session> sessions, String bootId, Duration within) {
        if (sessions == null || sessions.isEmpty() || bootId == null || !bootId.equals(bootId())) {
            return 0;
        }
        Set<Long> ids = new java.util.HashSet<>();
        for (Session s : sessions) {
            Instant leaderStart = ProcessHandle.of(s.id()).flatMap(h -> h.info().startInstant()).orElse(null);
            boolean reused = s.started() != null && leaderStart != null
                    && Duration.between(s.started(), leaderStart).abs().compareTo(Duration.ofSeconds(1)) > 0;
            if (!reused) {
                ids.add(s.id());
            }
        }
        int killed = 0;
        Instant until = Instant.now().plus(within);
        while (!ids.isEmpty()) {
            List<Long> members = members(ids);
            if (members.isEmpty()) {
                return killed;
            }
            for (long pid : members) {
                if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                    killed++;
                }
            }
            if (Instant.now().isAfter(until)) {
                return killed;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return killed;
            }
        }
        return killed;
    }

    /** The live (not zombie) processes whose session or process group is one of {@code sessions}. */
    static List<Long> members(Collection<Long> sessions) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException | RuntimeException gone) {
                    continue;
                }
                // pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f.length < 4 || f[0].equals("Z") || f[0].equals("X")) {
                    continue;
                }
                long pgrp = Long.parseLong(f[2]);
                long session = Long.parseLong(f[3]);
                if (sessions.contains(pgrp) || sessions.contains(session)) {
                    found.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        } catch (IOException | RuntimeException noProc) {
            // not Linux: nothing to find
        }
        return found;
    }
}
