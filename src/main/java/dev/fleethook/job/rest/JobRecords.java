package dev.fleethook.job.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Wire records of the jobs API. A step never reported has status "N/A" and no code. */
public final class JobRecords {

    private JobRecords() {
    }

    public record JobSummary(UUID id, UUID serverId, String hostname, UUID policyId, String policyName,
            Integer policyRevision, String trigger, String status, Integer backupStatus, String backupStatusName,
            int attempts, Integer maxAttempts, Instant startedAt, Instant finishedAt, boolean missed,
            String statusReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepView(String status, Integer statusCode, Integer exitCode, Long durationMs, Boolean timedOut,
            String outputTail, String detail, Map<String, Object> stats) {

        public static final StepView NOT_REPORTED = new StepView("N/A", null, null, null, null, null, null, null);

        public boolean reported() {
            return statusCode != null;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HookView(String phase, int index, String sourcePath, StepView result) {
        /** How the timeline names it: {@code before-folder hook #0 (/srv/share)}. */
        public String label() {
            return phase + " hook #" + index + (sourcePath == null ? "" : " (" + sourcePath + ")");
        }
    }

    public record AttemptView(int number, Instant startedAt, Instant finishedAt, Boolean finalAttempt, StepView pre,
            StepView backup, StepView post, List<HookView> hooks) {
    }

    public record JobDetail(JobSummary job, List<AttemptView> attempts) {
    }
}
