package io.netflow.node.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's resolved configuration: every key of {@link NodeKeys} with a checked value.
 * Immutable; {@link #with} returns a copy with one value changed (tests and tools use it).
 */
public final class NodeConfig {

  private final Map<String, Object> values;
  private final Map<String, String> sources;

  NodeConfig(Map<String, Object> values, Map<String, String> sources) {
    this.values = Map.copyOf(values);
    this.sources = Map.copyOf(sources);
  }

  /** The built-in defaults. */
  public static NodeConfig defaults() {
    Map<String, Object> v = new HashMap<>();
    Map<String, String> s = new HashMap<>();
    for (ConfigKey k : NodeKeys.ALL) {
      v.put(k.name(), k.defaultValue());
      s.put(k.name(), "default");
    }
    return new NodeConfig(v, s);
  }

  /** A copy with {@code key} set to {@code value} (converted and checked as any other source). */
  public NodeConfig with(ConfigKey key, Object value) throws ConfigException {
    Map<String, Object> v = new HashMap<>(values);
    Map<String, String> s = new HashMap<>(sources);
    v.put(key.name(), key.convert(value, "code"));
    s.put(key.name(), "code");
    return new NodeConfig(v, s);
  }

  /** Like {@link #with} for values known to be valid; a bad value is a programming error. */
  public NodeConfig set(ConfigKey key, Object value) {
    try {
      return with(key, value);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public String getString(ConfigKey key) {
    return (String) values.get(key.name());
  }

  public int getInt(ConfigKey key) {
    return (Integer) values.get(key.name());
  }

  public long getLong(ConfigKey key) {
    return (Long) values.get(key.name());
  }

  public double getDouble(ConfigKey key) {
    return (Double) values.get(key.name());
  }

  @SuppressWarnings("unchecked")
  public List<String> getList(ConfigKey key) {
    return (List<String>) values.get(key.name());
  }

  /** Where a key's value came from: default, a file path, an environment variable or a flag. */
  public String sourceOf(ConfigKey key) {
    return sources.get(key.name());
  }

  /** Every key and value, sorted: what the node logs at start-up. */
  @Override
  public String toString() {
    return new TreeMap<>(values).toString();
  }
}
