package io.netflow.mesh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Runs work on a verticle's own event loop, whoever asks: how single-threaded parts offer a thread-safe API. */
public final class Contexts {

  private Contexts() {
  }

  /** Runs {@code action} on {@code context} (at once when already there) and relays its result. */
  public static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        // A caller always gets a future, never a throw it may not expect mid-callback.
        return Future.failedFuture(e);
      }
    }
    // The answer goes back to the caller's event loop (when it has one), so a caller never finds
    // its callbacks, and the writes they make, running on the owner's thread.
    Context caller = Vertx.currentContext();
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      Future<T> f;
      try {
        f = action.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (caller == null) {
          relay(ar, p);
        } else {
          caller.runOnContext(x -> relay(ar, p));
        }
      });
    });
    return p.future();
  }

  private static <T> void relay(io.vertx.core.AsyncResult<T> ar, Promise<T> p) {
    if (ar.succeeded()) {
      p.complete(ar.result());
    } else {
      p.fail(ar.cause());
    }
  }
}
