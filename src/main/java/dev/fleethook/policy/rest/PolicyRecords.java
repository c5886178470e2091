package dev.fleethook.policy.rest;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.PolicyDiff;
import dev.fleethook.kernel.Problem.FieldError;

import dev.fleethook.policy.service.PolicyService;

/** Wire records of the policy API. */
public final class PolicyRecords {

    private PolicyRecords() {
    }

    /**
     * Create or update a policy. {@code baseRevision} is the revision the change was made from: when
     * someone saved in between, the save is refused with 409 instead of overwriting their work.
     */
    public record SavePolicyRequest(Integer baseRevision, String note, PolicySpec spec) {

        public PolicyService.SavePolicy command() {
            return new PolicyService.SavePolicy(baseRevision, note, spec);
        }
    }

    public record RollbackRequest(Integer revision, Integer baseRevision, String note) {
    }

    public record PolicySummary(UUID id, String name, String description, boolean isDefault, int currentRevision,
            Instant updatedAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicyResponse(UUID id, String name, String description, boolean isDefault, int currentRevision,
            Instant createdAt, Instant updatedAt, String timeZone, List<ZonedDateTime> nextRuns, PolicySpec spec) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RevisionResponse(int number, String author, Instant createdAt, String note, String specHash,
            PolicySpec spec) {
    }

    public record DiffResponse(int from, int to, List<PolicyDiff.Change> changes) {
    }

    /** The answer of a dry run: what is wrong, and when the schedule would start jobs. */
    public record ValidationResponse(boolean valid, List<FieldError> errors, List<ZonedDateTime> nextRuns) {
    }
}
