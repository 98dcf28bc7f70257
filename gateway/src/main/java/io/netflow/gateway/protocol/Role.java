package io.netflow.gateway.protocol;

/** What kind of machine a node runs on; placement constraints name it. */
public enum Role {
  /** A cloud server: large capacity, good links. */
  CLOUD,
  /** An Edge Node close to players: smaller, nearer. */
  EDGE;

  /** The role named {@code s} (case-insensitive), or {@code null} when there is none. */
  public static Role parse(String s) {
    if (s == null) {
      return null;
    }
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(s)) {
        return r;
      }
    }
    return null;
  }

  /** The lowercase name used in config and JSON. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
