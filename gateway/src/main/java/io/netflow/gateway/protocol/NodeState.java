package io.netflow.gateway.protocol;

/** The state a node reports of itself in its load report. */
public enum NodeState {
  /** Serving normally. */
  UP,
  /** Leaving: finishing what it holds and taking nothing new. Routers skip it. */
  DRAINING,
  /** Serving, but past its admission limit: routers skip it unless every node is. */
  OVERLOADED;

  /** The state named {@code s} (case-insensitive), or {@code null} when there is none. */
  public static NodeState parse(String s) {
    if (s == null) {
      return null;
    }
    for (NodeState state : values()) {
      if (state.name().equalsIgnoreCase(s)) {
        return state;
      }
    }
    return null;
  }
}
