package dev.fleethook.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.fleethook.protocol.Backoff;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.TargetOs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar fleethook-agent.jar <command>}: the Fleethook agent. */
@Command(name = "fleethook-agent", mixinStandardHelpOptions = true, version = AgentMain.VERSION,
        description = "Runs pre-script, backup and post-script as the Fleethook portal's policy says.",
        subcommands = { AgentMain.Enroll.class, AgentMain.Run.class, AgentMain.BackupNow.class, AgentMain.Status.class })
public final class AgentMain {

    public static final String VERSION = "0.1.0";

    public static void main(String[] args) {
        if (Locales.mustRelaunch()) {
            System.exit(Locales.relaunch(AgentMain.class, args));
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %5$s%6$s%n");
        }
        CommandLine cli = new CommandLine(new AgentMain());
        // A broken state directory or config.json gets one clear line, not a stack trace.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("fleethook-agent: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        System.exit(cli.execute(args));
    }

    static class StateOption {
        @Option(names = "--state-dir", description = "State directory (default: /var/lib/fleethook-agent as root, "
                + "~/.fleethook-agent otherwise)")
        Path stateDir;

        AgentState state() {
            return new AgentState(stateDir == null ? AgentState.defaultDir() : stateDir);
        }

        /** The state directory if this agent is enrolled; null (after saying so) if not. */
        AgentState enrolled() {
            AgentState s = state();
            if (!s.enrolled()) {
                System.err.println("Not enrolled (" + s.dir() + "): run enroll first.");
                return null;
            }
            return s;
        }
    }

    @Command(name = "enroll", description = "Enrolls this server with a one-time token from the portal.")
    static class Enroll implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Option(names = "--portal", required = true, description = "The portal's URL, e.g. https://fleethook.example.com")
        String portal;

        @Option(names = "--token", required = true, description = "The enrollment token shown in the portal")
        String token;

