package dev.fleethook.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.StepResult;

/**
 * Runs one program (a script, a hook or an engine) as a real process with an argument vector — never
 * through a shell line built from strings — and only what {@link ProcessGate} allowed (a {@link
 * ProcessGate.Launch}). A timeout or an expiring backup window kills the whole process tree
 * (children first). Output is kept to its last {@link StepResult#MAX_OUTPUT_TAIL} characters.
 */
public final class ScriptRunner {

    /** How a run ended. {@code windowExpired}: stopped because the backup window closed. */
    public record Outcome(Integer exitCode, long durationMs, boolean timedOut, boolean windowExpired, String outputTail,
            String error) {

        public boolean succeeded() {
            return exitCode != null && exitCode == 0 && !timedOut && !windowExpired;
        }
    }

    private ScriptRunner() {
    }

    /**
     * @param launch   what {@link ProcessGate} allowed to run
     * @param timeout  null: run to completion
     * @param deadline null: no backup window; otherwise the instant at which the run is stopped
     */
    public static Outcome run(ProcessGate.Launch launch, Map<String, String> env, Duration timeout, Instant deadline) {
        return run(launch, env, timeout, deadline, () -> false);
    }

    /**
     * As above; in addition the run is stopped (process tree killed) soon after {@code stop} turns true.
     * Used for backup engines, which Cancel stops; scripts are never stopped by Cancel.
     * <p>
     * Never throws: a program that cannot be started (missing interpreter, not executable, Windows line
     * endings, an I/O error) comes back as an {@link Outcome} with a null exit code and {@code error} saying
     * why in words a person understands, which every caller reports as Failed.
     */
    public static Outcome run(ProcessGate.Launch launch, Map<String, String> env, Duration timeout,
            Instant deadline, BooleanSupplier stop) {
        return run(launch, env, timeout, deadline, stop, null);
    }

