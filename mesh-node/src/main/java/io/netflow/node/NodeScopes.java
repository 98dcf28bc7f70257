package io.netflow.node;

import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.http.GatewayRoutes;
import io.netflow.models.DeviceRoutes;
import io.netflow.rewards.RewardRoutes;
import io.netflow.scheduling.WorkRoutes;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every API-key scope some part of this node checks, as the parts declare them: what a key made by
 * {@code key --scopes} or configured in {@code gateway.api-keys} may name ({@code admin} besides).
 * The node holds its running parts to this list (a test), so the two cannot drift apart.
 */
public final class NodeScopes {

  public static final List<Scope> ALL = Stream.of(GatewayRoutes.SCOPES, WorkRoutes.SCOPES, RewardRoutes.SCOPES,
    DeviceRoutes.SCOPES)
    .flatMap(List::stream).toList();

  private NodeScopes() {
  }
}
