package dev.fleethook.webkit;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

/**
 * Post/redirect/get with a confirmation: an action answers {@link #redirect 303 See Other} to the page to
 * show, carrying a one-line message in a short-lived cookie; the next page shows it once ({@code
 * {inject:page.flash}} in the layout) and the cookie is cleared with that answer. A reload of the page
 * repeats nothing and shows no stale message.
 */
public final class Flash {

    /** The cookie holding the message (URL-encoded, at most {@link #MAX_LENGTH} characters). */
    public static final String COOKIE = "fleethook-flash";

    /**
     * The cookie holding a secret shown once with the message (a new API token, a generated password, a reset
     * link): never in the URL, sent only to the page redirected to (its path), HttpOnly, SameSite=Strict,
     * Secure when the caller says so (as its session cookie is), for 60 s at most, and cleared by the answer
     * that shows it. The page reads it
     * with {@code @CookieParam(Flash.SECRET_COOKIE)} and {@link #read}.
     */
    public static final String SECRET_COOKIE = "fleethook-flash-secret";

    static final int MAX_LENGTH = 500;

    private Flash() {
    }

    /** 303 to {@code location} (a path on this site) with {@code message} shown there once. */
    public static Response redirect(String location, String message) {
        return redirect(location, message, null, false);
    }

    /**
     * 303 to {@code location} with {@code message} shown there once and {@code secret} (when not null) kept for
     * that page only (see {@link #SECRET_COOKIE}); a reload of the page shows neither again.
     *
     * @param secure whether the secret's cookie is {@code Secure} (HTTPS only): pass what the session cookie uses
     */
    public static Response redirect(String location, String message, String secret, boolean secure) {
        String text = message.length() > MAX_LENGTH ? message.substring(0, MAX_LENGTH - 1) + "…" : message;
        NewCookie flash = new NewCookie.Builder(COOKIE).value(URLEncoder.encode(text, StandardCharsets.UTF_8)).path("/")
                .maxAge(60).httpOnly(true).sameSite(NewCookie.SameSite.LAX).build();
        if (secret == null) {
            return Response.seeOther(URI.create(location)).cookie(flash).build();
        }
        NewCookie hidden = new NewCookie.Builder(SECRET_COOKIE).value(URLEncoder.encode(secret, StandardCharsets.UTF_8))
                .path(URI.create(location).getPath()).maxAge(60).httpOnly(true)
                .secure(secure)
                .sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create(location)).cookie(flash, hidden).build();
    }

    /** The message a request carries, decoded; null when none. */
    public static String read(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty()) {
            return null;
        }
        try {
            return URLDecoder.decode(cookieValue, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Clears the message (and a secret shown with it) once a page (not a redirect, not an htmx fragment) was
     * answered to the request carrying it. Each cookie is cleared on its own: the secret, scoped to its page,
     * may arrive without the message when another page was seen first.
     */
    public static class Clearing {
        @ServerResponseFilter
        public void clear(ContainerRequestContext request, ContainerResponseContext response) {
            boolean message = request.getCookies().containsKey(COOKIE);
            boolean secret = request.getCookies().containsKey(SECRET_COOKIE);
            if (!message && !secret || response.getStatus() / 100 == 3
                    || request.getHeaderString("HX-Request") != null
                    || response.getHeaders().containsKey("Set-Cookie") && String.valueOf(response.getHeaders()
                            .get("Set-Cookie")).contains(COOKIE + "=")) {
                return;
            }
            if (message) {
                response.getHeaders().add("Set-Cookie", new NewCookie.Builder(COOKIE).value("").path("/").maxAge(0)
                        .httpOnly(true).sameSite(NewCookie.SameSite.LAX).build());
            }
            if (secret) {
                response.getHeaders().add("Set-Cookie", new NewCookie.Builder(SECRET_COOKIE).value("")
                        .path(request.getUriInfo().getPath()).maxAge(0).httpOnly(true)
                        .sameSite(NewCookie.SameSite.STRICT).build());
            }
        }
    }
}
