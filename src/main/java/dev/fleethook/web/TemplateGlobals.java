package dev.fleethook.web;

import java.util.List;

import dev.fleethook.identity.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** Constant lists the templates need: {@code {inject:roles.all}}. */
@Named("roles")
@ApplicationScoped
public class TemplateGlobals {

    public List<Role> all() {
        return List.of(Role.values());
    }
}
