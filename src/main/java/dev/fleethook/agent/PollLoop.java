package dev.fleethook.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.protocol.Backoff;
import dev.fleethook.protocol.PolicyDocument;

/**
 * The daemon's poll thread: holding polls ({@link PolicyPoller}) with backoff (2 s doubling to 5 min) while the
 * portal fails; a changed policy becomes the {@link ActivePolicy} and wakes the schedule; commands that come
 * with a good answer are obeyed.
 */
final class PollLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    private final AgentState state;
    private final PortalClient portal;
    private final ActivePolicy policy;
    private final Commands commands;
    private final Sleeper sleeper;
    private final BooleanSupplier stopping;

    PollLoop(AgentState state, PortalClient portal, ActivePolicy policy, Commands commands, Sleeper sleeper,
            BooleanSupplier stopping) {
        this.state = state;
        this.portal = portal;
        this.policy = policy;
        this.commands = commands;
        this.sleeper = sleeper;
        this.stopping = stopping;
    }

    @Override
    public void run() {
        PolicyPoller poller = new PolicyPoller(state, portal, new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5)),
                true);
        while (!stopping.getAsBoolean()) {
            Duration next = Duration.ofSeconds(30);
            try {
                PolicyPoller.Outcome o = poller.pollOnce();
                next = o.next();
                if (o.problem() != null) {
                    LOG.log(System.Logger.Level.WARNING, "Poll failed ({0}); next try in {1} s", o.problem(),
                            next.toSeconds());
                }
                if (o.policy().isPresent()) {
                    if (o.changed()) {
                        policy.replace(o.policy().get().answer().policy());
                        sleeper.wake();
                    }
                    List<AgentCommand> received = o.policy().get().answer().commands();
                    if (o.problem() == null && received != null) {
                        commands.obey(received);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Poll failed: " + e);
            } catch (InterruptedException e) {
                return;
            }
            sleeper.sleep(next);
        }
    }

    /**
     * One plain poll at start: the policy as the portal answers it now (saved like any poll answer, commands left
     * to the poll loop), or the cached one when it does not answer. The agent-start hooks run from it.
     */
    PolicyDocument pollAtStart() {
        try {
            PolicyPoller.Outcome o = new PolicyPoller(state, portal, new Backoff(Duration.ofSeconds(1),
                    Duration.ofSeconds(1))).pollOnce();
            if (o.problem() == null && o.policy().isPresent() && o.changed()) {
                policy.replace(o.policy().get().answer().policy());
            } else if (o.problem() != null) {
                LOG.log(System.Logger.Level.WARNING, "Portal did not answer at start ({0}): agent-start hooks run "
                        + "from the cached policy", o.problem());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Portal did not answer at start (" + Failures.why(e)
                    + "): agent-start hooks run from the cached policy");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return policy.get();
    }
}
