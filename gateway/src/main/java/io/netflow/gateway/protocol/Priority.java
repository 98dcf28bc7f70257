package io.netflow.gateway.protocol;

/**
 * The lanes traffic travels in, most urgent first. Each node schedules its egress per destination:
 * CRITICAL strictly first, the others by weighted deficit round robin.
 */
public enum Priority {
  /** Player actions and control messages: never wait behind anything else. At-least-once. */
  CRITICAL(0),
  /** Match state. At-least-once. */
  HIGH(1),
  /** Ordinary requests. */
  NORMAL(2),
  /** AI model chunks: take idle bandwidth, give it back when players need it. */
  MODEL(3),
  /** Telemetry and training data: yields to everything, and is shed (visibly) when queues are full. */
  BULK(4);

  private static final Priority[] BY_CODE = values();

  private final int code;

  Priority(int code) {
    this.code = code;
  }

  /** The stable number used on the wire. */
  public int code() {
    return code;
  }

  /** Whether the mesh retries and de-duplicates envelopes of this priority (at-least-once). */
  public boolean atLeastOnce() {
    return this == CRITICAL || this == HIGH;
  }

  /** The priority with this wire number. */
  public static Priority forCode(int code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new MeshException(ErrorCode.UNKNOWN_PRIORITY, "unknown priority code " + code);
    }
    return BY_CODE[code];
  }

  /** The priority named {@code name} (case-insensitive); fails with {@link ErrorCode#UNKNOWN_PRIORITY}. */
  public static Priority parse(String name) {
    if (name != null) {
      for (Priority p : BY_CODE) {
        if (p.name().equalsIgnoreCase(name)) {
          return p;
        }
      }
    }
    throw new MeshException(ErrorCode.UNKNOWN_PRIORITY,
      "unknown priority '" + name + "'; one of CRITICAL, HIGH, NORMAL, MODEL, BULK");
  }
}
