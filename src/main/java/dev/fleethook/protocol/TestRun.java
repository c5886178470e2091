package dev.fleethook.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * "Test this hook now": what a {@code test-run} {@link AgentCommand} asks the agent to run once, outside any
 * job, from the policy the same poll answer carries. {@code target} {@code pre-script} runs the policy's
 * pre-script with {@code [script, test run id]}; {@code post-script} the post-script with {@code [script, test
 * run id, preStatus, backupStatus]} (a {@link ScriptStatus} and a {@link BackupStatus} code, chosen by the
 * operator); {@code hook} the hook whose {@link PolicyDocument.Hook#index()} is {@code hookIndex}, in its phase.
 * The run gets the normal environment plus {@link #ENV}{@code =1}, {@code FLEETHOOK_JOB_ID} = the command id
 * (the test run id), the policy's timeout and every local opt-in and allowed root; the agent reports it once
 * with a {@code test-run-finished} event ({@code commandId} = the test run id, {@code result} with a
 * {@link ScriptStatus} code; a refusal is Failed with a detail starting with {@link #REFUSED}). It never counts
 * as a job: no job events, no alerts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TestRun(Target target, Integer hookIndex, Integer preStatus, Integer backupStatus) {

    /** The variable every test run sees set to {@code 1}, so a script can tell a test from a real job. */
    public static final String ENV = "FLEETHOOK_TEST";

    /** How the detail of a refused step starts (the agent's local config or allowed roots said no). */
    public static final String REFUSED = "refused: ";

    /** The longest a test run of a pre/post-script without a timeout may take, in seconds (10 minutes). */
    public static final int MAX_SECONDS_WITHOUT_TIMEOUT = 600;

    /** What to run. */
    public enum Target implements WireEnum {
        PRE_SCRIPT("pre-script"), POST_SCRIPT("post-script"), HOOK("hook");

        private final String wire;

        Target(String wire) {
            this.wire = wire;
        }

        @JsonValue
        @Override
        public String wire() {
            return wire;
        }

        @JsonCreator
        public static Target fromWire(String value) {
            return WireEnum.parse(values(), value);
        }
    }
}
