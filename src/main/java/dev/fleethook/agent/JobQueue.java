package dev.fleethook.agent;

import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.JobStatus;

/**
 * One job at a time, on one thread: scheduled starts, Backup Now and the agent-start hooks queue here; the next
 * starts when the one before ends (a scheduled one is Skipped then if its window has closed). Knows the running
 * job and its Cancel switch.
 */
final class JobQueue {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /** A job in progress and its Cancel switch. */
    private record Running(UUID jobId, AtomicBoolean cancel) {
    }

    private final JobRunner runner;
    private final BooleanSupplier stopping;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> AgentDaemon.thread(r, "fleethook-job"));
    private volatile Running running;

    /** {@code stopping}: a job queued once the daemon stops starts canceled. */
    JobQueue(JobRunner runner, BooleanSupplier stopping) {
        this.runner = runner;
        this.stopping = stopping;
    }

    /** Queues a job; returns its outcome once it has run. */
    Future<JobStatus> submit(JobRunner.Request request) {
        return jobs.submit(() -> {
            Running r = new Running(request.jobId(), new AtomicBoolean(stopping.getAsBoolean()));
            running = r;
            try {
                LOG.log(System.Logger.Level.INFO, "Job {0} ({1}) starting", request.jobId(), request.trigger());
                JobStatus status = runner.run(request, r.cancel()::get);
                LOG.log(System.Logger.Level.INFO, "Job {0} finished: {1}", request.jobId(), status.wire());
                return status;
            } finally {
                running = null;
            }
        });
    }

    /** Queues other work that must not overlap a job (the agent-start hooks). */
    <T> Future<T> submit(Callable<T> work) {
        return jobs.submit(work);
    }

    /** Cancels job {@code jobId} if it is the one running; true when it was. */
    boolean cancel(UUID jobId) {
        Running r = running;
        if (r != null && r.jobId().equals(jobId)) {
            r.cancel().set(true);
            return true;
        }
        return false;
    }

    /** Cancels whatever job runs (the daemon stops); its post-script still runs. */
    void cancelRunning() {
        Running r = running;
        if (r != null) {
            r.cancel().set(true);
        }
    }

    /** The job the agent runs now (agent-start/-stop hook jobs too), else the one about to start; null when none. */
    UUID runningJob() {
        UUID job = runner.runningJob();
        Running r = running;
        return job != null ? job : r == null ? null : r.jobId();
    }

    /** Takes no more jobs and waits up to 10 minutes for the queued ones (a post-script may still be running). */
    void shutdownAndAwait() throws InterruptedException {
        jobs.shutdown();
        jobs.awaitTermination(10, TimeUnit.MINUTES);
    }
}
