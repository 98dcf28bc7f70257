package io.netflow.mesh;

import io.netflow.gateway.protocol.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * What a node offers applications: send to a service without naming a node, publish to a topic,
 * host a service, subscribe to a topic. Failures are {@link io.netflow.gateway.protocol.MeshException}s
 * with a stable code. Every method may be called from any thread.
 */
public interface Mesh {

  /**
   * A service every node hosts: it answers with the name of the node that took the request. Send
   * to it to check a route end to end ({@code POST /v1/messages {"service": "netflow.ping"}}).
   */
  String PING = "netflow.ping";

  /**
   * Routes a request to the node that serves {@code envelope.service()} best right now, rerouting
   * on timeout, a missing handler or an overload answer while the deadline allows (BULK is never
   * rerouted: it is answered OVERLOADED with a retry-after hint when it must be shed).
   */
  Future<Reply> request(Envelope envelope);

  /**
   * A copy of a CRITICAL or HIGH request sent before, perhaps through another node (a client lost
   * its connection before the answer and sent it again with the same id). Every host of the service
   * is first asked whether it remembers the id ({@code mesh.dedupe-ttl-ms}): the one that does
   * answers with its first answer (waiting for it while the first is still being handled), so the
   * request is applied once. Only when none remembers it is it routed as {@link #request} routes a
   * new one. Other priorities are remembered nowhere: for them this is {@link #request}.
   */
  Future<Reply> resend(Envelope envelope);

  /**
   * Routes a request like {@link #request}, but completes as soon as a node has taken it (that
   * node's lane had room, or this node's admission let it in) with that node's id, not when it is
   * answered: the gateway's 202 for NORMAL, MODEL and BULK. The answer is dropped; rerouting goes on
   * after acceptance as for {@link #request}, and a request that no node finally takes is counted
   * ({@code netflow.routing.dropped}), never lost silently. CRITICAL and HIGH are never answered
   * early: for them this is {@link #request} mapped to the serving node.
   */
  Future<String> accept(Envelope envelope);

  /**
   * Sends a request to one chosen node, through its link's lanes, with no rerouting (model chunk
   * fetches pick their peer themselves). Fails with NO_HANDLERS when that node is gone (or its
   * answer times out).
   */
  Future<Reply> requestTo(String nodeId, Envelope envelope);

  /**
   * Publishes to every subscriber of {@code envelope.topic()} on every node, in order per publisher
   * and topic, through the lanes. Completes once every subscribing node has it, with how many
   * nodes that is (0 when this node knows of no subscriber).
   */
  Future<Integer> publish(Envelope envelope);

  /** Hosts {@code service} on this node; peers learn of it from this node's next load report. */
  Future<Registration> host(String service, ServiceHandler handler);

  /** Subscribes to {@code topic} on this node. */
  Future<Registration> subscribe(String topic, Handler<Envelope> handler);

  /** Undoes a {@link #host} or {@link #subscribe}. */
  interface Registration {
    Future<Void> close();
  }
}
