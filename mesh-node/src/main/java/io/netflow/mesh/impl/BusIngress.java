package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.mesh.Mesh;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mesh's face on the clustered event bus, for Vert.x applications that join the cluster:
 * a Buffer payload with the envelope's fields in {@link Headers}, sent to
 * {@link io.netflow.gateway.protocol.Addresses#INGRESS} or {@code PUBLISH}.
 */
public final class BusIngress {

  private final Mesh mesh;

  public BusIngress(Mesh mesh) {
    this.mesh = mesh;
  }

  public void onRequest(Message<Object> message) {
    Envelope e;
    try {
      e = envelope(message, true);
    } catch (MeshException bad) {
      bad.failOn(message);
      return;
    }
    if (Headers.ACK_ACCEPTED.equals(message.headers().get(Headers.ACK)) && !e.priority().atLeastOnce()) {
      mesh.accept(e).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(message.body() instanceof Buffer || message.body() == null ? Buffer.buffer() : "",
            new DeliveryOptions().addHeader(Headers.NODE, ar.result()));
        } else {
          MeshException.of(ar.cause()).failOn(message);
        }
      });
      return;
    }
    boolean resend = "true".equals(message.headers().get(Headers.RESEND));
    (resend ? mesh.resend(e) : mesh.request(e)).onComplete(ar -> {
      if (ar.succeeded()) {
        Object body = message.body() instanceof Buffer || message.body() == null ? ar.result().body() : ar.result().body().toString();
        message.reply(body, new DeliveryOptions()
          .addHeader(Headers.NODE, ar.result().nodeId())
          .addHeader(Headers.ATTEMPTS, String.valueOf(ar.result().attempts())));
      } else {
        MeshException.of(ar.cause()).failOn(message);
      }
    });
  }

  /** Takes each request of a gateway's batch as {@link Mesh#accept} does; answers once all are taken or refused. */
  public void onBatch(Message<IngressBatch> message) {
    List<Envelope> envelopes = message.body().envelopes();
    List<Future<String>> accepted = new ArrayList<>(envelopes.size());
    for (Envelope e : envelopes) {
      accepted.add(mesh.accept(e));
    }
    Future.join(accepted).onComplete(done -> {
      List<IngressBatch.Outcome> outcomes = new ArrayList<>(accepted.size());
      for (Future<String> f : accepted) {
        outcomes.add(f.succeeded() ? IngressBatch.Outcome.taken(f.result())
          : IngressBatch.Outcome.refused(MeshException.of(f.cause())));
      }
      message.reply(new IngressBatch.Outcomes(outcomes));
    });
  }

  public void onPublish(Message<Object> message) {
    Envelope e;
    try {
      e = envelope(message, false);
    } catch (MeshException bad) {
      bad.failOn(message);
      return;
    }
    mesh.publish(e).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(message.body() instanceof Buffer ? Buffer.buffer() : "");
      } else {
        MeshException.of(ar.cause()).failOn(message);
      }
    });
  }

  private static Envelope envelope(Message<Object> message, boolean request) {
    MultiMap h = message.headers();
    Envelope.Builder b = request ? Envelope.toService(h.get(Headers.SERVICE)) : Envelope.toTopic(h.get(Headers.TOPIC));
    b.id(h.get(Headers.ID)).key(h.get(Headers.KEY))
      .priority(h.contains(Headers.PRIORITY) ? Priority.parse(h.get(Headers.PRIORITY)) : Priority.NORMAL);
    if (h.contains(Headers.TIMEOUT_MS)) {
      try {
        b.timeoutMillis(Long.parseLong(h.get(Headers.TIMEOUT_MS)));
      } catch (NumberFormatException ex) {
        throw new MeshException(ErrorCode.MALFORMED, Headers.TIMEOUT_MS + " must be a number of milliseconds");
      }
    }
    Map<String, String> pass = new HashMap<>();
    h.forEach((k, v) -> {
      if (k.startsWith(Headers.PASS_PREFIX)) {
        pass.put(k.substring(Headers.PASS_PREFIX.length()), v);
      }
    });
    return b.headers(pass).payload(payload(message.body())).build();
  }

  /** Vert.x apps send Buffers; bridge clients send text or JSON, carried as its UTF-8 bytes. */
  private static Buffer payload(Object body) {
    if (body == null) {
      return Buffer.buffer();
    }
    if (body instanceof Buffer b) {
      return b;
    }
    if (body instanceof io.vertx.core.json.JsonObject j) {
      return j.toBuffer();
    }
    if (body instanceof io.vertx.core.json.JsonArray j) {
      return j.toBuffer();
    }
    return Buffer.buffer(body.toString());
  }
}
