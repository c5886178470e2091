package dev.fleethook.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Builders for test data, created through the public API the way an operator or admin would. Every
 * fixture gets unique names, so tests never depend on each other's data.
 */
public final class Fixtures {

    public static final String OPERATOR_EMAIL = "operator@fleethook.local";
    public static final String OPERATOR_PASSWORD = "test-operator-password";
    public static final String DEFAULT_PASSWORD = "correct-horse-battery-staple";

    private static volatile String operatorToken;

    private Fixtures() {
    }

    public record TenantFixture(String id, String slug, String adminEmail, String adminToken) {
        public RequestSpecification admin() {
            return bearer(adminToken);
        }
    }

    public record UserFixture(String id, String email, String token) {
        public RequestSpecification api() {
            return bearer(token);
        }
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    public static RequestSpecification operator() {
        if (operatorToken == null) {
            operatorToken = tokenFor(OPERATOR_EMAIL, OPERATOR_PASSWORD);
        }
        return bearer(operatorToken);
    }

    /** A personal API token, created with HTTP Basic as a script would. */
    public static String tokenFor(String email, String password) {
        return given().auth().preemptive().basic(email, password).contentType(ContentType.JSON)
                .body(Map.of("name", "test")).post("/api/v1/me/tokens")
                .then().statusCode(201).extract().path("token");
    }

    public static TenantFixture newTenant(String name) {
        String slug = unique(name.toLowerCase().replaceAll("[^a-z0-9]", ""));
        String adminEmail = "admin@" + slug + ".test";
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("slug", slug);
        body.put("timeZone", "Europe/Paris");
        body.put("adminEmail", adminEmail);
        body.put("adminName", "Admin of " + name);
        body.put("adminPassword", DEFAULT_PASSWORD);
        String id = operator().body(body).post("/api/v1/operator/tenants").then().statusCode(201).extract().path("id");
        return new TenantFixture(id, slug, adminEmail, tokenFor(adminEmail, DEFAULT_PASSWORD));
    }

    public static UserFixture newUser(TenantFixture tenant, String role) {
        String email = unique(role.toLowerCase()) + "@" + tenant.slug() + ".test";
        String id = tenant.admin()
                .body(Map.of("email", email, "displayName", role + " user", "role", role, "password", DEFAULT_PASSWORD))
                .post("/api/v1/users").then().statusCode(201).extract().path("user.id");
        return new UserFixture(id, email, tokenFor(email, DEFAULT_PASSWORD));
    }

    /** A signed-in browser: the session cookie, the CSRF cookie and the CSRF token of its forms. */
    public static final class Browser {
        public final Map<String, String> cookies = new HashMap<>();
        public String csrf;

        public static Browser anonymous() {
            Browser b = new Browser();
            Response page = given().redirects().follow(false).get("/sign-in");
            b.cookies.putAll(page.cookies());
            b.csrf = csrfOf(page.asString());
            return b;
        }

        public static Browser signIn(String email, String password) {
            Browser b = anonymous();
            Response r = b.postForm("/sign-in", "email", email, "password", password);
            if (r.statusCode() != 303) {
                throw new AssertionError("sign-in failed with " + r.statusCode());
            }
            // Sign-in drops the CSRF cookie; the next page issues a new token, as a browser would see.
            b.csrf = csrfOf(b.get("/account/tokens").asString());
            return b;
        }

        public RequestSpecification request() {
            return given().redirects().follow(false).cookies(cookies);
        }

        public Response get(String path) {
            Response r = request().get(path);
            remember(r);
            return r;
        }

        /** Posts a form with this browser's CSRF token, as the pages' forms do. */
        public Response postForm(String path, String... fields) {
            RequestSpecification spec = request().contentType(ContentType.URLENC).formParam("csrf-token", csrf);
            for (int i = 0; i < fields.length; i += 2) {
                spec = spec.formParam(fields[i], fields[i + 1]);
            }
            Response r = spec.post(path);
            remember(r);
            return r;
        }

        private void remember(Response r) {
            r.detailedCookies().forEach(c -> {
                if (c.getMaxAge() == 0 || c.getValue().isEmpty()) {
                    cookies.remove(c.getName());
                } else {
                    cookies.put(c.getName(), c.getValue());
                }
            });
        }
    }

    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    public static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the page");
        }
        return m.group(1);
    }
}
