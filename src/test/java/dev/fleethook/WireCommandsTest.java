package dev.fleethook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.fleethook.alert.rest.AlertRecords;
import dev.fleethook.alert.service.AlertSettingsService;
import dev.fleethook.fleet.rest.FleetRecords;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.identity.rest.AccountRecords;
import dev.fleethook.identity.rest.UserRequests;
import dev.fleethook.identity.service.AccountService;
import dev.fleethook.identity.service.UserService;
import dev.fleethook.tenant.TenantService;
import dev.fleethook.tenant.rest.TenantRequests;

/**
 * A request's constraints live on the service's command (checked by the service, for the API and the
 * page alike); the API's wire record repeats them because the OpenAPI document is read from it. This
 * keeps the two the same: same fields in the same order, each with the same constraints and messages.
 */
class WireCommandsTest {

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(FleetRecords.CreateTokenRequest.class, EnrollmentTokenService.NewToken.class),
                Arguments.of(AlertRecords.SettingsRequest.class, AlertSettingsService.SettingsChange.class),
                Arguments.of(TenantRequests.CreateTenantRequest.class, TenantService.NewTenant.class),
                Arguments.of(TenantRequests.UpdateTenantRequest.class, TenantService.TenantChange.class),
                Arguments.of(TenantRequests.TenantSettingsRequest.class, TenantService.SettingsChange.class),
                Arguments.of(UserRequests.CreateUserRequest.class, UserService.NewUser.class),
                Arguments.of(UserRequests.UpdateUserRequest.class, UserService.UserChange.class),
                Arguments.of(AccountRecords.ChangePasswordRequest.class, AccountService.PasswordChange.class));
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void theWireRecordCarriesTheCommandsFieldsAndConstraints(Class<? extends Record> wire, Class<? extends Record> command) {
        assertEquals(constraints(command), constraints(wire), wire.getName() + " and " + command.getName());
    }

    private static Map<String, String> constraints(Class<? extends Record> type) {
        Map<String, String> byField = new TreeMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            byField.put(c.getName(), c.getGenericType().getTypeName() + " " + Arrays.stream(c.getAnnotations())
                    .filter(a -> a.annotationType().getPackageName().startsWith("jakarta.validation"))
                    .map(Annotation::toString).sorted().toList());
        }
        return byField;
    }
}
