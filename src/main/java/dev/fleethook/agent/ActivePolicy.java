package dev.fleethook.agent;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.PolicyDocument;

/**
 * The policy the daemon obeys now: the cached one at start, then each changed poll answer. Each revision is
 * checked once against the local config and reported to the portal as {@code policy-accepted} or, per reason,
 * {@code policy-refused}.
 */
final class ActivePolicy {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    private final HookRunner.Permissions permissions;
    private final Consumer<JobEvent> emit;
    private final Set<String> reported = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile PolicyDocument policy;

    ActivePolicy(PolicyDocument cached, HookRunner.Permissions permissions, Consumer<JobEvent> emit) {
        this.policy = cached;
        this.permissions = permissions;
        this.emit = emit;
    }

    /** The policy now; null when none is assigned (or none has been received yet). */
    PolicyDocument get() {
        return policy;
    }

    /** Obeys {@code fresh} from now on (null: none assigned), after checking it against the local config. */
    void replace(PolicyDocument fresh) {
        policy = fresh;
        if (fresh != null) {
            check(fresh);
        }
    }

    /** Reports what the current policy asks beyond the local config, once per revision and reason. */
    void checkCurrent() {
        PolicyDocument p = policy;
        if (p != null) {
            check(p);
        }
    }

    private void check(PolicyDocument p) {
        List<String> reasons;
        try {
            reasons = LocalPolicyCheck.refusals(p, permissions);
        } catch (RuntimeException e) {
            // A policy this agent cannot even check must not stop it: each step refuses or fails on its own.
            LOG.log(System.Logger.Level.ERROR, "Cannot check the policy against the local config: " + Failures.describe(e));
            return;
        }
        if (reasons.isEmpty() && reported.add(p.policyId() + "@" + p.revision() + ": accepted")) {
            emit.accept(AgentEvents.policyAccepted());
        }
        for (String reason : reasons) {
            String key = p.policyId() + "@" + p.revision() + ": " + reason;
            if (reported.add(key)) {
                LOG.log(System.Logger.Level.WARNING, "Refused by local config: " + reason);
                emit.accept(AgentEvents.policyRefused("revision " + p.revision() + " of " + p.policyName() + ": " + reason));
            }
        }
    }
}
