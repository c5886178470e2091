package dev.fleethook.agent;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the agent work under any locale. Java takes the encoding of file names from the locale at start
 * ({@code sun.jnu.encoding}); without one ({@code env -i}, a bare cron or unit environment) it is ASCII, and
 * a script folder such as {@code /srv/Überprüfung} or a file {@code Überweisung März.txt} cannot even be
 * named ("Malformed input or input contains unmappable characters"). The property cannot be changed once
 * the JVM runs, so the agent starts itself again with {@code LC_ALL=C.UTF-8} (glibc's built-in locale,
 * present on every current Linux) and waits for that copy, passing on its exit code, stdin/stdout and the
 * signals SIGINT, SIGTERM and SIGHUP. The shipped unit sets {@code LANG=C.UTF-8} so that this never
 * happens there; scripts then run with that locale too.
 */
final class Locales {

    /** Set in the relaunched agent, so it never relaunches again. */
    static final String RELAUNCHED = "FLEETHOOK_AGENT_RELAUNCHED";

    private Locales() {
    }

    /** True on Linux/Unix when file names are not decoded as UTF-8 and this is not already the relaunched copy. */
    static boolean mustRelaunch() {
        return File.separatorChar == '/' && !"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))
                && System.getenv(RELAUNCHED) == null;
    }

    /** Runs {@code main} again in a JVM with a UTF-8 locale and returns its exit code. */
    static int relaunch(Class<?> main, String[] args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put(RELAUNCHED, "1");
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("fleethook-agent: cannot start Java again with a UTF-8 locale (" + Failures.describe(e)
                    + "); set LANG=C.UTF-8 and start the agent again.");
            return 1;
        }
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                // The copy does the work: this JVM stays until it ends and only passes the signal on.
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> forward(child, name));
            } catch (IllegalArgumentException unsupported) {
                // a signal this platform does not have
            }
        }
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the copy decides when the agent ends
            }
        }
    }

    private static void forward(Process child, String signal) {
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(child.pid())).inheritIO().start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            child.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
