package io.netflow.models;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.netflow.models.impl.ByteRange;
import io.netflow.models.impl.DeviceSources;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The device API (a key with {@code models:<glob>} for the model's name):
 * <ul>
 *   <li>{@code GET /v1/models/{name}/active?device=ID[&running=VERSION]}: the version the device
 *       should run now, its signed manifest exactly as published (the device checks it), and a short
 *       ranked list of URLs to download it from; a device whose wave has not opened gets the version
 *       it keeps and {@code Retry-After}. {@code running} counts the device on the version it runs.</li>
 *   <li>{@code GET /v1/models/{name}/{version}/file}: the file, served by a node that holds it
 *       verified ({@code 307} to a holder otherwise, {@code 404} when none does); {@code Range}
 *       (206, one range), {@code ETag} (its SHA-256), {@code If-None-Match}, {@code If-Range}.
 *       Within this node's device-download budget: past it, {@code 503} with {@code Retry-After}.</li>
 *   <li>{@code GET /v1/models/{name}/devices}: how many devices run each version, and the waves.</li>
 *   <li>{@code POST /v1/models/{name}/devices/{pause|resume|abort}} (admin).</li>
 * </ul>
 */
public final class DeviceRoutes implements RouteContributor {

  /** The scope the device API checks. */
  public static final List<Scope> SCOPES = List.of(new Scope("models", true,
    "read which version of the models whose names match a device should run, and download it"));
  /** Device ids: what a Micro Node app names itself by. */
  static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final DeviceDelivery devices;
  private final Authenticate auth;
  private final AdminAuth admin;

  public DeviceRoutes(DeviceDelivery devices, Authenticate auth, AdminAuth admin) {
    this.devices = devices;
    this.auth = auth;
    this.admin = admin;
  }

  @Override
  public List<Scope> scopes() {
    return SCOPES;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/v1/models/:name/active").handler(auth).handler(this::active);
    router.get("/v1/models/:name/devices").handler(auth).handler(ctx -> {
      if (allowed(ctx)) {
        Answers.json(ctx, 200, devices.devices(ctx.pathParam("name")));
      }
    });
    router.post("/v1/models/:name/devices/:action").handler(admin).handler(ctx ->
      Answers.json(ctx, 200, devices.admin(ctx.pathParam("name"), ctx.pathParam("action"))));
    router.get("/v1/models/:name/:version/file").handler(auth).handler(ctx -> {
      if (allowed(ctx)) {
        new FileAnswer(vertx, ctx, devices).serve();
      }
    });
  }

  private void active(RoutingContext ctx) {
    if (!allowed(ctx)) {
      return;
    }
    String device = ctx.queryParams().get("device");
    String running = ctx.queryParams().get("running");
    if (device == null || !DEVICE.matcher(device).matches()) {
      Answers.fail(ctx, new MeshException(ErrorCode.MALFORMED, "device must be 1-128 letters, digits, '.', '_', ':' or '-'"));
      return;
    }
    if (running != null && !ModelManifest.NAME.matcher(running).matches()) {
      Answers.fail(ctx, new MeshException(ErrorCode.MALFORMED, "running must be a version name"));
      return;
    }
    devices.advise(ctx.pathParam("name"), device, running).onSuccess(a -> {
      HttpServerResponse r = ctx.response();
      if (a.retryAfterMs() > 0) {
        r.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (a.retryAfterMs() + 999) / 1000)));
      }
      JsonArray from = new JsonArray();
      a.sources().stream().map(DeviceSources.Source::url).forEach(from::add);
      Answers.json(ctx, 200, new JsonObject().put("model", a.name()).put("version", a.version())
        .put("manifest", a.manifest()).put("sources", from).put("waiting", a.waiting()));
    }).onFailure(err -> Answers.fail(ctx, MeshException.of(err)));
  }

  /** Whether the caller's key may use the device API for this model; answers 403 when not. */
  private static boolean allowed(RoutingContext ctx) {
    ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
    String name = ctx.pathParam("name");
    if (who.may("models", name)) {
      return true;
    }
    Answers.fail(ctx, new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not fetch model '" + name + "'"));
    return false;
  }

  static ByteRange range(RoutingContext ctx, long size, String etag) {
    String ifRange = ctx.request().getHeader("If-Range");
    // A validator that no longer matches means the device holds bytes of another file: all of it.
    if (ifRange != null && !ifRange.equals(etag)) {
      return ByteRange.whole(size);
    }
    return ByteRange.parse(ctx.request().getHeader("Range"), size);
  }
}
