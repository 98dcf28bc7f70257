package io.netflow.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * Requests a gateway hands to its own node's mesh in one local event-bus message, sent to
 * {@link Addresses#INGRESS_BATCH}: the HTTP and WebSocket adapters gather the NORMAL, MODEL and BULK
 * requests one turn of their event loop has read, so a busy gateway pays one hop between threads per
 * turn rather than one per request. The mesh takes each as {@code Mesh.accept} does and answers
 * with an {@link Outcomes} in the same order once every one is taken or refused.
 *
 * <p>Never leaves the node: its codec refuses the wire.
 */
public record IngressBatch(List<Envelope> envelopes) {

  public IngressBatch {
    envelopes = List.copyOf(envelopes);
  }

  /** What became of one request: the node that took it, or the failure (with its stable code). */
  public record Outcome(String nodeId, MeshException failure) {

    public static Outcome taken(String nodeId) {
      return new Outcome(nodeId, null);
    }

    public static Outcome refused(MeshException failure) {
      return new Outcome(null, failure);
    }
  }

  /** The answer to an {@link IngressBatch}: one outcome per envelope, in order. */
  public record Outcomes(List<Outcome> outcomes) {

    public Outcomes {
      outcomes = List.copyOf(outcomes);
    }
  }

  /** Lets both types travel on {@code bus} (locally); safe to call more than once. */
  public static void registerCodecs(EventBus bus) {
    register(bus, IngressBatch.class);
    register(bus, Outcomes.class);
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another part of this node registered it first
    }
  }

  /** Hands the same immutable object to a consumer on this node; refuses to put it on the wire. */
  private record LocalCodec<T>(Class<T> type) implements MessageCodec<T, T> {

    @Override
    public void encodeToWire(Buffer buffer, T value) {
      throw new IllegalStateException(type.getSimpleName() + " is local to a node: send it with localOnly");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      throw new IllegalStateException(type.getSimpleName() + " is local to a node");
    }

    @Override
    public T transform(T value) {
      return value;
    }

    @Override
    public String name() {
      return "netflow." + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
