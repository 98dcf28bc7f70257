package io.netflow.client.schedule;

import io.netflow.client.MeshHttp;
import java.io.IOException;
import java.time.Duration;

/**
 * Carries contributions to the mesh's rewards ({@code POST /v1/rewards/contributions}): 201 (credited)
 * or 200 (credited before: the same receipt again) end the request with the receipt; 429 and 503
 * wait as long as the mesh asked; any other 4xx refuses it for good (its error kept as the receipt);
 * a 5xx or no node in reach is tried again later.
 */
public final class Contributions implements Carrier {

  /** The kind of request this carrier does. */
  public static final String KIND = "contribution";

  private final MeshHttp mesh;

  public Contributions(MeshHttp mesh) {
    this.mesh = mesh;
  }

  @Override
  public Result carry(DataRequest request) {
    try {
      MeshHttp.Answer a = mesh.send("POST", "/v1/rewards/contributions", request.body().toString());
      if (a.ok()) {
        return new Done(a.body());
      }
      if (a.busy()) {
        return new Later(a.retryAfter().isZero() ? Duration.ofSeconds(1) : a.retryAfter(), a.error().getMessage());
      }
      if (a.status() / 100 == 4) {
        return new Refused(a.error());
      }
      return new Later(null, "the mesh answered " + a.status());
    } catch (IOException e) {
      return new Later(null, "no node in reach: " + e.getMessage());
    }
  }
}
