package dev.fleethook.agent;

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

/**
 * Runs one program (a script or a hook) as a real process with an argument vector — never through a
 * shell line built from strings. A timeout or an expiring backup window kills the whole process tree
 * (children first). Output is kept to its last 16 KiB.
 */
public final class ScriptRunner {

    public static final int MAX_OUTPUT = 16 * 1024;

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
     * @param timeout  null: run to completion
     * @param deadline null: no backup window; otherwise the instant at which the run is stopped
     */
    public static Outcome run(List<String> command, Map<String, String> env, Path workDir, Duration timeout,
            Instant deadline) {
        return run(command, env, workDir, timeout, deadline, () -> false);
    }

    /**
     * As above; in addition the run is stopped (process tree killed) soon after {@code stop} turns true.
     * Used for backup engines, which Cancel stops; scripts are never stopped by Cancel.
     */
    public static Outcome run(List<String> command, Map<String, String> env, Path workDir, Duration timeout,
            Instant deadline, BooleanSupplier stop) {
        Instant start = Instant.now();
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            return new Outcome(null, 0, false, false, "", "could not start: " + e.getMessage());
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
            while (!finished && !stopped) {
                long wait = limit == null ? 200 : Math.min(200, Duration.between(Instant.now(), limit).toMillis());
                finished = process.waitFor(Math.max(0, wait), TimeUnit.MILLISECONDS);
                if (!finished && limit != null && !Instant.now().isBefore(limit)) {
                    break;
                }
                stopped = !finished && stop.getAsBoolean();
            }
            if (stopped) {
                killTree(process);
            } else if (!finished) {
                // Whichever limit came first stopped it: the window, or the script's own timeout.
                windowExpired = deadline != null && (timeout == null || deadline.isBefore(start.plus(timeout)));
                timedOut = !windowExpired;
                killTree(process);
            }
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Integer exit = process.isAlive() ? null : process.exitValue();
        return new Outcome(exit, Duration.between(start, Instant.now()).toMillis(), timedOut, windowExpired, tail.tail(),
                null);
    }

    /** Kills a process and every process it started, deepest first, forcibly. */
    static void killTree(Process process) {
        process.descendants().sorted((a, b) -> Long.compare(b.pid(), a.pid())).forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Children that were reparented while we killed their parent.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** Reads a stream to its end, keeping the last {@link #MAX_OUTPUT} characters. */
    static final class TailReader implements Runnable {
        private final InputStream in;
        private final StringBuilder buffer = new StringBuilder();

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
                        buffer.append(chunk, 0, n);
                        if (buffer.length() > 2 * MAX_OUTPUT) {
                            buffer.delete(0, buffer.length() - MAX_OUTPUT);
                        }
                    }
                }
            } catch (IOException closed) {
                // the process was killed
            }
        }

        String tail() {
            synchronized (buffer) {
                return buffer.length() <= MAX_OUTPUT ? buffer.toString() : buffer.substring(buffer.length() - MAX_OUTPUT);
            }
        }
    }
}
