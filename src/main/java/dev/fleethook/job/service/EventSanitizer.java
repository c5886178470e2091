package dev.fleethook.job.service;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.StepResult;

/**
 * Turns one event as an agent sent it into a {@link JobEvent} that PostgreSQL will store, or refuses it
 * with the field and the reason. Every string (values and object keys, at any depth) is made storable:
 * NUL becomes U+2400 (␀), other control characters but tab, line feed and carriage return become their
 * Unicode "control picture" (U+2401…), DEL becomes U+2421 and a lone surrogate becomes U+FFFD — so the
 * text is kept and shown escaped instead of refused (PostgreSQL's {@code text} and {@code jsonb} refuse
 * NUL and invalid UTF-16). Numbers JSON cannot carry (NaN, infinities) become strings. Over-long output
 * is cut to its last {@link StepResult#MAX_OUTPUT_TAIL} characters, a long {@code detail} to 4,000.
 */
final class EventSanitizer {

    /** An event that cannot be taken as sent; {@code field} is its JSON path ("result.status"). */
    static final class Refused extends Exception {
        final String field;

        Refused(String field, String reason) {
            super(reason, null, false, false);
            this.field = field;
        }
    }

    private static final int MAX_DETAIL = 4000;

    private EventSanitizer() {
    }

    /** Sanitizes and parses one event. */
    static JobEvent parse(ObjectReader reader, JsonNode node) throws Refused {
        if (node == null || !node.isObject()) {
            throw new Refused("", "must be an event object");
        }
        // Most events hold nothing to clean: they are taken as they are, without a copy.
        ObjectNode clean = (ObjectNode) (storable(node) ? node : clean(node));
        JsonNode output = clean.get("output");
        if (output != null && output.isTextual() && output.asText().length() > StepResult.MAX_OUTPUT_TAIL) {
            String t = output.asText();
            clean.put("output", t.substring(t.length() - StepResult.MAX_OUTPUT_TAIL));
        }
        JsonNode result = clean.get("result");
        if (result instanceof ObjectNode r) {
            JsonNode tail = r.get("outputTail");
            if (tail != null && tail.isTextual() && tail.asText().length() > StepResult.MAX_OUTPUT_TAIL) {
                r.put("outputTail", StepResult.tail(tail.asText()));
            }
            JsonNode detail = r.get("detail");
            if (detail != null && detail.isTextual() && detail.asText().length() > MAX_DETAIL) {
                r.put("detail", detail.asText().substring(0, MAX_DETAIL));
            }
        }
        try {
            return reader.readValue(clean);
        } catch (InvalidFormatException e) {
            throw new Refused(path(e), reason(e));
        } catch (JsonMappingException e) {
            throw new Refused(path(e), reason(e));
        } catch (JsonProcessingException e) {
            throw new Refused("", "is malformed or a number is out of range");
        } catch (IOException | RuntimeException e) {
            throw new Refused("", "is malformed");
        }
    }

    /** The event's id when it has a readable one (for the answer), else null. */
    static UUID eventId(JsonNode node) {
        JsonNode id = node == null ? null : node.get("eventId");
        if (id == null || !id.isTextual()) {
            return null;
        }
        try {
            return UUID.fromString(id.asText());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Text that PostgreSQL stores and a person can read: see the class comment. */
    static String clean(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = null;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                replacement = "\uFFFD";
            } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                replacement = String.valueOf((char) (0x2400 + c));
            } else if (c == 0x7F) {
                replacement = "\u2421";
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : String.valueOf(c));
            }
        }
        return out == null ? s : out.toString();
    }

    /** True when {@link #clean(JsonNode)} would change nothing: every string is storable and every number finite. */
    private static boolean storable(JsonNode node) {
        if (node.isTextual()) {
            return storable(node.asText());
        }
        if (node.isDouble() || node.isFloat()) {
            return Double.isFinite(node.doubleValue());
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                if (!storable(n)) {
                    return false;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!storable(e.getKey()) || !storable(e.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean storable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode clean(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isTextual()) {
            String t = node.asText();
            String c = clean(t);
            return c == t ? node : f.textNode(c);
        }
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            return f.textNode(String.valueOf(node.doubleValue()));
        }
        if (node.isArray()) {
            ArrayNode a = f.arrayNode(node.size());
            node.forEach(n -> a.add(clean(n)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = f.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                o.set(clean(e.getKey()), clean(e.getValue()));
            }
            return o;
        }
        return node;
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** A reason a person understands, without Java class names. */
    private static String reason(JsonMappingException e) {
        Throwable cause = e.getCause();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof IllegalArgumentException) {
                break;
            }
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null
                && cause.getMessage().startsWith("must be")) {
            return cause.getMessage();
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null) {
            return "is not a valid " + kind(f.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && m.getTargetType() != null) {
            return "must be " + article(kind(m.getTargetType()));
        }
        return "is malformed";
    }

    private static String kind(Class<?> type) {
        if (type == UUID.class) {
            return "UUID";
        }
        if (type == java.time.Instant.class) {
            return "ISO-8601 time";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "whole number in range";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean";
        }
        if (type == String.class) {
            return "string";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "JSON object";
        }
        if (type.isEnum()) {
            return "known value";
        }
        return "value";
    }

    private static String article(String noun) {
        return ("aeiouAEIOU".indexOf(noun.charAt(0)) >= 0 && !noun.startsWith("UUID") ? "an " : "a ") + noun;
    }
}
