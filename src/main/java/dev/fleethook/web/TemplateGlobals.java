package dev.fleethook.web;

import java.util.List;

import dev.fleethook.identity.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** Constant lists the templates need: {@code {inject:roles.all}}, {@code {inject:roles.presences}}. */
@Named("roles")
@ApplicationScoped
public class TemplateGlobals {

    public List<Role> all() {
        return List.of(Role.values());
    }

    /** The status filters of the server list. */
    public List<String> presences() {
        return List.of("online", "offline", "never-seen", "disabled", "revoked");
    }

    /** The state filters of the alert list. */
    public List<String> alertStates() {
        return List.of("open", "acknowledged", "resolved", "all");
    }

    /** The object types the audit log filters by. */
    public List<String> auditObjects() {
        return List.of("policy", "server", "job", "user", "tenant", "alert-settings", "enrollment-token");
    }

    /** The job statuses, as filters. */
    public List<String> jobStatuses() {
        return java.util.Arrays.stream(dev.fleethook.protocol.JobStatus.values()).map(s -> s.wire()).toList();
    }
}
