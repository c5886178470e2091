package dev.fleethook.agent;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.TargetOs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar fleethook-agent.jar <command>}: the Fleethook agent. */
@Command(name = "fleethook-agent", mixinStandardHelpOptions = true, version = AgentMain.VERSION,
        description = "Runs pre-script, backup and post-script as the Fleethook portal's policy says.",
        subcommands = { AgentMain.Enroll.class, AgentMain.Status.class })
public final class AgentMain {

    public static final String VERSION = "0.1.0";

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    static class StateOption {
        @Option(names = "--state-dir", description = "State directory (default: /var/lib/fleethook-agent as root, "
                + "~/.fleethook-agent otherwise)")
        Path stateDir;

        AgentState state() {
            return new AgentState(stateDir == null ? AgentState.defaultDir() : stateDir);
        }
    }

    @Command(name = "enroll", description = "Enrolls this server with a one-time token from the portal.")
    static class Enroll implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Option(names = "--portal", required = true, description = "The portal's URL, e.g. https://fleethook.example.com")
        String portal;

        @Option(names = "--token", required = true, description = "The enrollment token shown in the portal")
        String token;

        @Option(names = "--hostname", description = "The name to report (default: this machine's host name)")
        String hostname;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.state();
            if (s.enrolled()) {
                System.err.println("Already enrolled (" + s.dir() + "); remove that directory to enroll again.");
                return 2;
            }
            String name = hostname != null ? hostname : InetAddress.getLocalHost().getHostName();
            TargetOs os = System.getProperty("os.name").toLowerCase().contains("win") ? TargetOs.WINDOWS : TargetOs.LINUX;
            EnrollResponse r;
            try {
                r = new PortalClient(portal).enroll(new EnrollRequest(token, name, os, VERSION));
            } catch (PortalClient.PortalException e) {
                System.err.println(e.status == 401 ? "The token was refused: it may have expired, been used up or revoked."
                        : e.getMessage());
                return 1;
            }
            // Hooks stay off until enabled locally in config.json (like Kopia's --enable-actions).
            s.save(new AgentState.Config(portal, r.serverId().toString(), name, r.pollIntervalSeconds(), false, false,
                    List.of()), r.agentSecret());
            System.out.println("Enrolled as " + name + " (server " + r.serverId() + "); state in " + s.dir());
            return 0;
        }
    }

    @Command(name = "status", description = "Shows this agent's enrollment and local settings.")
    static class Status implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            AgentState s = state.state();
            if (!s.enrolled()) {
                System.out.println("Not enrolled (" + s.dir() + ").");
                return 3;
            }
            AgentState.Config c = s.config();
            System.out.println("Server:   " + c.serverId() + " (" + c.hostname() + ")");
            System.out.println("Portal:   " + c.portal());
            System.out.println("Hooks:    " + (c.hooksEnabled() ? "enabled" : "disabled (enable in config.json)")
                    + ", stored scripts " + (c.storedScriptsEnabled() ? "enabled" : "disabled"));
            System.out.println("Roots:    " + (c.allowedRoots().isEmpty() ? "none" : String.join(", ", c.allowedRoots())));
            return 0;
        }
    }
}
