package dev.fleethook.identity.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.identity.security.AgentSecretRequest;
import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.kernel.Problem;
import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * How callers prove who they are. The admin API ({@code /api/v1}) takes personal API tokens as
 * {@code Bearer}, and HTTP Basic only to create such a token; it ignores cookies, so it needs no CSRF
 * token. Pages take the session cookie; a stale cookie counts as signed out.
 */
@ApplicationScoped
public class FleethookAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** Routing-context key set when a sign-in was refused by throttling. */
    public static final String RETRY_AFTER = "fleethook.retry-after";
    /** Routing-context key set when a credential could not be checked because the database is down. */
    static final String DATABASE_DOWN = "fleethook.database-down";
    static final String TOKEN_PATH = "/api/v1/me/tokens";
    static final String AGENT_API = "/api/agent/";

    @Inject
    IdentityConfig config;

    @Inject
    ObjectMapper json;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager providers) {
        String path = context.normalizedPath();
        if (isApi(path)) {
            String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (authorization == null) {
                return Uni.createFrom().nullItem();
            }
            if (path.startsWith(AGENT_API)) {
                if (startsWithIgnoreCase(authorization, "Bearer ")) {
                    return providers.authenticate(new AgentSecretRequest(authorization.substring(7).trim()));
                }
                return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException());
            }
            if (startsWithIgnoreCase(authorization, "Bearer ")) {
                return outageAware(providers.authenticate(attach(new ApiTokenRequest(authorization.substring(7).trim()), context)),
                        context);
            }
            if (startsWithIgnoreCase(authorization, "Basic ") && TOKEN_PATH.equals(path)) {
                UsernamePasswordAuthenticationRequest basic = parseBasic(authorization.substring(6).trim());
                if (basic != null) {
                    return outageAware(providers.authenticate(attach(basic, context)), context);
                }
            }
            return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException());
        }
        Cookie cookie = context.request().getCookie(config.session().cookieName());
        if (cookie == null || cookie.getValue().isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return providers.authenticate(attach(new SessionCookieRequest(cookie.getValue()), context))
                .onFailure().recoverWithUni(failure -> {
                    if (dev.fleethook.kernel.DatabaseErrors.unavailable(failure)) {
                        // The session could not be checked, which says nothing about it: keep the cookie and
                        // answer 503 (sendChallenge), instead of signing every user out during an outage.
                        context.put(DATABASE_DOWN, Boolean.TRUE);
                        return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException());
                    }
                    context.response().addCookie(SessionCookies.expired(config));
                    return Uni.createFrom().nullItem();
                });
    }

    /** A credential check that failed because the database is down answers 503, not 401 (see sendChallenge). */
    private static Uni<SecurityIdentity> outageAware(Uni<SecurityIdentity> check, RoutingContext context) {
        return check.onFailure(dev.fleethook.kernel.DatabaseErrors::unavailable).transform(failure -> {
            context.put(DATABASE_DOWN, Boolean.TRUE);
            return new io.quarkus.security.AuthenticationFailedException();
        });
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        if (isApi(context.normalizedPath())) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"fleethook\""));
        }
        if (context.request().getHeader("HX-Request") != null) {
            return Uni.createFrom().item(new ChallengeData(401, "HX-Redirect", signInLocation(context)));
        }
        return Uni.createFrom().item(new ChallengeData(302, "Location", signInLocation(context)));
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        var response = context.response();
        if (response.ended() || response.headWritten()) {
            return Uni.createFrom().item(true);
        }
        String path = context.normalizedPath();
        if (Boolean.TRUE.equals(context.get(DATABASE_DOWN))) {
            response.setStatusCode(503).putHeader("Retry-After", "15");
            String detail = "The database cannot be reached right now; you are still signed in. Retry in a moment.";
            if (isApi(path)) {
                response.putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
                try {
                    return Uni.createFrom().completionStage(response.end(json.writeValueAsString(
                            Problem.of(503, "Service unavailable", detail, path))).toCompletionStage()).replaceWith(true);
                } catch (JsonProcessingException e) {
                    return Uni.createFrom().failure(e);
                }
            }
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8");
            return Uni.createFrom().completionStage(response.end("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<meta http-equiv=\"refresh\" content=\"15\"><title>Service unavailable · Fleethook</title>"
                    + "<link rel=\"stylesheet\" href=\"/fleethook.css\"></head><body><main><h1>503 Service unavailable</h1><p>"
                    + detail + "</p></main></body></html>").toCompletionStage()).replaceWith(true);
        }
        if (isApi(path)) {
            Duration retryAfter = context.get(RETRY_AFTER);
            Problem problem;
            if (retryAfter != null) {
                long seconds = Math.max(1, retryAfter.toSeconds());
                response.setStatusCode(429).putHeader("Retry-After", Long.toString(seconds));
                problem = Problem.of(429, "Too many sign-in attempts",
                        "Sign-in is paused for " + seconds + " s after too many attempts (for this account or from this address).", path);
            } else {
                response.setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"fleethook\"");
                problem = Problem.of(401, "Unauthorized", path.startsWith(AGENT_API)
                        ? "Send this agent's secret as 'Authorization: Bearer <secret>'; a revoked or disabled agent must enroll again."
                        : "Send a valid API token as 'Authorization: Bearer <token>'.", path);
            }
            response.putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
            try {
                return Uni.createFrom().completionStage(
                        response.end(json.writeValueAsString(problem)).toCompletionStage()).replaceWith(true);
            } catch (JsonProcessingException e) {
                return Uni.createFrom().failure(e);
            }
        }
        String location = signInLocation(context);
        if (context.request().getHeader("HX-Request") != null) {
            response.setStatusCode(200).putHeader("HX-Redirect", location);
        } else {
            response.setStatusCode(302).putHeader("Location", location);
        }
        return Uni.createFrom().completionStage(response.end().toCompletionStage()).replaceWith(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(SessionCookieRequest.class, ApiTokenRequest.class, UsernamePasswordAuthenticationRequest.class,
                AgentSecretRequest.class);
    }

    static boolean isApi(String path) {
        return path.startsWith("/api/");
    }

    private static String signInLocation(RoutingContext context) {
        String path = context.normalizedPath();
        if ("GET".equals(context.request().method().name()) && !"/".equals(path) && path.startsWith("/")) {
            // The whole deep link, query included (/jobs?server=…&status=failed), comes back after sign-in.
            String query = context.request().query();
            return "/sign-in?next=" + java.net.URLEncoder.encode(query == null || query.isEmpty() ? path
                    : path + "?" + query, StandardCharsets.UTF_8);
        }
        return "/sign-in";
    }

    private static <T extends AuthenticationRequest> T attach(T request, RoutingContext context) {
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return request;
    }

    private static boolean startsWithIgnoreCase(String value, String prefix) {
        return value.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static UsernamePasswordAuthenticationRequest parseBasic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            return new UsernamePasswordAuthenticationRequest(decoded.substring(0, colon),
                    new PasswordCredential(decoded.substring(colon + 1).toCharArray()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
