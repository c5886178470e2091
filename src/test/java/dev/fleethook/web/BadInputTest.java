package dev.fleethook.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import dev.fleethook.kernel.Problem;

/**
 * Each kind of input that reached a 500 in issue 13, as a named case: the answer is a 4xx that names
 * the field (problem+json under /api), and nothing is stored. {@link ApiFuzzTest} generates the rest.
 */
@QuarkusTest
class BadInputTest {

    static TenantFixture tenant;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void tenant() {
        if (tenant == null) {
            tenant = Fixtures.newTenant("Bad Input");
        }
    }

    @Test
    void nulInAStoredStringIsA400NamingTheField() {
        tenant.admin().body(Map.of("email", "nul@badinput.test", "displayName", "a\u0000b", "role", "VIEWER"))
                .post("/api/v1/users").then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("displayName")).body("errors.message", hasItem(containsString("NUL")));
        tenant.admin().body(Map.of("name", "tok\u0000en")).post("/api/v1/me/tokens").then().statusCode(400)
                .body("errors.field", hasItem("name"));
        tenant.admin().body("{\"email\":\"s@badinput.test\",\"displayName\":\"\\ud800\",\"role\":\"VIEWER\"}")
                .post("/api/v1/users").then().statusCode(400).body("errors.field", hasItem("displayName"))
                .body("errors.message", hasItem(containsString("unpaired surrogate")));
        tenant.admin().queryParam("q", "nul@badinput.test").get("/api/v1/users").then().body("size()", equalTo(0));
        // The same rule for the pages' forms, shown next to the field.
        Browser admin = Browser.signIn(tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.postForm("/users", "email", "nulform@badinput.test", "displayName", "a\u0000b", "role", "VIEWER").then()
                .statusCode(400).body(containsString("must not contain NUL characters"));
        tenant.admin().queryParam("q", "nulform@badinput.test").get("/api/v1/users").then().body("size()", equalTo(0));
    }

    @Test
    void nullInsideAListIsA400NamingTheItem() {
        tenant.admin().body("{\"recipients\":[\"a@badinput.test\"],\"kinds\":[null]}").put("/api/v1/alert-settings")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE).body("errors.field", hasItem(startsWith("kinds")));
        tenant.admin().body("{\"labels\":[null]}").patch("/api/v1/servers/00000000-0000-0000-0000-000000000001")
                .then().statusCode(400).body("errors.field", hasItem(startsWith("labels")));
    }

    @Test
    void aPasswordOverBcryptsSeventyTwoBytesIsA400() {
        String password = "é".repeat(40); // 40 characters, 80 bytes in UTF-8
        tenant.admin().body(Map.of("email", "long@badinput.test", "displayName", "Long", "role", "VIEWER",
                "password", password)).post("/api/v1/users").then().statusCode(400)
                .body("errors.field", hasItem("password")).body("errors.message", hasItem(containsString("72 bytes")));
        // Signing in with one is a wrong password, not an error.
        given().auth().preemptive().basic(tenant.adminEmail(), "x".repeat(100)).contentType(ContentType.JSON)
                .body(Map.of("name", "t")).post("/api/v1/me/tokens").then().statusCode(401);
    }

    @Test
    void signInWithAHugeOrNulEmailOrANextWithANewlineIsRefusedCleanly() {
        Browser b = Browser.anonymous();
        b.postForm("/sign-in", "email", "a".repeat(300) + "@x.test", "password", "whatever-password").then()
                .statusCode(401).body(containsString("Wrong email or password"));
        b.postForm("/sign-in", "email", "a\u0000@x.test", "password", "whatever-password").then().statusCode(401);
        b.postForm("/sign-in", "email", tenant.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD, "next",
                "/users\r\nSet-Cookie: x=1").then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith(":" + base.getPort() + "/"))
                .header("Set-Cookie", org.hamcrest.Matchers.not(containsString("x=1")));
    }

    @Test
    void idsAndNumbersThatDoNotParseAreA400NamingTheParameter() {
        tenant.admin().get("/api/v1/jobs?server=abc").then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("errors[0].field", equalTo("server")).body("errors[0].message", equalTo("must be a UUID"));
        tenant.admin().get("/api/v1/jobs?size=x").then().statusCode(400).body("errors[0].field", equalTo("size"));
        tenant.admin().get("/api/v1/servers/abc").then().statusCode(400).body("errors[0].field", equalTo("id"));
        tenant.admin().get("/api/v1/jobs?from=-999999999-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
        Browser admin = Browser.signIn(tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/jobs?server=abc").then().statusCode(400).contentType(containsString("text/html"))
                .body(containsString("must be a UUID"));
        admin.get("/servers?policy=12").then().statusCode(400);
    }

    @Test
    void nulAndBrokenEncodingInTheUrlAreA400NamingTheParameter() {
        tenant.admin().urlEncodingEnabled(false).get("/api/v1/users?q=a%00b").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE).body("errors[0].field", equalTo("q"));
        tenant.admin().urlEncodingEnabled(false).get("/api/v1/audit?targetId=%ED%A0%80").then().statusCode(400)
                .body("errors[0].field", equalTo("targetId"));
        tenant.admin().urlEncodingEnabled(false).get("/api/v1/operator/tenants/a%00b").then().statusCode(400)
                .body("errors[0].field", equalTo("path"));
    }

    @Test
    void malformedNegotiationAndMediaTypeHeadersAreA400() {
        Browser admin = Browser.signIn(tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.request().header("Accept", "*/*;q=x").get("/").then().statusCode(400);
        admin.request().header("Accept-Encoding", "gzip;q=abc").get("/jobs").then().statusCode(400);
        tenant.admin().header("Accept", "*/*;q=x").get("/api/v1/users").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE).body("errors[0].field", equalTo("Accept"));
        given().header("Authorization", "Bearer " + tenant.adminToken())
                .contentType("application/json, text/plain").body("{}".getBytes(StandardCharsets.UTF_8)).post("/api/v1/users").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE).body("errors[0].field", equalTo("Content-Type"));
        given().header("Authorization", "Bearer " + tenant.adminToken())
                .contentType("multipart/form-data; boundary=xyz").body("--xyz\r\nbroken".getBytes(StandardCharsets.UTF_8)).post("/api/v1/users")
                .then().statusCode(415).contentType(Problem.MEDIA_TYPE);
        tenant.admin().body("not json").post("/api/v1/me/tokens").then().statusCode(400)
                .body("errors[0].field", equalTo("body"));
    }

    @Test
    void aStrayCsrfHeaderOnTheApiIsIgnored() {
        tenant.admin().header("X-CSRF-TOKEN", "stray").body(Map.of("name", "stray csrf")).post("/api/v1/me/tokens")
                .then().statusCode(201);
    }

    @Test
    void oversizedRequestsAreProblemsUnderTheApi() throws Exception {
        String auth = "Authorization: Bearer " + tenant.adminToken() + "\r\n";
        for (String request : List.of("GET /api/v1/users?q=" + "x".repeat(20_000) + " HTTP/1.1\r\n" + auth,
                "GET /api/v1/users HTTP/1.1\r\n" + auth + "X-Big: " + "y".repeat(40_000) + "\r\n",
                "POST /api/v1/users HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\nContent-Length: "
                        + 3 * 1024 * 1024 + "\r\n")) {
            String answer = raw(request);
            int status = Integer.parseInt(answer.substring(9, 12));
            assertTrue(List.of(413, 414, 431).contains(status), answer);
            assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
        }
    }

    String raw(String head) throws Exception {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write((head + "Host: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0;) {
                    bytes.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // read what came before the reset
            }
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
