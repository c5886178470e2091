package dev.fleethook.job.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the job feature shows of a job: its summary, attempts, steps and hooks, for the pages, the alert
 * emails and (mapped to {@code job.rest.JobRecords}) the API. A step never reported has status "N/A" and no
 * code; durations are in milliseconds.
 */
public final class JobViews {

    private JobViews() {
    }

    public record JobSummary(UUID id, UUID serverId, String hostname, UUID policyId, String policyName,
            Integer policyRevision, String trigger, String status, Integer backupStatus, String backupStatusName,
            int attempts, Integer maxAttempts, Instant startedAt, Instant finishedAt, boolean missed,
            String statusReason) {

        /** From start to end in milliseconds; null while either is unknown. */
        public Long durationMs() {
            return startedAt == null || finishedAt == null ? null
                    : Math.max(0, java.time.Duration.between(startedAt, finishedAt).toMillis());
        }
    }

    public record StepView(String status, Integer statusCode, Integer exitCode, Long durationMs, Boolean timedOut,
            String outputTail, String detail, Map<String, Object> stats) {

        public static final StepView NOT_REPORTED = new StepView("N/A", null, null, null, null, null, null, null);

        public boolean reported() {
            return statusCode != null;
        }
    }

    public record HookView(String phase, int index, String sourcePath, StepView result) {
        /**
         * How the job page names it, numbered as the policy form numbers its hooks (from 1):
         * {@code Hook 1 · before-folder (/srv/share)}.
         */
        public String pageLabel() {
            return "Hook " + (index + 1) + " · " + phase + (sourcePath == null ? "" : " (" + sourcePath + ")");
        }

        /** How the timeline names it: {@code before-folder hook #0 (/srv/share)}. */
        public String label() {
            return phase + " hook #" + index + (sourcePath == null ? "" : " (" + sourcePath + ")");
        }
    }

    /**
     * The step an attempt of a running job runs now, as the agent last reported it: {@code step} is "pre",
     * "backup", "post" or "hook:<phase>[:<source path>]", {@code label} how a person reads it, {@code
     * outputTail} its output so far (last 16 KiB; null until the agent reported some), {@code outputAt} when.
     */
    public record LiveStep(String step, String label, Instant startedAt, String outputTail, Instant outputAt) {
    }

    /** {@code live}: the step running now, only while this attempt of a running job has not ended. */
    public record AttemptView(int number, Instant startedAt, Instant finishedAt, Boolean finalAttempt, StepView pre,
            StepView backup, StepView post, List<HookView> hooks, LiveStep live) {

        public AttemptView(int number, Instant startedAt, Instant finishedAt, Boolean finalAttempt, StepView pre,
                StepView backup, StepView post, List<HookView> hooks) {
            this(number, startedAt, finishedAt, finalAttempt, pre, backup, post, hooks, null);
        }

        /** From its start to its end in milliseconds; null while either is unknown. */
        public Long durationMs() {
            return startedAt == null || finishedAt == null ? null
                    : Math.max(0, java.time.Duration.between(startedAt, finishedAt).toMillis());
        }

        /** Why the attempt ended, from its backup step, and whether a retry followed; null while it runs. */
        public String endReason() {
            if (finishedAt == null) {
                return null;
            }
            Integer code = backup == null ? null : backup.statusCode();
            String why = code == null ? "the backup was not reported" : switch (code) {
                case 0 -> "the backup succeeded";
                case 5 -> "the backup was partially successful";
                case 2 -> "canceled";
                case 3 -> "the backup window closed";
                case 4 -> "the backup was not executed";
                default -> "the backup failed";
            };
            return why + (Boolean.FALSE.equals(finalAttempt) ? "; retried" : "");
        }
    }

    /**
     * {@code nextRetryAt}: when the agent starts the next attempt of a running job whose last attempt ended
     * and was not its last (the attempt's end plus the policy's retry interval); null otherwise.
     */
    public record JobDetail(JobSummary job, List<AttemptView> attempts, Instant nextRetryAt) {

        public JobDetail(JobSummary job, List<AttemptView> attempts) {
            this(job, attempts, null);
        }
    }
}
