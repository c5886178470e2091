package dev.fleethook.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;

/** The agent's side of the protocol, over the JDK HTTP client. */
public final class PortalClient {

    /** The portal answered with an error: its status and problem document. */
    public static final class PortalException extends IOException {
        public final int status;

        PortalException(int status, String body) {
            super("portal answered " + status + ": " + body);
            this.status = status;
        }
    }

    private final String portal;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public PortalClient(String portal) {
        this.portal = portal.endsWith("/") ? portal.substring(0, portal.length() - 1) : portal;
    }

    public EnrollResponse enroll(EnrollRequest request) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(portal + "/api/agent/v1/enroll"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AgentState.JSON.writeValueAsString(request))).build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new PortalException(response.statusCode(), response.body());
        }
        return AgentState.JSON.readValue(response.body(), EnrollResponse.class);
    }
}
