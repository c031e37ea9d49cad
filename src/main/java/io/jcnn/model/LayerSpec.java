package io.jcnn.model;

import java.util.Map;
import java.util.Objects;

/**
 * One layer of an {@link Architecture}: its kind (the layer's class, such as {@code "Conv2d"}), its name, and the
 * settings that rebuild it, as text so that a checkpoint stores any kind the same way.
 *
 * @param kind     the layer's class name
 * @param name     the layer's name within its model
 * @param settings what the kind needs, such as {@code out=20}, {@code kernel=5x5}; copied
 */
public record LayerSpec(String kind, String name, Map<String, String> settings) implements java.io.Serializable {
    /**
     * Copies the settings.
     *
     * @throws NullPointerException if an argument, or a setting's key or value, is null
     */
    public LayerSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        settings = Map.copyOf(settings);
    }

    /** The setting {@code key} as a whole number of at least {@code min}. */
    int integer(String key, int min) {
        String value = text(key);
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below, with what was expected.
        }
        throw invalid(key, value, "a whole number of at least " + min);
    }

    /** The setting {@code key} as two whole numbers of at least {@code min}, written {@code HxW}. */
    int[] pair(String key, int min) {
        String value = text(key);
        String[] parts = value.split("x", -1);
        if (parts.length == 2) {
            try {
                int h = Integer.parseInt(parts[0]);
                int w = Integer.parseInt(parts[1]);
                if (h >= min && w >= min) {
                    return new int[] {h, w};
                }
            } catch (NumberFormatException e) {
                // Reported below, with what was expected.
            }
        }
        throw invalid(key, value, "HxW with both at least " + min);
    }

    /** The setting {@code key} as a finite number. */
    float decimal(String key) {
        String value = text(key);
        try {
            float f = Float.parseFloat(value);
            if (Float.isFinite(f)) {
                return f;
            }
        } catch (NumberFormatException e) {
            // Reported below, with what was expected.
        }
        throw invalid(key, value, "a finite number");
    }

    /** The setting {@code key} as true or false. */
    boolean flag(String key) {
        String value = text(key);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, value, "true or false");
        };
    }

    private String text(String key) {
        String value = settings.get(key);
        if (value == null) {
            throw new IllegalArgumentException(kind + " layer '" + name + "' has no setting '" + key + "'");
        }
        return value;
    }

    private IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException(kind + " layer '" + name + "' has " + key + "=" + value + "; expected "
                + expected);
    }
}
