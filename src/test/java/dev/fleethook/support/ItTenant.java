package dev.fleethook.support;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * A tenant created on a packaged portal the way an operator would: an operator API token, a tenant with
 * its first admin, the admin's API token, and enrollment commands as the portal shows them.
 */
public record ItTenant(String baseUrl, String adminToken) {

    public static ItTenant create(String baseUrl, String operatorEmail, String operatorPassword, String slug) {
        String op = given().baseUri(baseUrl).auth().preemptive().basic(operatorEmail, operatorPassword)
                .contentType(ContentType.JSON).body(Map.of("name", "it")).post("/api/v1/me/tokens").then()
                .statusCode(201).extract().path("token");
        String adminEmail = "admin@" + slug + ".test";
        given().baseUri(baseUrl).header("Authorization", "Bearer " + op).contentType(ContentType.JSON)
                .body(Map.of("name", slug + " Co", "slug", slug, "adminEmail", adminEmail, "adminName", "A",
                        "adminPassword", slug + "-it-admin-pw"))
                .post("/api/v1/operator/tenants").then().statusCode(201);
        String admin = given().baseUri(baseUrl).auth().preemptive().basic(adminEmail, slug + "-it-admin-pw")
                .contentType(ContentType.JSON).body(Map.of("name", "it")).post("/api/v1/me/tokens").then()
                .statusCode(201).extract().path("token");
        return new ItTenant(baseUrl, admin);
    }

    /** A request as the tenant's admin. */
    public RequestSpecification admin() {
        return given().baseUri(baseUrl).header("Authorization", "Bearer " + adminToken).contentType(ContentType.JSON);
    }

    /** A fresh enrollment token, cut from the command line the portal shows. */
    public String enrollmentToken() {
        String command = admin().body(Map.of("label", "it")).post("/api/v1/enrollment-tokens").then().statusCode(201)
                .extract().path("command");
        return command.substring(command.indexOf("--token ") + 8).trim();
    }
}
