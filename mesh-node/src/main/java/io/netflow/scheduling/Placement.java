package io.netflow.scheduling;

import io.netflow.gateway.protocol.Role;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Where work may run: a role, a region and a model version that must be active; any left out
 * (null) matches every node.
 *
 * @param model {@code name/version}
 */
public record Placement(Role role, String region, String model) {

  public static final Placement ANYWHERE = new Placement(null, null, null);

  /** Whether a node with this role, region and active models may run the work. */
  public boolean admits(Role nodeRole, String nodeRegion, Function<String, String> activeVersion) {
    if (role != null && role != nodeRole) {
      return false;
    }
    if (region != null && !region.equals(nodeRegion)) {
      return false;
    }
    if (model != null) {
      int slash = model.indexOf('/');
      return model.substring(slash + 1).equals(activeVersion.apply(model.substring(0, slash)));
    }
    return true;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (role != null) {
      json.put("role", role.id());
    }
    if (region != null) {
      json.put("region", region);
    }
    if (model != null) {
      json.put("model", model);
    }
    return json;
  }

  public static Placement fromJson(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return ANYWHERE;
    }
    String role = json.getString("role");
    return new Placement(role == null ? null : Role.parse(role), json.getString("region"), json.getString("model"));
  }
}
