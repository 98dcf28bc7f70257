package io.netflow.node.config;

/** A configuration problem, worded for an operator: it names the key, the value and what is allowed. */
public class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  static ConfigException invalid(String key, Object value, String source, String allowed) {
    return new ConfigException("invalid value '" + value + "' for " + key + " (from " + source + "): " + allowed);
  }
}
