package io.netflow.models;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model API, mounted on the node's HTTP server:
 * {@code PUT /v1/models/{name}/{version}} (admin: streaming upload of a signed version),
 * {@code GET /v1/models}, {@code GET /v1/models/{name}/{version}/rollout} and
 * {@code POST /v1/models/{name}/rollback[?node=id]} (admin).
 *
 * <p>An upload carries {@code X-Netflow-Size} (its length), {@code X-Netflow-Key-Id} and
 * {@code X-Netflow-Signature} (the publisher's Ed25519 signature of the manifest, as the CLI
 * computes it); optionally {@code X-Netflow-Chunk-Size}. The node hashes what it received and
 * checks the signature against that: a truncated or altered upload cannot pass.
 */
public final class ModelRoutes implements RouteContributor {

  public static final String SIZE = "X-Netflow-Size";
  public static final String KEY_ID = "X-Netflow-Key-Id";
  public static final String SIGNATURE = "X-Netflow-Signature";
  public static final String CHUNK_SIZE = "X-Netflow-Chunk-Size";

  private final ModelVerticle models;
  private final ModelOptions options;
  private final AdminAuth admin;
  private final Path uploads;

  public ModelRoutes(ModelVerticle models, ModelOptions options, AdminAuth admin, Path uploads) {
    this.models = models;
    this.options = options;
    this.admin = admin;
    this.uploads = uploads;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.put("/v1/models/:name/:version").handler(admin).handler(ctx -> upload(vertx, ctx));
    router.get("/v1/models").handler(ctx -> json(ctx, models.list(), 200));
    router.get("/v1/models/:name/:version/rollout").handler(ctx ->
      json(ctx, models.rolloutStatus(ctx.pathParam("name") + "/" + ctx.pathParam("version")), 200));
    router.post("/v1/models/:name/rollback").handler(admin).handler(ctx ->
      json(ctx, models.rollback(ctx.pathParam("name"), ctx.queryParams().get("node")), 202));
  }

  private void upload(Vertx vertx, RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    req.pause();
    String name = ctx.pathParam("name");
    String version = ctx.pathParam("version");
    long declared;
    int chunkSize;
    try {
      if (!ModelManifest.NAME.matcher(name).matches() || !ModelManifest.NAME.matcher(version).matches()) {
        throw new MeshException(ErrorCode.MALFORMED, "model name and version must match " + ModelManifest.NAME.pattern());
      }
      declared = longHeader(req, SIZE, -1);
      chunkSize = (int) longHeader(req, CHUNK_SIZE, options.getChunkBytes());
      if (declared < 1) {
        throw new MeshException(ErrorCode.MALFORMED, SIZE + " header (the model's size in bytes) is required");
      }
      if (declared > options.getMaxBytes()) {
        throw new MeshException(ErrorCode.TOO_LARGE, "model of " + declared + " bytes is over models.max-bytes ("
          + options.getMaxBytes() + ")");
      }
      if (chunkSize < 1024 || chunkSize > (16 << 20)) {
        throw new MeshException(ErrorCode.MALFORMED, CHUNK_SIZE + " must be in [1024, 16777216]");
      }
    } catch (MeshException bad) {
      refuse(ctx, bad);
      return;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && !length.equals(String.valueOf(declared))) {
      refuse(ctx, new MeshException(ErrorCode.INTEGRITY, "Content-Length " + length + " differs from " + SIZE + " " + declared));
      return;
    }
    Path temp = uploads.resolve(".upload-" + UUID.randomUUID());
    AtomicLong received = new AtomicLong();
    // A client that hangs up mid-body (even before the file is open) fails the upload.
    Promise<Void> hungUp = Promise.promise();
    // The response's close handler, not the connection's: that one belongs to the server, which
    // counts open connections with it.
    ctx.response().closeHandler(v -> hungUp.tryFail(new MeshException(ErrorCode.INTEGRITY,
      "client hung up before " + declared + " bytes arrived")));
    vertx.fileSystem().mkdirs(uploads.toString())
      .compose(v -> vertx.fileSystem().open(temp.toString(), new OpenOptions().setCreateNew(true).setWrite(true)))
      .compose(file -> {
        Promise<Void> piped = Promise.promise();
        hungUp.future().onFailure(piped::tryFail);
        req.pipeTo(file).onComplete(ar -> {
          if (ar.succeeded()) {
            piped.tryComplete();
          } else {
            piped.tryFail(ar.cause());
          }
        });
        return piped.future().eventually(() -> file.close().otherwiseEmpty());
      })
      .compose(v -> vertx.fileSystem().props(temp.toString()))
      .compose(props -> {
        received.set(props.size());
        if (received.get() != declared) {
          return Future.failedFuture(new MeshException(ErrorCode.INTEGRITY, "received " + received.get()
            + " bytes, declared " + declared));
        }
        return vertx.executeBlocking(() -> ModelStore.describe(temp, name, version, chunkSize));
      })
      .compose(m -> models.publish(m.withSignature(req.getHeader(KEY_ID), req.getHeader(SIGNATURE)), temp))
      .onSuccess(m -> ctx.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("name", m.name()).put("version", m.version()).put("size", m.size())
          .put("chunks", m.chunkCount()).put("sha256", m.sha256()).put("keyId", m.keyId()).encode()))
      .onFailure(err -> {
        vertx.fileSystem().delete(temp.toString());
        fail(ctx, err instanceof MeshException me ? me
          : new MeshException(ErrorCode.INTEGRITY, "upload broke off before " + declared + " bytes arrived"));
      });
  }

  private static long longHeader(HttpServerRequest req, String header, long otherwise) {
    String v = req.getHeader(header);
    if (v == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new MeshException(ErrorCode.MALFORMED, header + " must be a number");
    }
  }

  private static void json(RoutingContext ctx, Future<JsonObject> f, int status) {
    f.onSuccess(j -> ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(j.encode()))
      .onFailure(err -> fail(ctx, MeshException.of(err)));
  }

  /** Refuses an upload without reading its body: answers, then closes the connection (the body is not wanted). */
  private static void refuse(RoutingContext ctx, MeshException e) {
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    fail(ctx, e);
  }

  private static void fail(RoutingContext ctx, MeshException e) {
    if (!ctx.response().closed()) {
      Answers.error(ctx, e.code(), e.getMessage());
    }
  }
}
