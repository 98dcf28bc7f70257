package io.netflow.models;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.netflow.models.impl.ByteRange;
import io.netflow.models.impl.DeviceEgress;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One answer to {@code GET /v1/models/{name}/{version}/file}. The version's file is immutable and
 * named by its SHA-256, so the ETag is that hash and a device resumes with {@code Range} and
 * {@code If-Range}. A range within {@code models.device-range-bytes} is sent zero-copy
 * ({@code sendFile}) once its bytes of the device budget come up (it waits in line up to
 * {@code models.device-queue-ms}, else the device is told to try another source); a larger one is read
 * and sent in budget-sized slices, each waiting for its bytes, so that no request outruns the budget.
 */
final class FileAnswer {

  private final Vertx vertx;
  private final RoutingContext ctx;
  private final DeviceDelivery devices;
  private final DeviceEgress egress;

  FileAnswer(Vertx vertx, RoutingContext ctx, DeviceDelivery devices) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.devices = devices;
    this.egress = devices.egress();
  }

  void serve() {
    String name = ctx.pathParam("name");
    String version = ctx.pathParam("version");
    if (!ModelManifest.NAME.matcher(name).matches() || !ModelManifest.NAME.matcher(version).matches()) {
      Answers.fail(ctx, new MeshException(ErrorCode.MALFORMED, "model name and version must match " + ModelManifest.NAME.pattern()));
      return;
    }
    devices.held(name + "/" + version).onSuccess(this::answer).onFailure(err -> Answers.fail(ctx, MeshException.of(err)));
  }

  private void answer(DeviceDelivery.Held held) {
    HttpServerResponse r = ctx.response();
    if (held.file() == null) {
      // Not here (yet): send the device to a node that holds it, or say nobody does.
      var other = held.holders().stream().filter(h -> !h.nodeId().equals(devices.selfId())).findFirst();
      if (other.isEmpty()) {
        Answers.fail(ctx, new MeshException(ErrorCode.NOT_FOUND, "no node holds " + held.manifest().id() + " verified"));
        return;
      }
      r.setStatusCode(307).putHeader(HttpHeaders.LOCATION, other.get().url()).end();
      return;
    }
    long size = held.manifest().size();
    String etag = "\"" + held.manifest().sha256() + "\"";
    r.putHeader(HttpHeaders.ETAG, etag).putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
      .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable");
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
      r.setStatusCode(304).end();
      return;
    }
    ByteRange range;
    try {
      range = DeviceRoutes.range(ctx, size, etag);
    } catch (MeshException e) {
      r.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
      Answers.fail(ctx, e);
      return;
    }
    r.setStatusCode(range.isWhole(size) ? 200 : 206).putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
    if (!range.isWhole(size)) {
      r.putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(size));
    }
    if (range.length() <= egress.capacity()) {
      String path = held.file().toString();
      Context here = vertx.getOrCreateContext();
      long maxWaitMs = devices.queueMs();
      if (!egress.enqueue(range.length(), maxWaitMs, () -> here.runOnContext(v -> sendFile(path, range)))) {
        Answers.fail(ctx, new MeshException(ErrorCode.OVERLOADED, "this node's device-download budget is taken for the"
          + " next " + maxWaitMs + " ms; try another source", Math.max(1, egress.queuedMs() - maxWaitMs)));
      }
      return;
    }
    r.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(range.length()));
    vertx.fileSystem().open(held.file().toString(), new OpenOptions().setRead(true)).onSuccess(file -> paced(file, range))
      .onFailure(err -> Answers.fail(ctx, new MeshException(ErrorCode.INTERNAL, "cannot read the model file")));
  }

  private void sendFile(String path, ByteRange range) {
    if (!ctx.response().closed()) {
      ctx.response().sendFile(path, range.first(), range.length());
    }
  }

  /** Sends a large range slice by slice, each once its bytes are in the budget. */
  private void paced(AsyncFile file, ByteRange range) {
    HttpServerResponse r = ctx.response();
    r.closeHandler(v -> file.close());
    file.setReadPos(range.first()).setReadLength(range.length()).setReadBufferSize((int) Math.min(egress.capacity(), 1 << 16));
    file.handler(slice -> send(file, slice));
    file.endHandler(v -> {
      r.end();
      file.close();
    });
    file.exceptionHandler(err -> r.reset());
  }

  private void send(AsyncFile file, Buffer slice) {
    file.pause();
    Context here = vertx.getOrCreateContext();
    // Already admitted: its slices wait their turn however long the queue is.
    egress.enqueue(slice.length(), Long.MAX_VALUE / 2_000, () -> here.runOnContext(v -> {
      ctx.response().write(slice);
      if (ctx.response().writeQueueFull()) {
        ctx.response().drainHandler(d -> file.resume());
      } else {
        file.resume();
      }
    }));
  }
}
