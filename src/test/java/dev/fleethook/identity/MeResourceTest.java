package dev.fleethook.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class MeResourceTest {

    @Test
    void aTokenCreatedWithBasicWorksAsBearerAndIsShownOnce() {
        TenantFixture t = Fixtures.newTenant("Tokens");
        String token = given().auth().preemptive().basic(t.adminEmail(), Fixtures.DEFAULT_PASSWORD)
                .contentType(ContentType.JSON).body(Map.of("name", "terraform", "expiresInDays", 30))
                .post("/api/v1/me/tokens").then().statusCode(201)
                .body("token", startsWith("fht_")).body("expiresAt", notNullValue())
                .extract().path("token");
        Fixtures.bearer(token).get("/api/v1/me").then().statusCode(200).body("email", equalTo(t.adminEmail()))
                .body("role", equalTo("ADMIN"));
        Fixtures.bearer(token).get("/api/v1/me/tokens").then().statusCode(200)
                .body("name", hasItem("terraform")).body("token", everyItem(nullValue()));
    }

    @Test
    void aRevokedTokenIsRefused() {
        TenantFixture t = Fixtures.newTenant("Revoke");
        String token = Fixtures.tokenFor(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String id = Fixtures.bearer(token).get("/api/v1/me/tokens").then().extract().path("find { it.prefix == '"
                + token.substring(0, 10) + "' }.id");
        t.admin().delete("/api/v1/me/tokens/" + id).then().statusCode(200).body("revokedAt", notNullValue());
        Fixtures.bearer(token).get("/api/v1/me").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void passwordsAndUnknownTokensOpenNothingElse() {
        TenantFixture t = Fixtures.newTenant("Basic");
        given().auth().preemptive().basic(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/api/v1/users")
                .then().statusCode(401).contentType("application/problem+json");
        given().auth().preemptive().basic(t.adminEmail(), "wrong").contentType(ContentType.JSON)
                .body(Map.of("name", "x")).post("/api/v1/me/tokens").then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));
        Fixtures.bearer("fht_madeUpTokenValue").get("/api/v1/me").then().statusCode(401);
        given().get("/api/v1/me").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void aSessionCookieDoesNotOpenTheApi() {
        TenantFixture t = Fixtures.newTenant("Cookie");
        var browser = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        browser.request().get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void tokenExpiryIsValidated() {
        TenantFixture t = Fixtures.newTenant("Expiry");
        t.admin().body(Map.of("name", "x", "expiresInDays", 0)).post("/api/v1/me/tokens").then().statusCode(400)
                .body("errors[0].field", equalTo("expiresInDays"));
        t.admin().body(Map.of("name", "x", "expiresInDays", 9999)).post("/api/v1/me/tokens").then().statusCode(400);
        t.admin().get("/api/v1/me/tokens").then().body("name", not(hasItem("x")));
    }
}
