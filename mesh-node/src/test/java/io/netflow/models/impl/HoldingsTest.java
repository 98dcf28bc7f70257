package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.models.ModelManifest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HoldingsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A write to the map that the test completes when it chooses. */
  private record Write(JsonObject value, Promise<Void> done) {
  }

  /** An AsyncMap whose puts wait for the test; nothing else of it is used. */
  @SuppressWarnings("unchecked")
  private static AsyncMap<String, JsonObject> holding(List<Write> writes) {
    return (AsyncMap<String, JsonObject>) Proxy.newProxyInstance(HoldingsTest.class.getClassLoader(),
      new Class<?>[]{AsyncMap.class}, (proxy, method, args) -> {
        if (!method.getName().equals("put")) {
          throw new UnsupportedOperationException(method.getName());
        }
        Promise<Void> done = Promise.promise();
        writes.add(new Write((JsonObject) args[1], done));
        return done.future();
      });
  }

  @Test
  void oneWriteAtATimePerVersionAndTheNewestStateLast() {
    List<Write> writes = new ArrayList<>();
    Holdings holdings = new Holdings(vertx, "self", "self", new HashMap<>(), new SimpleMeterRegistry());
    holdings.storeIn(holding(writes));
    String h = "0".repeat(64);
    Rollout r = new Rollout(new ModelManifest("m", "v1", 2048, 1024, Collections.nCopies(2, h), h, "k", "s"),
      new BitSet(), "self");

    r.state = Rollout.State.VERIFIED;
    holdings.announce(r);
    r.state = Rollout.State.ACTIVE;
    holdings.announce(r);
    r.state = Rollout.State.FAILED;
    holdings.announce(r);
    r.state = Rollout.State.ACTIVE;
    holdings.announce(r);
    assertThat(writes).as("the later announcements wait for the write in flight").hasSize(1);
    assertThat(writes.get(0).value().getString("state")).isEqualTo("VERIFIED");

    writes.get(0).done().fail("the cluster is migrating that partition");
    assertThat(writes).as("then the newest of them goes, once").hasSize(2);
    assertThat(writes.get(1).value().getString("state")).isEqualTo("ACTIVE");
    writes.get(1).done().complete();

    r.state = Rollout.State.VERIFIED;
    holdings.announce(r);
    assertThat(writes).as("with nothing in flight, a write goes at once").hasSize(3);
    assertThat(writes.get(2).value().getString("state")).isEqualTo("VERIFIED");
  }
}
