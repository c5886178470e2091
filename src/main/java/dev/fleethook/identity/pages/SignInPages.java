package dev.fleethook.identity.pages;

import java.net.URI;

import org.jboss.resteasy.reactive.RestForm;

import dev.fleethook.identity.Account;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.identity.security.SessionCookies;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.identity.service.SessionService;
import dev.fleethook.identity.service.SignInService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Sign-in and sign-out for browsers. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class SignInPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signIn(String email, String next, String error);
    }

    @Inject
    SignInService signIn;

    @Inject
    SessionService sessions;

    @Inject
    IdentityConfig config;

    @Inject
    CurrentAccount account;

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    @GET
    @Path("sign-in")
    public Response form(@QueryParam("next") String next) {
        if (account.signedIn()) {
            return seeOther(safeNext(next));
        }
        return Response.ok(Templates.signIn(null, safeNext(next), null)).build();
    }

    @POST
    @Path("sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@RestForm String email, @RestForm String password, @RestForm String next,
            @Context HttpServerRequest request, @Context HttpServerResponse response,
            @Context io.vertx.ext.web.RoutingContext routing) {
        try {
            Account account = signIn.authenticate(email, password,
                    request.remoteAddress() == null ? null : request.remoteAddress().host());
            response.addCookie(SessionCookies.issue(config, sessions.open(account, request.getHeader("User-Agent"),
                    request.remoteAddress() == null ? null : request.remoteAddress().host())));
            renewCsrfToken(routing);
            return seeOther(safeNext(next));
        } catch (SignInService.ThrottledException e) {
            long minutes = Math.max(1, (e.retryAfter.toSeconds() + 59) / 60);
            return Response.status(429).header("Retry-After", Math.max(1, e.retryAfter.toSeconds()))
                    .entity(Templates.signIn(email, safeNext(next),
                            "Too many failed sign-ins. Try again in " + minutes + " minute" + (minutes == 1 ? "" : "s")
                                    + "."))
                    .build();
        } catch (SignInService.InvalidCredentialsException e) {
            return Response.status(401).entity(Templates.signIn(email, safeNext(next), "Wrong email or password."))
                    .build();
        }
    }

    @POST
    @Path("sign-out")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOut(@Context HttpServerRequest request, @Context HttpServerResponse response) {
        var cookie = request.getCookie(config.session().cookieName());
        if (cookie != null && !cookie.getValue().isBlank()) {
            sessions.close(cookie.getValue());
        }
        response.addCookie(SessionCookies.expired(config));
        return seeOther("/sign-in");
    }

    /**
     * A new session gets a new CSRF token, so a token planted or read before sign-in is worthless after
     * it. quarkus-rest-csrf writes its cookie after the request from these routing-context entries (the
     * token bytes and their unpadded base64url text, 16 bytes as its default token size); replacing them
     * makes it write a new token. PageSecurityTest checks that the cookie changes.
     */
    static void renewCsrfToken(io.vertx.ext.web.RoutingContext routing) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        routing.put("csrf_token_bytes", bytes);
        routing.put("csrf_token", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        routing.put("true", "true");
    }

    /** Only a local path may follow sign-in, never another site. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.startsWith("/sign-") || next.length() > 2048
                || next.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c > 0x7e)) {
            // Control characters (a newline) would split the Location header; non-ASCII is not a path we emit.
            return "/";
        }
        try {
            URI.create(next);
        } catch (IllegalArgumentException e) {
            return "/"; // not a URI a Location header can carry
        }
        return next;
    }

    static Response seeOther(String location) {
        return Response.seeOther(URI.create(location)).build();
    }
}
