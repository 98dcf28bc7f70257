package io.netflow.gateway.protocol;

import io.vertx.core.eventbus.MessageCodec;

/**
 * A codec for an immutable message: within one node the object itself is handed to the consumer,
 * and only a peer on another node reads the wire form. The name is part of the protocol between
 * nodes, never changed.
 */
public abstract class ImmutableCodec<T> implements MessageCodec<T, T> {

  private final String name;

  protected ImmutableCodec(String name) {
    this.name = name;
  }

  @Override
  public final T transform(T value) {
    return value;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}
