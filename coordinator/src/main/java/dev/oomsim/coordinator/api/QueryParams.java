package dev.oomsim.coordinator.api;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The query parameters of a request, decoded, with the checks the API's parameters need. */
record QueryParams(Map<String, String> values) {

    static QueryParams of(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.put(name, value);
            }
        }
        return new QueryParams(Map.copyOf(values));
    }

    boolean flag(String name) {
        return "true".equals(values.get(name));
    }

    /** The parameter as a long in {@code min..max}, or {@code fallback} when absent. */
    long longIn(String name, long fallback, long min, long max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badParameter("'" + name + "' must be an integer, was '" + v + "'");
        }
        if (parsed < min || parsed > max) {
            throw ApiException.badParameter("'" + name + "' must be within " + min + ".." + max + ", was " + parsed);
        }
        return parsed;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter("malformed query: " + e.getMessage());
        }
    }
}
