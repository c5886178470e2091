package dev.fleethook.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;

/**
 * What a policy asks for that this agent does not allow (its local config). Each reason is reported to
 * the portal as a {@code policy-refused} event when the policy arrives, and the refused parts are
 * recorded as refused (Failed) whenever a job would have run them: never a silent run, never a run.
 */
final class LocalPolicyCheck {

    private LocalPolicyCheck() {
    }

    static List<String> refusals(PolicyDocument policy, HookRunner.Permissions allowed) {
        List<String> reasons = new ArrayList<>();
        PolicyDocument.Scripts scripts = policy.scripts();
        if (scripts != null && scripts.enabled()) {
            if (!allowed.hooksEnabled()) {
                reasons.add("the policy enables pre/post scripts, but scripts are not enabled on this agent "
                        + "(set hooksEnabled in config.json)");
            } else if (scripts.folder() != null && !allows(allowed, scripts.folder())) {
                reasons.add("script folder " + scripts.folder() + " is outside this agent's allowed roots");
            }
        }
        List<PolicyDocument.Hook> hooks = policy.hooks() == null ? List.of() : policy.hooks();
        if (!hooks.isEmpty() && !allowed.hooksEnabled()) {
            reasons.add("the policy has " + hooks.size() + " hook(s), but hooks are not enabled on this agent "
                    + "(set hooksEnabled in config.json)");
        } else {
            for (PolicyDocument.Hook h : hooks) {
                String where = "hook " + (h.index() + 1) + " (" + h.phase().wire() + ")";
                if (h.source() == HookSource.STORED && !allowed.storedScriptsEnabled()) {
                    reasons.add(where + " is a stored script, but stored scripts are not enabled on this agent "
                            + "(set storedScriptsEnabled in config.json)");
                }
                String path = h.source() == HookSource.COMMAND && h.command() != null && !h.command().isEmpty()
                        ? h.command().get(0) : h.source() == HookSource.STORED ? null : h.path();
                if (path != null && !allows(allowed, path)) {
                    reasons.add(where + ": " + path + " is outside this agent's allowed roots");
                }
            }
        }
        PolicyDocument.Backup backup = policy.backup();
        if (backup != null && backup.engine() == BackupEngine.COMMAND) {
            String program = backup.command() == null || backup.command().isEmpty() ? null : backup.command().get(0);
            if (!allowed.hooksEnabled()) {
                reasons.add("the command engine runs a program, but scripts are not enabled on this agent");
            } else if (program == null || !allows(allowed, program)) {
                reasons.add("backup command " + program + " is outside this agent's allowed roots");
            }
        }
        if (backup != null && backup.engine() == BackupEngine.RESTIC && backup.restic() != null) {
            if (backup.restic().extraArgs() != null && !backup.restic().extraArgs().isEmpty()
                    && !allowed.hooksEnabled()) {
                reasons.add("restic extra arguments can run commands, but scripts are not enabled on this agent");
            }
            // The same check the engine makes before it starts restic (ProcessGate).
            reasons.addAll(new ProcessGate(allowed).resticRefusals(backup.restic().extraArgs(),
                    backup.restic().repository()));
        }
        return reasons;
    }

    /**
     * An absolute path whose real path (symbolic links and {@code ..} resolved as far as it exists) lies
     * under an allowed root; a string that is no usable path at all is not allowed.
     */
    private static boolean allows(HookRunner.Permissions allowed, String path) {
        try {
            Path p = Path.of(path);
            return p.isAbsolute() && allowed.allows(p);
        } catch (RuntimeException notAPath) {
            return false;
        }
    }
}
