package dev.fleethook.protocol;

import java.util.Arrays;
import java.util.stream.Collectors;

/** An enum written in JSON by a lowercase wire name ("before-backup"), parsed leniently by either form. */
public interface WireEnum {

    String wire();

    static <E extends Enum<E> & WireEnum> E parse(E[] values, String value) {
        for (E v : values) {
            if (v.wire().equalsIgnoreCase(value) || v.name().equalsIgnoreCase(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("must be one of " + allowed(values));
    }

    static String allowed(WireEnum[] values) {
        return Arrays.stream(values).map(WireEnum::wire).collect(Collectors.joining(", "));
    }
}
