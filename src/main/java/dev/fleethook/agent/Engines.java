package dev.fleethook.agent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;

/**
 * The backup engines for a policy: the built-in tar.gz archive ({@link ArchiveEngine}), restic, and any command (an
 * argument vector).
 */
public final class Engines {

    private Engines() {
    }

    /**
     * A tar.gz of the sources (or of the folder a before-hook redirected to) in {@code destination},
     * keeping the newest {@code retention} archives. Written to a temporary name and renamed when
     * complete, so an interrupted backup never leaves a truncated archive that looks whole.
     */
    public static AttemptRunner.Engine archive(PolicyDocument.Archive archive, List<String> sources, List<String> excludes,
            String redirect) {
        return archive(archive, sources, excludes, redirect, null);
    }

    /** As above, archiving only the files a file-filter hook kept ({@code kept} null: every file). */
    public static AttemptRunner.Engine archive(PolicyDocument.Archive archive, List<String> sources, List<String> excludes,
            String redirect, FileFilter.Kept kept) {
        return new ArchiveEngine(archive, redirect != null ? List.of(redirect) : sources, excludes, kept);
    }

    /**
     * Any program, as an argument vector, as {@link ProcessGate} allowed it; exit 0 is success. Cancel and
     * the window stop it with its children.
     */
    public static AttemptRunner.Engine command(ProcessGate.Launch launch, Map<String, String> env) {
        return (cancel, deadline) -> {
            ScriptRunner.Outcome o = ScriptRunner.run(launch, env, null, deadline, cancel);
            BackupStatus status = o.windowExpired() ? BackupStatus.WINDOW_EXPIRED
                    : cancel.getAsBoolean() && !o.succeeded() ? BackupStatus.CANCELED
                    : o.succeeded() ? BackupStatus.SUCCEEDED : BackupStatus.FAILED;
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(), o.error() == null
                    ? o.outputTail() : o.exitCode() == null ? o.error() : o.outputTail() + "\n(" + o.error() + ")");
        };
    }

    /**
     * {@code restic backup --json}: the repository from the policy, the password from a file in the
     * agent's own secrets folder (the portal only names it). Exit 3 (some files unreadable, snapshot
     * made) is PartiallySuccessful. The summary line is parsed into the reported stats; the output tail
     * keeps restic's messages without its progress lines. The extra arguments and the repository pass
     * {@link ProcessGate#restic} first: an option that would have restic start a program is refused
     * (Failed, "refused: …") unless this agent allows it locally.
     */
    public static AttemptRunner.Engine restic(PolicyDocument.Restic restic, List<String> roots, List<String> excludes,
            Path passwordFile, Map<String, String> baseEnv, ProcessGate gate) {
        return restic(restic, roots, excludes, passwordFile, baseEnv, gate, null);
    }

    /**
     * As above; with a file-filter's kept files in {@code filesList} (a NUL-separated list, restic's
     * {@code --files-from-raw}) instead of the roots when it is not null.
     */
    public static AttemptRunner.Engine restic(PolicyDocument.Restic restic, List<String> roots, List<String> excludes,
            Path passwordFile, Map<String, String> baseEnv, ProcessGate gate, Path filesList) {
        List<String> argv = new ArrayList<>(List.of("restic", "backup", "--json"));
        for (String exclude : excludes) {
            argv.add("--exclude=" + exclude);
        }
        if (restic.extraArgs() != null) {
            argv.addAll(restic.extraArgs());
        }
        if (filesList != null) {
            argv.add("--files-from-raw=" + filesList);
        } else {
            argv.add("--");
            argv.addAll(roots);
        }
        Map<String, String> env = new HashMap<>(baseEnv);
        env.put("RESTIC_REPOSITORY", restic.repository());
        env.put("RESTIC_PASSWORD_FILE", passwordFile.toString());
        ProcessGate.Decision decision = gate.restic(argv, restic.extraArgs(), restic.repository());
        if (!decision.allowed()) {
            return refused(decision.refusal());
        }
        return (cancel, deadline) -> {
            if (!Files.isReadable(passwordFile)) {
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, 0,
                        "restic password file " + passwordFile + " is missing on this agent (secret \""
                                + restic.passwordSecret() + "\")");
            }
            ScriptRunner.Outcome o = ScriptRunner.run(decision.launch(), env, null, deadline, cancel);
            if (o.exitCode() == null && o.error() != null) {
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, o.durationMs(), o.error());
            }
            Map<String, Object> summary = null;
            StringBuilder messages = new StringBuilder();
            for (String line : o.outputTail().split("\\R")) {
                Map<String, Object> message = jsonLine(line);
                if (message == null) {
                    messages.append(line).append('\n');
                } else if ("summary".equals(message.get("message_type"))) {
                    summary = message;
                    messages.append(line).append('\n');
                } else if (!"status".equals(message.get("message_type"))) {
                    messages.append(line).append('\n');
                }
            }
            BackupStatus status = o.windowExpired() ? BackupStatus.WINDOW_EXPIRED
                    : cancel.getAsBoolean() && !o.succeeded() ? BackupStatus.CANCELED
                    : o.succeeded() ? BackupStatus.SUCCEEDED
                    : o.exitCode() != null && o.exitCode() == 3 && summary != null ? BackupStatus.PARTIAL
                    : BackupStatus.FAILED;
            if (summary != null) {
                summary.remove("message_type");
            }
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(), messages.toString().strip(),
                    summary);
        };
    }

    /** As {@link #forPolicy(PolicyDocument.Backup, List, ProcessGate, Path, Map)} with a gate of its own. */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots,
            HookRunner.Permissions permissions, Path secrets, Map<String, String> env) {
        return forPolicy(backup, roots, new ProcessGate(permissions), secrets, env, null, null);
    }

    /** As {@link #forPolicy(PolicyDocument.Backup, List, ProcessGate, Path, Map, FileFilter.Kept, Path)} without a file filter. */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots, ProcessGate gate,
            Path secrets, Map<String, String> env) {
        return forPolicy(backup, roots, gate, secrets, env, null, null);
    }

    /**
     * The engine a policy asks for, backing up {@code roots} (the sources, or where before-hooks
     * redirected them). Whatever it starts passes {@code gate}: a command engine runs only when this agent
     * enabled scripts locally and its program really lies under an allowed root; restic's extra
     * arguments and repository are checked for options that start programs. A refusal is an engine that
     * reports Failed with "refused: " and the reason, never running anything.
     * <p>
     * With a file-filter hook's {@code kept} files (null: everything) the archive engine skips the other
     * files and restic gets the kept files as a list written to {@code filesList}. The command engine
     * cannot be told, so a policy with a file filter and the command engine is refused by the portal.
     */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots, ProcessGate gate,
            Path secrets, Map<String, String> env, FileFilter.Kept kept, Path filesList) {
        List<String> excludes = backup.excludes() == null ? List.of() : backup.excludes();
        return switch (backup.engine()) {
            case ARCHIVE -> archive(backup.archive(), roots, excludes, null, kept);
            case RESTIC -> {
                PolicyDocument.Restic r = backup.restic();
                if (r.extraArgs() != null && !r.extraArgs().isEmpty() && !gate.permissions().hooksEnabled()) {
                    yield refused("restic extra arguments need scripts enabled on this agent (local config)");
                }
                if (!PolicyDocument.Restic.validPasswordSecret(r.passwordSecret())) {
                    yield refused("the restic password secret must be a plain file name in " + secrets);
                }
                if (kept != null) {
                    try {
                        writeFilesList(filesList, kept.filesList());
                    } catch (IOException | RuntimeException e) {
                        yield refused("cannot write the file filter's list " + filesList + ": " + Failures.describe(e));
                    }
                }
                yield restic(r, roots, excludes, secrets.resolve(r.passwordSecret()), env, gate, kept == null ? null : filesList);
            }
            case COMMAND -> {
                if (!gate.permissions().hooksEnabled()) {
                    yield refused("the command engine needs scripts enabled on this agent (local config)");
                }
                ProcessGate.Decision decision = gate.policyProgram(backup.command(), 0, null);
                yield decision.allowed() ? command(decision.launch(), env) : refused(decision.refusal());
            }
        };
    }

    /** restic's {@code --files-from-raw}: every path followed by a NUL byte, readable by the agent only. */
    static void writeFilesList(Path file, List<String> paths) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (String p : paths) {
                out.write(p.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.write(0);
            }
        }
    }

    private static AttemptRunner.Engine refused(String why) {
        return (cancel, deadline) -> new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, 0, "refused: " + why);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonLine(String line) {
        String l = line.trim();
        if (!l.startsWith("{")) {
            return null;
        }
        try {
            return AgentState.JSON.readValue(l, LinkedHashMap.class);
        } catch (IOException e) {
            return null;
        }
    }
}
