package io.netflow.client.schedule;

import io.netflow.client.MeshHttp;
import java.io.IOException;

/** The pay as the mesh publishes it: {@code GET /v1/rewards/schedule} from the best node that answers. */
public final class HttpRewardSource implements RewardSource {

  private final MeshHttp mesh;

  public HttpRewardSource(MeshHttp mesh) {
    this.mesh = mesh;
  }

  @Override
  public RewardSchedule fetch() throws IOException {
    MeshHttp.Answer a = mesh.send("GET", "/v1/rewards/schedule", null);
    if (!a.ok()) {
      throw new IOException("the reward schedule: " + a.error().getMessage());
    }
    return RewardSchedule.fromJson(a.body());
  }
}
