package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.PollResponse;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.TargetOs;

/**
 * The daemon's local schedule, with the portal unreachable: a due start runs from the cached policy, a
 * start missed beyond its window is reported Skipped, a new schedule does not back-fill, and a second
 * agent on the same state directory is refused.
 */
class AgentDaemonTest {

    @TempDir
    Path dir;

    AgentState enrolled(String cron, Integer window) throws IOException {
        AgentState state = new AgentState(dir.resolve("state"));
        // Port 1 on loopback: nothing listens, the portal is "down" for the whole test.
        state.save(new AgentState.Config("http://127.0.0.1:1", UUID.randomUUID().toString(), "fs-01", 30, false, false,
                List.of()), "fha_test");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/x.txt"), "x");
        PolicyDocument policy = new PolicyDocument(UUID.randomUUID().toString(), "Offline", 1, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.CRON, cron, "UTC", window), new PolicyDocument.Retry(0, 1),
                new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                        new PolicyDocument.Archive(dir.resolve("archives").toString(), 2), null, null),
                new PolicyDocument.Scripts(false, null, null, null, false, null), List.of());
        state.savePolicy(new AgentState.CachedPolicy("\"etag\"", new PollResponse(UUID.randomUUID(), 30, policy, List.of())));
        return state;
    }

    void markLast(AgentState state, String cron, Instant last) throws IOException {
        String policyId = state.cachedPolicy().orElseThrow().answer().policy().policyId();
        state.writeDurably("schedule.json", AgentState.JSON.writeValueAsString(
                new ScheduleLoop.Mark(policyId + "|" + cron + "|UTC", last)));
    }

    /** The spooled events once they include a finished job (the job runs on the daemon's thread). */
    List<JobEvent> spooled(AgentState state) throws Exception {
        EventSpool spool = new EventSpool(state.dir().resolve("spool"));
        return org.awaitility.Awaitility.await("a finished job in the spool").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> spool.pending(1000).stream().map(EventSpool.Pending::event).toList(),
                        events -> events.stream().anyMatch(e -> e.type() == EventType.JOB_FINISHED));
    }

    @Test
    void aDueStartRunsFromTheCachedPolicyWhileThePortalIsDown() throws Exception {
        AgentState state = enrolled("*/5 * * * *", 60);
        markLast(state, "*/5 * * * *", Instant.now().minus(Duration.ofMinutes(11)));
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            Duration wait = daemon.scheduleOnce(Instant.now());
            assertTrue(wait.compareTo(Duration.ofMinutes(5).plusSeconds(1)) <= 0, wait.toString());
            List<JobEvent> events = spooled(state);
            assertEquals("scheduled", events.get(0).trigger());
            JobEvent finished = events.stream().filter(e -> e.type() == EventType.JOB_FINISHED).findFirst().orElseThrow();
            assertEquals(JobStatus.SUCCEEDED, finished.jobStatus());
        }
        try (var archives = Files.list(dir.resolve("archives"))) {
            assertEquals(1, archives.count(), "the archive was written");
        }
    }

    @Test
    void aStartMissedBeyondItsWindowIsReportedSkipped() throws Exception {
        ZonedDateTime twoHoursAgo = ZonedDateTime.now(ZoneOffset.UTC).minusHours(2);
        String cron = twoHoursAgo.getMinute() + " " + twoHoursAgo.getHour() + " * * *";
        AgentState state = enrolled(cron, 30);
        markLast(state, cron, Instant.now().minus(Duration.ofDays(3)));
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            daemon.scheduleOnce(Instant.now());
            List<JobEvent> events = spooled(state);
            assertEquals(List.of(EventType.JOB_STARTED, EventType.JOB_FINISHED), events.stream().map(JobEvent::type).toList());
            assertEquals(JobStatus.SKIPPED, events.get(1).jobStatus());
        }
        assertTrue(!Files.exists(dir.resolve("archives")), "nothing ran");
    }

    @Test
    void aNewScheduleStartsFromNowWithoutBackFilling() throws Exception {
        AgentState state = enrolled("* * * * *", null);
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            Duration wait = daemon.scheduleOnce(Instant.now());
            assertTrue(wait.compareTo(Duration.ofSeconds(61)) <= 0);
            EventSpool spool = new EventSpool(state.dir().resolve("spool"));
            org.awaitility.Awaitility.await("no job for starts before it was known").during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2)).until(() -> spool.size() == 0);
        }
    }

    @Test
    void aSecondAgentOnTheSameStateDirectoryIsRefused() throws Exception {
        AgentState state = enrolled("0 1 * * *", null);
        try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
            IOException e = assertThrows(IOException.class, () -> AgentDaemon.lock(state));
            assertTrue(e.getMessage().contains("another agent is running"), e.getMessage());
        }
        AgentDaemon.lock(state).release();
    }

    @Test
    void theAgentStartHooksRunFromThePolicyThePortalAnswersAtStartNotFromTheCache() throws Exception {
        // Case 11 of issue 11: a newly assigned agent-start hook ran only at the second daemon start, because
        // the daemon started from its cached policy. A stand-in portal on loopback answers revision 2.
        Path log = dir.resolve("start.log");
        Path hook = dir.resolve("hooks/on-start.sh");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "#!/bin/sh\necho \"$FLEETHOOK_ACTION $FLEETHOOK_POLICY\" >> " + log + "\n");
        Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        UUID server = UUID.randomUUID();
        PolicyDocument cached = new PolicyDocument(UUID.randomUUID().toString(), "Old", 1, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.MANUAL, null, "UTC", null), new PolicyDocument.Retry(0, 1),
                new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                        new PolicyDocument.Archive(dir.resolve("archives").toString(), 2), null, null),
                new PolicyDocument.Scripts(false, null, null, null, false, null), List.of());
        PolicyDocument assigned = new PolicyDocument(cached.policyId(), "New", 2, cached.os(), cached.schedule(),
                cached.retry(), cached.backup(), cached.scripts(), List.of(new PolicyDocument.Hook(0,
                        dev.fleethook.protocol.HookPhase.AGENT_START, dev.fleethook.protocol.HookSource.COMMAND,
                        dev.fleethook.protocol.HookMode.ESSENTIAL, 30, null, List.of(hook.toString()), null, null)));
        com.sun.net.httpserver.HttpServer portal = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        portal.createContext("/api/agent/v1/policy", exchange -> {
            byte[] body = AgentState.JSON.writeValueAsBytes(new PollResponse(server, 30, assigned, List.of()));
            exchange.getResponseHeaders().add("ETag", "\"rev2\"");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // Events are refused for now, so they stay in the spool where the test reads them.
        portal.createContext("/api/agent/v1/events", exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "60");
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        portal.start();
        try {
            AgentState state = new AgentState(dir.resolve("state"));
            state.save(new AgentState.Config("http://127.0.0.1:" + portal.getAddress().getPort(), server.toString(),
                    "fs-01", 30, true, false, List.of(dir.toString())), "fha_test");
            state.savePolicy(new AgentState.CachedPolicy("\"rev1\"", new PollResponse(server, 30, cached, List.of())));
            try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
                daemon.start();
                List<JobEvent> events = spooled(state);
                JobEvent started = events.stream().filter(e -> e.type() == EventType.JOB_STARTED).findFirst().orElseThrow();
                assertEquals("agent-start", started.trigger());
                assertEquals(2, started.policyRevision());
                assertEquals(List.of("agent-start New"), Files.readAllLines(log));
                assertEquals(2, state.cachedPolicy().orElseThrow().answer().policy().revision(), "the answer was cached");
            }
        } finally {
            portal.stop(0);
        }
    }

    /** A stand-in portal on loopback: answers polls as held (so the agent polls about every second), records them and the events. */
    static final class StandInPortal implements AutoCloseable {
        final com.sun.net.httpserver.HttpServer server;
        final List<String> runningJobHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<JobEvent> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean acceptEvents;

        StandInPortal(UUID serverId, PolicyDocument policy, boolean acceptEvents) throws IOException {
            this.acceptEvents = acceptEvents;
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/agent/v1/policy", exchange -> {
                String running = exchange.getRequestHeaders().getFirst(dev.fleethook.protocol.AgentHeaders.RUNNING_JOB);
                if (running != null) {
                    runningJobHeaders.add(running);
                }
                exchange.getResponseHeaders().add(dev.fleethook.protocol.PollWait.HEADER, "1");
                exchange.getResponseHeaders().add("ETag", "\"p\"");
                if ("\"p\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    exchange.sendResponseHeaders(304, -1);
                } else {
                    byte[] body = AgentState.JSON.writeValueAsBytes(new PollResponse(serverId, 30, policy, List.of()));
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.createContext("/api/agent/v1/events", exchange -> {
                if (!this.acceptEvents) {
                    // Refused for now, so they stay in the spool where a test reads them.
                    exchange.getResponseHeaders().add("Retry-After", "60");
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                dev.fleethook.protocol.EventBatch batch = AgentState.JSON.readValue(exchange.getRequestBody(),
                        dev.fleethook.protocol.EventBatch.class);
                received.addAll(batch.events());
                byte[] body = AgentState.JSON.writeValueAsBytes(
                        new dev.fleethook.protocol.EventBatchResponse(batch.events().size(), 0));
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A policy whose only hook is {@code phase}, running {@code script}. */
    PolicyDocument hookPolicy(dev.fleethook.protocol.HookPhase phase, Path script) {
        return new PolicyDocument(UUID.randomUUID().toString(), "Hooks", 1, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.MANUAL, null, "UTC", null), new PolicyDocument.Retry(0, 1),
                new PolicyDocument.Backup(BackupEngine.ARCHIVE, List.of(dir.resolve("data").toString()), List.of(),
                        new PolicyDocument.Archive(dir.resolve("archives").toString(), 2), null, null),
                new PolicyDocument.Scripts(false, null, null, null, false, null), List.of(new PolicyDocument.Hook(0,
                        phase, dev.fleethook.protocol.HookSource.COMMAND, dev.fleethook.protocol.HookMode.ESSENTIAL, 300,
                        null, List.of(script.toString()), null, null)));
    }

    Path script(String name, String body) throws IOException {
        Path f = dir.resolve("hooks/" + name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    AgentState enrolledAt(StandInPortal portal, UUID server) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        AgentState state = new AgentState(dir.resolve("state"));
        state.save(new AgentState.Config(portal.url(), server.toString(), "fs-01", 30, true, false,
                List.of(dir.toString())), "fha_test");
        return state;
    }

    @Test
    void aSlowAgentStartHookIsTheRunningJobThePollsNameUntilItEnds() throws Exception {
        // The agent-start job was not named in Fleethook-Running-Job, so the portal closed a hook running
        // longer than its 2-minute grace as abandoned. The hook here runs until the test lets it finish.
        Path release = dir.resolve("release");
        Path hook = script("slow-start.sh", "while [ ! -f " + release + " ]; do sleep 0.1; done\n");
        UUID server = UUID.randomUUID();
        try (StandInPortal portal = new StandInPortal(server, hookPolicy(dev.fleethook.protocol.HookPhase.AGENT_START,
                hook), false)) {
            AgentState state = enrolledAt(portal, server);
            try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
                try {
                    daemon.start();
                    EventSpool spool = new EventSpool(state.dir().resolve("spool"));
                    UUID job = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> spool.pending(100)
                            .stream().map(EventSpool.Pending::event).filter(e -> e.type() == EventType.JOB_STARTED
                                    && "agent-start".equals(e.trigger())).map(JobEvent::jobId).findFirst(),
                            java.util.Optional::isPresent).orElseThrow();
                    // Polls keep coming while the hook runs, and they name the agent-start job.
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                            .until(() -> portal.runningJobHeaders.stream().filter(job.toString()::equals).count() >= 2);
                    assertTrue(spool.pending(100).stream().noneMatch(e -> e.event().type() == EventType.JOB_FINISHED),
                            "the hook job still runs");
                    Files.createFile(release);
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> spool.pending(100).stream()
                            .anyMatch(e -> e.event().type() == EventType.JOB_FINISHED && job.equals(e.event().jobId())));
                    int seen = portal.runningJobHeaders.size();
                    // Once it has ended, the polls say no job runs.
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> portal.runningJobHeaders
                            .subList(seen, portal.runningJobHeaders.size()).contains(dev.fleethook.protocol.AgentHeaders.NONE));
                } finally {
                    // A failed assertion must not leave the hook holding close() for its whole timeout.
                    if (!Files.exists(release)) {
                        Files.createFile(release);
                    }
                }
            }
        }
    }

    @Test
    void theAgentStopJobIsTheRunningJobOfItsRunner() throws Exception {
        // The daemon's polls have ended when the agent-stop hooks run; what they would name is the runner's job.
        Path release = dir.resolve("release");
        Path hook = script("slow-stop.sh", "while [ ! -f " + release + " ]; do sleep 0.1; done\n");
        List<JobEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Files.createDirectories(dir.resolve("data"));
        JobRunner runner = new JobRunner(new JobRunner.Settings("fs-01", new HookRunner.Permissions(true, false,
                List.of(dir), java.util.Set.of()), Files.createDirectories(dir.resolve("tmp")), dir.resolve("secrets"),
                TargetOs.LINUX, "test", Duration.ofMinutes(1)), events::add, new JobJournal(dir.resolve("journal")));
        assertEquals(null, runner.runningJob());
        java.util.concurrent.CompletableFuture<JobStatus> stop = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return runner.agentStop(hookPolicy(dev.fleethook.protocol.HookPhase.AGENT_STOP, hook));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        JobEvent started = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.stream()
                .filter(e -> e.type() == EventType.JOB_STARTED).findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertEquals("agent-stop", started.trigger());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> started.jobId().equals(runner.runningJob()));
        Files.createFile(release);
        assertEquals(JobStatus.SUCCEEDED, stop.get(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(null, runner.runningJob(), "no job runs once the hook job ended");
    }

    @Test
    void eventsTheSpoolRefusesAreSentDirectlyWithTheNextFlush() throws Exception {
        // The spool folder replaced by a regular file: every append fails for real (Not a directory).
        Path hook = script("start.sh", "echo started\n");
        UUID server = UUID.randomUUID();
        try (StandInPortal portal = new StandInPortal(server, hookPolicy(dev.fleethook.protocol.HookPhase.AGENT_START,
                hook), true)) {
            AgentState state = enrolledAt(portal, server);
            try (AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1))) {
                Path spoolDir = state.dir().resolve("spool");
                Files.delete(spoolDir);
                Files.writeString(spoolDir, "not a folder");
                daemon.start();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> portal.received.stream()
                        .anyMatch(e -> e.type() == EventType.JOB_FINISHED));
                // The job's record (the live step reports, step-started and step-output, aside).
                List<JobEvent> job = portal.received.stream().filter(e -> e.jobId() != null)
                        .filter(e -> e.type() != EventType.STEP_STARTED && e.type() != EventType.STEP_OUTPUT).toList();
                assertEquals(List.of(EventType.JOB_STARTED, EventType.ATTEMPT_STARTED, EventType.HOOK_FINISHED,
                        EventType.ATTEMPT_FINISHED, EventType.JOB_FINISHED), job.stream().map(JobEvent::type).toList());
                assertEquals("agent-start", job.get(0).trigger());
                assertEquals(JobStatus.SUCCEEDED, job.get(4).jobStatus());
                assertTrue(portal.received.stream().anyMatch(e -> e.type() == EventType.STEP_STARTED
                        && "hook".equals(e.step())), "the agent-start hooks were reported as they began");
                assertTrue(Files.isRegularFile(spoolDir), "nothing was written to the spool");
            }
        }
    }
}
