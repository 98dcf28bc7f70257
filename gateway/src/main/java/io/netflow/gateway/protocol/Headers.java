package io.netflow.gateway.protocol;

/** Event-bus header names that carry an envelope's fields on {@link Addresses#INGRESS} and {@link Addresses#PUBLISH}. */
public final class Headers {

  public static final String ID = "nf-id";
  public static final String SERVICE = "nf-service";
  public static final String TOPIC = "nf-topic";
  public static final String KEY = "nf-key";
  public static final String PRIORITY = "nf-priority";
  /** Milliseconds from now until the deadline. */
  public static final String TIMEOUT_MS = "nf-timeout-ms";
  /**
   * On requests: {@code accepted} asks for the answer as soon as a node has taken a NORMAL, MODEL
   * or BULK request (the reply carries only {@link #NODE}), not once it is served.
   */
  public static final String ACK = "nf-ack";
  /** The value of {@link #ACK} that asks for an early answer. */
  public static final String ACK_ACCEPTED = "accepted";
  /** On replies: the node that served (or, with {@link #ACK}, took) the request. */
  public static final String NODE = "nf-node";
  /** On replies: how many nodes were tried. */
  public static final String ATTEMPTS = "nf-attempts";
  /** Prefix of headers passed through to the handler: {@code nf-h-foo} arrives as header {@code foo}. */
  public static final String PASS_PREFIX = "nf-h-";
  /** On a request to {@link Addresses#INGRESS}: a copy of a request sent before (perhaps through another node). */
  public static final String RESEND = "nf-resend";

  private Headers() {
  }
}
