package dev.fleethook.kernel;

import java.util.UUID;

/** UUIDs read from text that a user typed or a page sent (form and query fields). */
public final class Uuids {

    private Uuids() {
    }

    /**
     * The UUID in {@code value}, trimmed; blank is null.
     *
     * @throws BadInputException naming {@code field} ("must be a UUID") for anything else
     */
    public static UUID parse(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(field, "must be a UUID");
        }
    }
}
