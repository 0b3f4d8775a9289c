package dev.oomsim.kernel.scenario;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the generic tree a JSON/YAML parser produces ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, null), checking types and ranges and naming the field by path in every error.
 */
final class Tree {
    private Tree() {
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> map(Object v, String path) {
        if (!(v instanceof Map)) {
            throw new ScenarioException(path, "expected an object, got " + describe(v));
        }
        return (Map<Object, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object v, String path) {
        if (!(v instanceof List)) {
            throw new ScenarioException(path, "expected a list, got " + describe(v));
        }
        return (List<Object>) v;
    }

    /** Rejects keys outside {@code allowed}, naming the first unknown one. */
    static void onlyFields(Map<Object, Object> map, String path, Set<String> allowed) {
        for (Object k : map.keySet()) {
            String key = String.valueOf(k);
            if (!allowed.contains(key)) {
                throw new ScenarioException(join(path, key), "unknown field");
            }
        }
    }

    static Object get(Map<Object, Object> map, String key) {
        return map.get(key);
    }

    static boolean has(Map<Object, Object> map, String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    static String string(Object v, String path) {
        if (!(v instanceof String)) {
            throw new ScenarioException(path, "expected a string, got " + describe(v));
        }
        return (String) v;
    }

    static String string(Map<Object, Object> map, String key, String path, String dflt) {
        Object v = map.get(key);
        return v == null ? dflt : string(v, join(path, key));
    }

    static boolean bool(Map<Object, Object> map, String key, String path, boolean dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean)) {
            throw new ScenarioException(join(path, key), "expected true or false, got " + describe(v));
        }
        return (Boolean) v;
    }

    /** An integral number in {@code [min, max]}. */
    static long integer(Object v, String path, long min, long max) {
        long value;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            value = ((Number) v).longValue();
        } else if (v instanceof BigInteger b) {
            if (b.bitLength() > 63) {
                throw new ScenarioException(path, "number " + b + " is out of range");
            }
            value = b.longValue();
        } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            BigDecimal d = new BigDecimal(v.toString());
            if (d.stripTrailingZeros().scale() > 0) {
                throw new ScenarioException(path, "expected a whole number, got " + v);
            }
            try {
                value = d.longValueExact();
            } catch (ArithmeticException e) {
                throw new ScenarioException(path, "number " + v + " is out of range");
            }
        } else if (v instanceof String s && s.matches("-?[0-9]+")) {
            try {
                value = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ScenarioException(path, "number " + s + " is out of range");
            }
        } else {
            throw new ScenarioException(path, "expected a number, got " + describe(v));
        }
        if (value < min || value > max) {
            throw new ScenarioException(path, "must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    static long integer(Map<Object, Object> map, String key, String path, long dflt, long min, long max) {
        Object v = map.get(key);
        return v == null ? dflt : integer(v, join(path, key), min, max);
    }

    static Long optionalInteger(Map<Object, Object> map, String key, String path, long min, long max) {
        Object v = map.get(key);
        return v == null ? null : integer(v, join(path, key), min, max);
    }

    static Object require(Map<Object, Object> map, String key, String path) {
        Object v = map.get(key);
        if (v == null) {
            throw new ScenarioException(join(path, key), "required field is missing");
        }
        return v;
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return v.toString();
    }
}
