package io.netflow.membership.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.MemberInfo;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import com.hazelcast.internal.cluster.impl.MembersView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.node.TestMesh;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Hazelcast race that strands a member, reproduced on three plain members with heartbeats off
 * (so that only the test moves membership), and the watch that frees it.
 */
class StrandedMemberWatchTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<HazelcastInstance> members = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void aMemberStrandedByTheRaceClaimsMastershipAndStandsAlone() throws Exception {
    startThree();
    HazelcastInstance a = members.get(0);
    HazelcastInstance b = members.get(1);
    HazelcastInstance c = members.get(2);
    ClusterServiceImpl cs = service(c);
    MemberImpl aMember = cs.getMember(service(a).getThisAddress());

    // c resumes from a pause and hears that a removed it: it suspects a, but b (ahead of c, not
    // suspected) keeps it from claiming mastership.
    cs.suspectMember(aMember, "explicit suspicion (test)", false);
    assertThat(cs.isMaster()).isFalse();
    // Then a's member list without b, sent while c was paused, lands: every member ahead of c is
    // suspected now, and Hazelcast does not look again.
    List<MemberInfo> withoutB = new ArrayList<>();
    for (MemberImpl m : cs.getMemberImpls()) {
      if (!m.getAddress().equals(service(b).getThisAddress())) {
        withoutB.add(new MemberInfo(m));
      }
    }
    assertThat(cs.updateMembers(new MembersView(cs.getMemberListVersion() + 1, withoutB),
      aMember.getAddress(), aMember.getUuid(), cs.getThisUuid())).isTrue();

    // Stranded: no claim, and nothing would change it while a keeps silent.
    Thread.sleep(1_500);
    assertThat(cs.isMaster()).isFalse();
    assertThat(cs.getMasterAddress()).isEqualTo(aMember.getAddress());
    assertThat(c.getCluster().getMembers()).hasSize(2);

    StrandedMemberWatch watch = StrandedMemberWatch.start(vertx, c, registry, 100);
    try {
      TestMesh.await(Duration.ofSeconds(15), "c master of its own side", () -> cs.isMaster()
        && c.getCluster().getMembers().size() == 1);
    } finally {
      watch.close();
    }
    TestMesh.await(Duration.ofSeconds(5), "the claim counted",
      () -> registry.get("netflow.membership.stranded.claims").counter().count() == 1);
  }

  @Test
  void aHealthyMemberIsLeftAlone() throws Exception {
    startThree();
    StrandedMemberWatch watch = StrandedMemberWatch.start(vertx, members.get(2), registry, 50);
    Thread.sleep(500);
    watch.close();
    assertThat(members.get(2).getCluster().getMembers()).hasSize(3);
    assertThat(registry.get("netflow.membership.stranded.claims").counter().count()).isZero();
  }

  @Test
  void aStateSeenOnceOrUnderAnotherMasterIsNotClaimedOn() {
    AtomicReference<String> under = new AtomicReference<>();
    AtomicInteger claims = new AtomicInteger();
    StrandedMemberWatch watch = new StrandedMemberWatch(vertx, new StrandedMemberWatch.Cluster() {
      @Override
      public String strandedUnder() {
        return under.get();
      }

      @Override
      public boolean claim(String master) {
        claims.incrementAndGet();
        return true;
      }
    }, registry, 3_600_000);
    try {
      watch.tick();
      under.set("a");
      watch.tick();
      under.set("b");
      watch.tick();
      under.set(null);
      watch.tick();
      under.set("b");
      watch.tick();
      assertThat(claims).hasValue(0);
      watch.tick();
      TestMesh.await(Duration.ofSeconds(5), "one claim", () -> claims.get() == 1);
      TestMesh.await(Duration.ofSeconds(5), "counted", () -> registry.get("netflow.membership.stranded.claims")
        .counter().count() == 1);
    } finally {
      watch.close();
    }
  }

  @Test
  void aClaimForAMemberNoLongerStrandedSuspectsNobody() throws Exception {
    startThree();
    HazelcastInstance c = members.get(2);
    ClusterServiceImpl cs = service(c);
    String master = cs.getMasterAddress().toString();
    // What a tick saw a moment ago no longer holds (a master's list landed): the claim checks again,
    // under the service's lock, and leaves a healthy master alone.
    var cluster = (StrandedMemberWatch.HazelcastCluster) StrandedMemberWatch.HazelcastCluster.of(c).orElseThrow();
    assertThat(cluster.claim(master)).isFalse();
    MemberImpl aMember = cs.getMember(service(members.get(0)).getThisAddress());
    assertThat((boolean) cluster.isSuspectedMethod().invoke(cs.getMembershipManager(), aMember)).isFalse();
    Thread.sleep(500);
    assertThat(cs.isMaster()).isFalse();
    assertThat(cs.getMasterAddress().toString()).isEqualTo(master);
    assertThat(c.getCluster().getMembers()).hasSize(3);
  }

  private void startThree() {
    String cluster = "stranded-" + UUID.randomUUID();
    int[] ports = java.util.stream.IntStream.generate(TestMesh::freePort).distinct().limit(3).toArray();
    for (int port : ports) {
      members.add(Hazelcast.newHazelcastInstance(config(cluster, port, ports)));
    }
    TestMesh.await(Duration.ofSeconds(30), "three members",
      () -> members.stream().allMatch(m -> m.getCluster().getMembers().size() == 3));
  }

  private static Config config(String cluster, int port, int[] ports) {
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.partition.count", "11");
    // Heartbeats and merges off for the test's length: membership moves only when the test moves it.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "300");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "600");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "600");
    config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    config.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig net = config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int p : ports) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + p);
    }
    return config;
  }

  private static ClusterServiceImpl service(HazelcastInstance member) {
    return ((HazelcastInstanceProxy) member).getOriginal().node.getClusterService();
  }
}
