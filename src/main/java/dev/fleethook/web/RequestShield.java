package dev.fleethook.web;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.fleethook.kernel.Problem;

/**
 * The one place where a request's framing is checked before any resource, authentication or
 * framework parser sees it, so that malformed input gets a clear 4xx (problem+json under
 * {@code /api}, an error page elsewhere) instead of a framework 500 or a bare status (issue 13):
 * <ul>
 * <li>URLs over {@value #MAX_URI} characters: 414; request headers over {@value #MAX_HEADERS} bytes: 431;</li>
 * <li>a declared body over {@code quarkus.http.limits.max-body-size}: 413;</li>
 * <li>query parameters and path segments that are not valid percent-encoded UTF-8 or that contain
 * NUL or other control characters (which PostgreSQL cannot store or which split headers): 400
 * naming the parameter;</li>
 * <li>{@code Accept*} headers with a malformed quality value (RFC 9110 §12.4.2) and a
 * {@code Content-Type} that is not one media type: 400 naming the header; multipart bodies, which no
 * endpoint takes: 415;</li>
 * <li>a page request that changes state without a URL-encoded form (whose CSRF token is checked): 415;</li>
 * <li>a stray {@code X-CSRF-TOKEN} on {@code /api}, which takes no cookies and so needs no CSRF
 * token, is dropped instead of failing the CSRF filter.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestShield {

    /** Longest accepted request target, in characters; Vert.x itself stops at the configured initial line. */
    public static final int MAX_URI = 8192;
    /** Largest accepted sum of header names and values, in bytes. */
    public static final int MAX_HEADERS = 16 * 1024;

    /** A quality value per RFC 9110 §12.4.2: 0, 1, 0.xxx or 1.000. */
    private static final Pattern QVALUE = Pattern.compile("(0(\\.\\d{0,3})?|1(\\.0{0,3})?)");
    /** One media type: type/subtype with optional parameters, no list (RFC 9110 §8.3). */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\\s*;\\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=(\"[^\"]*\"|[!#$%&'*+.^_`|~0-9A-Za-z-]+))*\\s*");
    /** The pages' Content-Security-Policy: only this origin's files, no inline code, never framed. */
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final java.util.Set<String> STATE_CHANGING = java.util.Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final List<String> NEGOTIATION = List.of("Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset");

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
    MemorySize maxBody;

    /** Send Strict-Transport-Security (production, behind TLS). */
    @ConfigProperty(name = "fleethook.web.hsts", defaultValue = "false")
    boolean hsts;

    void register(@Observes Filters filters) {
        // Before authentication (which reads cookies and headers) and every route.
        filters.register(this::check, 10_000);
    }

    void check(RoutingContext rc) {
        String path = rc.normalizedPath();
        rc.addHeadersEndHandler(v -> securityHeaders(rc, path));
        Refusal refusal = refusal(rc);
        if (refusal == null) {
            if (rc.normalizedPath().startsWith("/api/")) {
                rc.request().headers().remove("X-CSRF-TOKEN");
            }
            rc.next();
            return;
        }
        respond(rc, refusal);
    }

    /** Why a request is refused, or null to let it through. */
    record Refusal(int status, String title, String field, String reason) {
    }

    Refusal refusal(RoutingContext rc) {
        var request = rc.request();
        String uri = request.uri();
        if (uri.length() > MAX_URI) {
            return new Refusal(414, "URI too long", "url", "must be at most " + MAX_URI + " characters");
        }
        long headerBytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headerBytes += h.getKey().length() + h.getValue().length() + 4;
        }
        if (headerBytes > MAX_HEADERS) {
            return new Refusal(431, "Request header fields too large", "headers",
                    "must be at most " + MAX_HEADERS + " bytes in all");
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBody.asLongValue()) {
                    return new Refusal(413, "Payload too large", "body",
                            "must be at most " + maxBody.asLongValue() / 1024 / 1024 + " MB");
                }
            } catch (NumberFormatException e) {
                return new Refusal(400, "Bad request", "Content-Length", "must be a number of bytes");
            }
        }
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        for (String segment : rawPath.split("/")) {
            String problem = badText(segment);
            if (problem != null) {
                return new Refusal(400, "Invalid input", "path", problem);
            }
        }
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String rawName = eq < 0 ? pair : pair.substring(0, eq);
                String name = decode(rawName);
                String shown = name == null || badText(rawName) != null ? "query" : name;
                String problem = badText(rawName);
                if (problem == null && eq >= 0) {
                    problem = badText(pair.substring(eq + 1));
                }
                if (problem != null) {
                    return new Refusal(400, "Invalid input", shown, problem);
                }
            }
        }
        for (String header : NEGOTIATION) {
            for (String value : request.headers().getAll(header)) {
                if (!validQualities(value)) {
                    return new Refusal(400, "Bad request", header, "has a malformed quality value (q must be 0 to 1 with at most 3 decimals)");
                }
            }
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && !contentType.isBlank()) {
            if (!MEDIA_TYPE.matcher(contentType.trim()).matches()) {
                return new Refusal(400, "Bad request", "Content-Type", "must be one media type such as application/json");
            }
            if (contentType.trim().toLowerCase().startsWith("multipart/")) {
                return new Refusal(415, "Unsupported media type", "Content-Type",
                        "multipart bodies are not accepted; send application/json (API) or a URL-encoded form (pages)");
            }
        }
        if (isPage(rc.normalizedPath()) && STATE_CHANGING.contains(request.method().name())
                && (contentType == null || !contentType.trim().toLowerCase().startsWith(FORM))) {
            // Pages change state only through their forms, whose CSRF token the CSRF filter checks; any other
            // body (or none) would skip that check.
            return new Refusal(415, "Unsupported media type", "Content-Type",
                    "must be application/x-www-form-urlencoded with the form's CSRF token");
        }
        return null;
    }

    /** Pages: everything a browser renders, not the API, static assets or the platform endpoints. */
    static boolean isPage(String path) {
        return !path.startsWith("/api/") && !path.startsWith("/q/") && !path.startsWith("/_static/");
    }

    /**
     * Headers on every answer: {@code nosniff} everywhere; on pages a Content-Security-Policy without
     * inline script or style ({@value #CSP}), no framing, no referrer to other sites, no caching of
     * pages (they show secrets such as new tokens and are per user), and HSTS in production.
     */
    void securityHeaders(RoutingContext rc, String path) {
        var headers = rc.response().headers();
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "same-origin");
        if (hsts) {
            headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
        if (!isPage(path) || path.equals("/fleethook.css") || path.equals("/fleethook.js")) {
            if (path.startsWith("/api/") && !headers.contains(HttpHeaders.CACHE_CONTROL)) {
                headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
            }
            return;
        }
        // The alert preview shows the HTML email in a sandboxed srcdoc frame, which inherits this policy;
        // email clients need inline styles, so that one page allows them (never scripts).
        headers.set("Content-Security-Policy", path.equals("/alerts/preview") ? CSP.replace("style-src 'self'",
                "style-src 'self' 'unsafe-inline'") : CSP);
        headers.set("X-Frame-Options", "DENY");
        if (!headers.contains(HttpHeaders.CACHE_CONTROL)) {
            headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        }
    }

    /**
     * Why a percent-encoded URL part is not acceptable text, or null: it must decode as UTF-8 and
     * hold no control character (NUL cannot be stored in PostgreSQL text; CR/LF split headers).
     */
    static String badText(String raw) {
        String decoded = decode(raw);
        if (decoded == null) {
            return "is not valid percent-encoded UTF-8";
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return "must not contain control characters such as NUL or line breaks";
            }
        }
        return null;
    }

    /** Strict percent-decoding ({@code +} as space): null when a sequence or the UTF-8 is malformed. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
            return raw;
        }
        byte[] bytes = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                bytes[n++] = ' ';
            } else if (c > 0x7f) {
                return raw; // not percent-encoded: Vert.x already decoded it as text
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Every {@code q} parameter of a comma-separated negotiation header is a valid quality value. */
    static boolean validQualities(String header) {
        for (String element : header.split(",")) {
            String[] params = element.split(";");
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("q")
                        && !QVALUE.matcher(p.substring(eq + 1).trim()).matches()) {
                    return false;
                }
            }
        }
        return true;
    }

    void respond(RoutingContext rc, Refusal r) {
        var response = rc.response();
        String path = rc.normalizedPath();
        response.setStatusCode(r.status());
        String detail = r.field() + ": " + r.reason();
        boolean close = r.status() == 413 || r.status() == 414 || r.status() == 431;
        if (close) {
            // The rest of the request is not read: end the connection once the answer is out.
            response.putHeader(HttpHeaders.CONNECTION, "close");
            response.endHandler(v -> rc.request().connection().close());
        }
        if (path.startsWith("/api/")) {
            Problem problem = new Problem("about:blank", r.title(), r.status(), detail, path,
                    List.of(new Problem.FieldError(r.field(), r.reason())));
            try {
                response.putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(json.writeValueAsString(problem));
            } catch (JsonProcessingException e) {
                response.end();
            }
        } else {
            // A plain page: this runs before the request context and the session exist.
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8")
                    .end("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + r.title()
                            + " · Fleethook</title><link rel=\"stylesheet\" href=\"/fleethook.css\"></head><body><main><h1>"
                            + r.status() + " " + r.title() + "</h1><p>" + escape(detail)
                            + "</p><p><a href=\"/\">Go to the start page</a></p></main></body></html>");
        }
    }
}