    /**
     * As above; in addition {@code output} (when not null) is told the output so far (its last 16 KiB) while
     * the program runs, at most every {@link dev.fleethook.protocol.JobEvent#OUTPUT_REPORT_INTERVAL_MS} ms and
     * only when it grew: the live job page's tail. It is called on this thread, between two waits.
     */
    public static Outcome run(ProcessGate.Launch launch, Map<String, String> env, Duration timeout,
            Instant deadline, BooleanSupplier stop, java.util.function.Consumer<String> output) {
        Instant start = Instant.now();
        List<String> command = launch.argv();
        String cannot = cannotRun(command);
        if (cannot != null) {
            return new Outcome(null, 0, false, false, "", cannot);
        }
        Process process;
        try {
            process = ProcessGate.start(launch, env);
        } catch (IOException | RuntimeException e) {
            String why = command.get(0).indexOf('/') < 0 && String.valueOf(e.getMessage()).contains("error=2,")
                    ? command.get(0) + " is not installed here (not found on PATH " + System.getenv("PATH") + ")"
                    : "could not start " + command.get(0) + ": " + Failures.describe(e);
            return new Outcome(null, Duration.between(start, Instant.now()).toMillis(), false, false, "", why);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to write to the script
        }
        TailReader tail = new TailReader(process.getInputStream());
        Thread reader = new Thread(tail, "script-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();

        boolean timedOut = false;
        boolean windowExpired = false;
        boolean killed = false;
        try {
            Instant limit = null;
            if (timeout != null) {
                limit = start.plus(timeout);
            }
            if (deadline != null && (limit == null || deadline.isBefore(limit))) {
                limit = deadline;
            }
            boolean finished = false;
            boolean stopped = false;
            long reported = 0;
            long lastReport = System.nanoTime();
            while (!finished && !stopped) {
                long wait = limit == null ? 200 : Math.min(200, Duration.between(Instant.now(), limit).toMillis());
                finished = process.waitFor(Math.max(0, wait), TimeUnit.MILLISECONDS);
                if (!finished && output != null && tail.read() != reported && System.nanoTime() - lastReport
                        >= TimeUnit.MILLISECONDS.toNanos(dev.fleethook.protocol.JobEvent.OUTPUT_REPORT_INTERVAL_MS)) {
                    reported = tail.read();
                    lastReport = System.nanoTime();
                    try {
                        output.accept(tail.tail());
                    } catch (RuntimeException e) {
                        // a report that cannot be made never stops the program
                    }
                }
                if (!finished && limit != null && !Instant.now().isBefore(limit)) {
                    break;
                }
                stopped = !finished && stop.getAsBoolean();
            }
            if (stopped) {
                killTree(process);
                killed = true;
            } else if (!finished) {
                // Whichever limit came first stopped it: the window, or the script's own timeout.
                windowExpired = deadline != null && (timeout == null || deadline.isBefore(start.plus(timeout)));
                timedOut = !windowExpired;
                killTree(process);
                killed = true;
            }
        } catch (InterruptedException e) {
            killTree(process);
            killed = true;
            Thread.currentThread().interrupt();
        }
        // A process the script left behind may hold the output pipe open: wait a bounded grace, not for it.
        try {
            reader.join(killed ? KILLED_OUTPUT_GRACE.toMillis() : OUTPUT_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Integer exit = process.isAlive() ? null : process.exitValue();
        String error = null;
        if (exit != null && !killed) {
            error = explainExit(command, exit);
        }
        return new Outcome(exit, Duration.between(start, Instant.now()).toMillis(), timedOut, windowExpired, tail.tail(),
                error);
    }

    /** How long output is still read after a script exited by itself, while something it left holds the pipe. */
    /**
     * Starts a long-running program to talk to through its stdin and stdout (a file-filter hook), in its own
     * session like every script so that {@link #stop} kills everything it started. stderr is kept as a tail
     * ({@link Started#errorTail}). Throws {@link IOException} with the reason when it cannot start.
     */
    static Started start(ProcessGate.Launch launch, Map<String, String> env) throws IOException {
        String cannot = cannotRun(launch.argv());
        if (cannot != null) {
            throw new IOException(cannot);
        }
        Process process = ProcessGate.start(launch, env, false);
        TailReader tail = new TailReader(process.getErrorStream());
        Thread reader = new Thread(tail, "script-stderr-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return new Started(process, tail, reader);
    }

    /** A program started by {@link #start}: its process and the tail of its stderr. */
    record Started(Process process, TailReader stderr, Thread stderrReader) {
        /** The stderr tail; once the process has exited, after its last bytes were read (at most 500 ms). */
        public String errorTail() {
            if (!process.isAlive()) {
                try {
                    stderrReader.join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return stderr.tail();
        }

        /** Kills its process group and tree. */
        public void stop() {
            killTree(process);
        }
    }

    static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

    /** The same after the agent killed the script's process group. */
    static final Duration KILLED_OUTPUT_GRACE = Duration.ofMillis(500);

    private static final boolean POSIX = java.io.File.separatorChar == '/';

    /**
     * Why {@code command} cannot run at all, checked before starting it so the reason names the cause
     * instead of the kernel's "No such file or directory": not executable, a folder, Windows line endings
     * after the interpreter ({@code #!/bin/sh\r}), an interpreter that does not exist, a program name not
     * found on PATH. Null when it looks runnable.
     */
    static String cannotRun(List<String> command) {
        if (!POSIX || command.isEmpty()) {
            return command.isEmpty() ? "no program to run" : null;
        }
        Path program;
        try {
            program = Path.of(command.get(0));
        } catch (RuntimeException e) {
            return "cannot use the path " + command.get(0) + ": " + Failures.describe(e);
        }
        if (!program.isAbsolute() && command.get(0).indexOf('/') < 0) {
            String path = System.getenv("PATH") == null ? "/usr/bin:/bin" : System.getenv("PATH");
            for (String folder : path.split(File.pathSeparator)) {
                if (!folder.isEmpty() && java.nio.file.Files.isExecutable(Path.of(folder, command.get(0)))) {
                    return null;
                }
            }
            return command.get(0) + " is not installed here (not found on PATH " + path + ")";
        }
        if (!java.nio.file.Files.exists(program)) {
            return program + " does not exist";
        }
        if (java.nio.file.Files.isDirectory(program)) {
            return program + " is a folder, not a program";
        }
        if (!java.nio.file.Files.isExecutable(program)) {
            return program + " is not executable (mode " + mode(program) + "); make it executable: chmod +x "
                    + program;
        }
        return badInterpreter(program);
    }

    /** The reason a script's {@code #!} line cannot work (carriage return, missing interpreter); null if fine. */
    static String badInterpreter(Path script) {
        byte[] head;
        try (InputStream in = java.nio.file.Files.newInputStream(script)) {
            head = in.readNBytes(512);
        } catch (IOException | RuntimeException e) {
            return "cannot read " + script + ": " + Failures.describe(e);
        }
        if (head.length < 2 || head[0] != '#' || head[1] != '!') {
            return null;
        }
        int end = 2;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        String line = new String(head, 2, end - 2, StandardCharsets.UTF_8);
        if (line.endsWith("\r")) {
            return script + " has Windows line endings: its first line \"#!" + line.strip()
                    + "\" ends with a carriage return, so the interpreter \"" + line.strip()
                    + "\\r\" does not exist. Convert the file to Unix line endings (dos2unix " + script + ")";
        }
        String interpreter = line.strip().split("\\s+", 2)[0];
        if (!interpreter.isEmpty() && interpreter.startsWith("/") && !java.nio.file.Files.isExecutable(Path.of(interpreter))) {
            return script + " names the interpreter " + interpreter + " in its #! line, which does not exist here";
        }
        return null;
    }

    /** What a failing exit code says when it is the shell's "cannot execute" / "not found" (126/127). */
    private static String explainExit(List<String> command, int exit) {
        if (exit == 126) {
            return "exit 126: " + command.get(0) + " or a program it calls could not be executed (permission or format)";
        }
        if (exit == 127) {
            return "exit 127: " + command.get(0) + " or a program it calls was not found";
        }
        if (exit > 128 && exit < 160) {
            return "exit " + exit + ": the code of a process killed by signal " + (exit - 128);
        }
        return null;
    }

    private static String mode(Path p) {
        try {
            return java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(p));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Kills a process and everything it started, forcibly: its process group (which holds the orphans of
     * its subshells; {@link ProcessGate#start} gives it one), and every process in its tree taken before the kill (which holds children that made
     * a session of their own). Escapes: a process that both left the group (setsid) and was orphaned
     * before the kill (double fork), as daemons do.
     */
    static void killTree(Process process) {
        for (int round = 0; round < 2; round++) {
            List<ProcessHandle> tree = process.descendants().toList();
            ProcessGate.killGroup(process.pid());
            tree.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            tree.stream().flatMap(ProcessHandle::descendants).forEach(ProcessHandle::destroyForcibly);
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessGate.killGroup(process.pid());
    }

    /** Reads a stream to its end, keeping the last {@link StepResult#MAX_OUTPUT_TAIL} characters. */
    static final class TailReader implements Runnable {
        private final InputStream in;
        private final StringBuilder buffer = new StringBuilder();
        /** Characters read so far (also those dropped from the tail): tells whether the output grew. */
        private long read;

        TailReader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            char[] chunk = new char[4096];
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = r.read(chunk)) >= 0) {
                    synchronized (buffer) {
                        read += n;
                        buffer.append(chunk, 0, n);
                        if (buffer.length() > 2 * StepResult.MAX_OUTPUT_TAIL) {
                            buffer.delete(0, buffer.length() - StepResult.MAX_OUTPUT_TAIL);
                        }
                    }
                }
            } catch (IOException closed) {
                // the process was killed
            }
        }

        long read() {
            synchronized (buffer) {
                return read;
            }
        }

        String tail() {
            synchronized (buffer) {
                return StepResult.tail(buffer);
            }
        }
    }
}
