package dev.fleethook.job.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.job.service.JobViews;

/**
 * Wire records of the jobs API, mapped from the feature's {@link JobViews}. A step never reported has
 * status "N/A" and no code.
 */
public final class JobRecords {

    private JobRecords() {
    }

    public record JobSummary(UUID id, UUID serverId, String hostname, UUID policyId, String policyName,
            Integer policyRevision, String trigger, String status, Integer backupStatus, String backupStatusName,
            int attempts, Integer maxAttempts, Instant startedAt, Instant finishedAt, boolean missed,
            String statusReason) {

        public static JobSummary of(JobViews.JobSummary j) {
            return new JobSummary(j.id(), j.serverId(), j.hostname(), j.policyId(), j.policyName(), j.policyRevision(),
                    j.trigger(), j.status(), j.backupStatus(), j.backupStatusName(), j.attempts(), j.maxAttempts(),
                    j.startedAt(), j.finishedAt(), j.missed(), j.statusReason());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepView(String status, Integer statusCode, Integer exitCode, Long durationMs, Boolean timedOut,
            String outputTail, String detail, Map<String, Object> stats) {

        public static StepView of(JobViews.StepView s) {
            return s == null ? null : new StepView(s.status(), s.statusCode(), s.exitCode(), s.durationMs(),
                    s.timedOut(), s.outputTail(), s.detail(), s.stats());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HookView(String phase, int index, String sourcePath, StepView result) {

        public static HookView of(JobViews.HookView h) {
            return new HookView(h.phase(), h.index(), h.sourcePath(), StepView.of(h.result()));
        }
    }

    /**
     * The step an attempt of a running job runs now, as the agent last reported it: {@code step} is "pre",
     * "backup", "post" or "hook:<phase>[:<source path>]", {@code label} how a person reads it, {@code
     * outputTail} its output so far (last 16 KiB; null until the agent reported some), {@code outputAt} when.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LiveStep(String step, String label, Instant startedAt, String outputTail, Instant outputAt) {

        public static LiveStep of(JobViews.LiveStep l) {
            return l == null ? null : new LiveStep(l.step(), l.label(), l.startedAt(), l.outputTail(), l.outputAt());
        }
    }

    /** {@code live}: the step running now, only while this attempt of a running job has not ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttemptView(int number, Instant startedAt, Instant finishedAt, Boolean finalAttempt, StepView pre,
            StepView backup, StepView post, List<HookView> hooks, LiveStep live) {

        public static AttemptView of(JobViews.AttemptView a) {
            return new AttemptView(a.number(), a.startedAt(), a.finishedAt(), a.finalAttempt(), StepView.of(a.pre()),
                    StepView.of(a.backup()), StepView.of(a.post()),
                    a.hooks() == null ? null : a.hooks().stream().map(HookView::of).toList(), LiveStep.of(a.live()));
        }
    }

    /**
     * {@code nextRetryAt}: when the agent starts the next attempt of a running job whose last attempt ended
     * and was not its last (the attempt's end plus the policy's retry interval); null otherwise.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JobDetail(JobSummary job, List<AttemptView> attempts, Instant nextRetryAt) {

        public static JobDetail of(JobViews.JobDetail d) {
            return new JobDetail(JobSummary.of(d.job()),
                    d.attempts() == null ? null : d.attempts().stream().map(AttemptView::of).toList(), d.nextRetryAt());
        }
    }
}