        @Option(names = "--hostname", description = "The name to report (default: this machine's host name)")
        String hostname;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.state();
            if (s.enrolled()) {
                System.err.println("Already enrolled (" + s.dir() + "); remove that directory to enroll again.");
                return 2;
            }
            String name = hostname != null ? hostname : InetAddress.getLocalHost().getHostName();
            TargetOs os = Platform.CURRENT.os();
            EnrollResponse r;
            try {
                r = new PortalClient(portal).enroll(new EnrollRequest(token, name, os, VERSION));
            } catch (PortalClient.PortalException e) {
                System.err.println(e.status == 401 ? "The token was refused: it may have expired, been used up or revoked."
                        : e.getMessage());
                return 1;
            }
            // Hooks stay off until enabled locally in config.json (like Kopia's --enable-actions).
            s.save(new AgentState.Config(portal, r.serverId().toString(), name, r.pollIntervalSeconds(), false, false,
                    List.of()), r.agentSecret());
            System.out.println("Enrolled as " + name + " (server " + r.serverId() + "); state in " + s.dir());
            System.out.println("Next: scripts and hooks stay off on this server until you allow them in "
                    + s.dir().resolve("config.json") + " (\"hooksEnabled\": true and the script folders in "
                    + "\"allowedRoots\"), then start the agent: java -jar fleethook-agent.jar run --state-dir " + s.dir());
            return 0;
        }
    }

    @Command(name = "run", description = "Runs the agent: polls the portal, keeps the schedule, runs jobs, reports.")
    static class Run implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.enrolled();
            if (s == null) {
                return 3;
            }
            AgentDaemon daemon;
            try {
                daemon = AgentDaemon.open(s, Duration.ofMinutes(1));
            } catch (IOException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "fleethook-stop"));
            daemon.start();
            daemon.awaitStop();
            return 0;
        }
    }

    @Command(name = "backup-now", description = "Runs one job now, in the foreground, with the current policy, and "
            + "prints its id. Ctrl-C or SIGTERM cancels it: a running pre-script finishes, the post-script still runs, "
            + "the job is reported. Exit code 0 when the backup succeeded, 1 when not, 2 when another agent runs, "
            + "3 when not enrolled or without policy, 130/143 after Ctrl-C/SIGTERM.")
    static class BackupNow implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.enrolled();
            if (s == null) {
                return 3;
            }
            java.nio.channels.FileLock lock;
            try {
                lock = AgentDaemon.lock(s);
            } catch (IOException e) {
                System.err.println(e.getMessage() + ": use Backup Now in the portal, or stop the agent first.");
                return 2;
            }
            AgentState.Config config = s.config();
            PortalClient portal = new PortalClient(config.portal());
            EventSpool spool = new EventSpool(s.dir().resolve("spool"));
            // An event the spool cannot take (disk full, no permission) is kept here and sent at the end, so that
            // a full disk does not silently leave the job unreported.
            List<JobEvent> unspooled = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            JobRunner runner = new JobRunner(AgentDaemon.settings(s, config, Duration.ofMinutes(1)), event -> {
                try {
                    spool.append(event);
                } catch (IOException | RuntimeException e) {
                    if (unspooled.isEmpty()) {
                        System.err.println("Cannot write to the spool (" + Failures.describe(e) + "): events are kept "
                                + "in memory and sent at the end of the job.");
                    }
                    unspooled.add(event);
                }
                System.out.println(describe(event));
            }, new JobJournal(s.dir().resolve("journal")));
            runner.recover();
            PolicyPoller.Outcome polled = new PolicyPoller(s, portal, new Backoff(Duration.ofSeconds(1),
                    Duration.ofSeconds(1))).pollOnce();
            if (polled.problem() != null) {
                System.err.println("Portal: " + polled.problem() + " (using the cached policy)");
            }
            PolicyDocument policy = polled.policy().map(p -> p.answer().policy()).orElse(null);
            if (policy == null) {
                System.err.println("No policy is assigned to this server.");
                lock.release();
                return 3;
            }
            for (String reason : LocalPolicyCheck.refusals(policy, AgentDaemon.permissions(config))) {
                System.err.println("Refused by local config: " + reason);
                spool.append(AgentEvents.policyRefused(reason));
            }
            // Ctrl-C (SIGINT) and SIGTERM mean Cancel: the JVM's shutdown waits here until the pre-script has
            // finished, the backup is canceled, the post-script has run and the events are sent or spooled.
            // The scripts run in sessions of their own, so the terminal's Ctrl-C does not reach them.
            AtomicBoolean cancel = new AtomicBoolean();
            CountDownLatch reported = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                cancel.set(true);
                if (reported.getCount() > 0) {
                    System.err.println("Canceling the job: a running pre- or post-script finishes first, then the post-"
                            + "script runs and the job is reported (kill -9 leaves it to the next agent start).");
                }
                try {
                    reported.await(24, TimeUnit.HOURS);
                } catch (InterruptedException ignored) {
                    // stopping anyway
                }
            }, "fleethook-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            UUID jobId = UUID.randomUUID();
            System.out.println("Job " + jobId + " started; in the portal: " + jobLink(config.portal(), jobId));
            JobStatus status;
            try {
                status = runner.run(new JobRunner.Request(jobId, "manual", null, Instant.now(), policy), cancel::get);
                long pending = spool.size();
                try {
                    spool.flush(portal, s.secret());
                    if (!unspooled.isEmpty()) {
                        portal.sendEvents(s.secret(), List.copyOf(unspooled));
                        pending += unspooled.size();
                        unspooled.clear();
                    }
                    System.out.println("Reported to the portal (" + pending + " events sent).");
                } catch (IOException e) {
                    System.err.println("Portal unreachable (" + Failures.why(e) + "): " + spool.size()
                            + " events stay in the spool (" + s.dir().resolve("spool")
                            + ") and are sent by the agent later.");
                }
                if (!unspooled.isEmpty()) {
                    System.err.println(unspooled.size() + " events of job " + jobId + " could be neither written to the"
                            + " spool nor sent: the portal will not show this job's outcome. Free the disk of "
                            + s.dir() + " and check the portal.");
                }
                System.out.println("Job " + jobId + " " + status.wire());
            } finally {
                lock.release();
                reported.countDown();
            }
            return exitCode(status);
        }

        /**
         * backup-now's exit code: 0 when the backup succeeded (also partially), 1 otherwise. The other codes
         * (README): 2 another agent holds the state directory, 3 not enrolled or no policy; after Ctrl-C or
         * SIGTERM the JVM exits with 130 / 143 once the canceled job is reported.
         */
        static int exitCode(JobStatus status) {
            return status == JobStatus.SUCCEEDED || status == JobStatus.PARTIAL ? 0 : 1;
        }

        /** The job's page in the portal. */
        static String jobLink(String portal, UUID jobId) {
            return (portal.endsWith("/") ? portal.substring(0, portal.length() - 1) : portal) + "/jobs/" + jobId;
        }

        static String describe(JobEvent e) {
            StringBuilder b = new StringBuilder(e.type().wire());
            if (e.attempt() != null) {
                b.append(" attempt ").append(e.attempt());
            }
            if (e.step() != null) {
                b.append(' ').append(e.step());
            }
            if (e.phase() != null) {
                b.append(' ').append(e.phase().wire()).append(" #").append(e.hookIndex() + 1);
            }
            if (e.result() != null) {
                b.append(": status ").append(e.result().status());
                if (e.result().exitCode() != null) {
                    b.append(", exit ").append(e.result().exitCode());
                }
                if (e.result().detail() != null) {
                    b.append(" (").append(e.result().detail()).append(')');
                }
            }
            if (e.jobStatus() != null) {
                b.append(": ").append(e.jobStatus().wire());
            }
            return b.toString();
        }
    }

    @Command(name = "status", description = "Shows this agent's enrollment and local settings.")
    static class Status implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.enrolled();
            if (s == null) {
                return 3;
            }
            AgentState.Config c = s.config();
            System.out.println("Server:   " + c.serverId() + " (" + c.hostname() + ")");
            System.out.println("Portal:   " + c.portal());
            System.out.println("Hooks:    " + (c.hooksEnabled() ? "enabled" : "disabled (enable in config.json)")
                    + ", stored scripts " + (c.storedScriptsEnabled() ? "enabled" : "disabled"));
            System.out.println("Roots:    " + (c.allowedRoots().isEmpty() ? "none" : String.join(", ", c.allowedRoots())));
            System.out.println("Engine options that run programs: " + (c.allowedEngineOptions().isEmpty() ? "none allowed"
                    : "allowed " + String.join(", ", c.allowedEngineOptions())));
            PolicyDocument policy = s.cachedPolicy().map(p -> p.answer().policy()).orElse(null);
            if (policy == null) {
                System.out.println("Policy:   none received yet");
            } else {
                System.out.println("Policy:   " + policy.policyName() + " (revision " + policy.revision() + ")");
                LocalSchedule.of(policy.schedule()).flatMap(sc -> sc.next(Instant.now())).ifPresentOrElse(
                        next -> System.out.println("Next run: " + next + " (" + policy.schedule().timeZone() + ")"),
                        () -> System.out.println("Next run: manual only"));
                for (String reason : LocalPolicyCheck.refusals(policy, AgentDaemon.permissions(c))) {
                    System.out.println("Refused:  " + reason);
                }
            }
            if (java.nio.file.Files.isDirectory(s.dir().resolve("spool"))) {
                EventSpool spool = new EventSpool(s.dir().resolve("spool"));
                System.out.println("Unsent:   " + spool.size() + " events");
                System.out.println("Rejected: " + spool.rejectedCount() + " events refused by the portal"
                        + (spool.rejectedCount() > 0 ? " (set aside in " + s.dir().resolve("spool").resolve("rejected") + ")" : ""));
            }
            if (java.nio.file.Files.isDirectory(s.dir().resolve("journal"))) {
                for (JobJournal.Entry e : new JobJournal(s.dir().resolve("journal")).unfinished()) {
                    System.out.println("Unfinished job: " + e.jobId() + " (attempt " + e.attempt() + ", " + e.stage()
                            + "): finished at the next start");
                }
            }
            return 0;
        }
    }
}
