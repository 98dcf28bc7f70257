package io.netflow.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One configuration key: its dotted name, type, default, what values are allowed and its doc.
 *
 * <p>Values come from YAML (already typed) or from the environment and the command line (text);
 * {@link #convert} turns either into the key's type or fails naming the key, value and source.
 */
public final class ConfigKey {

  /** The value types keys may have. */
  public enum Type { STRING, INT, LONG, DOUBLE, LIST }

  private final String name;
  private final Type type;
  private final Object defaultValue;
  private final String allowed;
  private final Predicate<Object> valid;
  private final String doc;

  private ConfigKey(String name, Type type, Object defaultValue, String allowed, Predicate<Object> valid, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.allowed = allowed;
    this.valid = valid;
    this.doc = doc;
  }

  static ConfigKey intKey(String name, int def, int min, int max, String doc) {
    return new ConfigKey(name, Type.INT, def, "must be an integer in [" + min + ", " + max + "]",
      v -> (Integer) v >= min && (Integer) v <= max, doc);
  }

  static ConfigKey longKey(String name, long def, long min, long max, String doc) {
    return new ConfigKey(name, Type.LONG, def, "must be an integer in [" + min + ", " + max + "]",
      v -> (Long) v >= min && (Long) v <= max, doc);
  }

  static ConfigKey doubleKey(String name, double def, double min, double max, String doc) {
    return new ConfigKey(name, Type.DOUBLE, def, "must be a number in [" + min + ", " + max + "]",
      v -> (Double) v >= min && (Double) v <= max, doc);
  }

  static ConfigKey stringKey(String name, String def, String regex, String allowed, String doc) {
    Pattern p = Pattern.compile(regex);
    return new ConfigKey(name, Type.STRING, def, allowed, v -> p.matcher((String) v).matches(), doc);
  }

  static ConfigKey enumKey(String name, String def, List<String> values, String doc) {
    return new ConfigKey(name, Type.STRING, def, "must be one of " + String.join(", ", values),
      values::contains, doc);
  }

  static ConfigKey listKey(String name, List<String> def, String itemRegex, String allowed, String doc) {
    Pattern p = Pattern.compile(itemRegex);
    return new ConfigKey(name, Type.LIST, List.copyOf(def), allowed,
      v -> ((List<?>) v).stream().allMatch(i -> p.matcher((String) i).matches()), doc);
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  public Object defaultValue() {
    return defaultValue;
  }

  public String allowed() {
    return allowed;
  }

  public String doc() {
    return doc;
  }

  /** The environment variable that sets this key: {@code http.port} is {@code NETFLOW_HTTP_PORT}. */
  public String envName() {
    return "NETFLOW_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Converts a raw value (YAML scalar or list, or text) to this key's type and checks it.
   *
   * @param source where the value came from, for the message ("--http-port", "NETFLOW_HTTP_PORT", a file)
   */
  public Object convert(Object raw, String source) throws ConfigException {
    Object v;
    try {
      v = switch (type) {
        case STRING -> scalar(raw);
        case INT -> Integer.valueOf(scalar(raw).trim());
        case LONG -> Long.valueOf(scalar(raw).trim());
        case DOUBLE -> Double.valueOf(scalar(raw).trim());
        case LIST -> list(raw);
      };
    } catch (NumberFormatException | ClassCastException e) {
      throw ConfigException.invalid(name, raw, source, allowed);
    }
    if (!valid.test(v)) {
      throw ConfigException.invalid(name, raw, source, allowed);
    }
    return v;
  }

  private static String scalar(Object raw) {
    if (raw instanceof List<?> || raw instanceof java.util.Map<?, ?> || raw == null) {
      throw new ClassCastException();
    }
    return raw.toString();
  }

  private static List<String> list(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof List<?> items) {
      for (Object i : items) {
        out.add(scalar(i).trim());
      }
    } else {
      for (String s : scalar(raw).split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return List.copyOf(out);
  }
}
