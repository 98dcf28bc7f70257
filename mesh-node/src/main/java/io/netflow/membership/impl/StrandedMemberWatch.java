package io.netflow.membership.impl;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import com.hazelcast.internal.cluster.impl.MembershipManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.lang.reflect.Method;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees a member that Hazelcast 5.3 can leave stranded after a pause (a long GC, a suspended VM, a
 * SIGSTOP), in a cluster whose master has already removed it.
 *
 * <p>The race, seen in the chaos suite with two nodes hung at once: the younger one resumes, hears
 * from the master and another member that they removed it ("explicit suspicion") and suspects them.
 * The other hung member, ahead of it in the member list and not suspected, keeps it from claiming
 * mastership. Then the master's member list that removed that member (sent during the pause) is
 * applied. Every member ahead of this one is now suspected, but Hazelcast decides on a claim only
 * at the moment it suspects someone, sends no heartbeats to suspected members, and hears none from
 * a master that forgot it. The member stays put: its partition calls hang, it never sees itself
 * alone, and so it never merges back.
 *
 * <p>Each period this watch looks for that state: joined, not master, and every member ahead of
 * this one suspected. Seen on two ticks in a row under the same master (a claim starts at once
 * when Hazelcast takes the usual path), it suspects the head of the member list again (the master,
 * when the view is sound), which runs the claim that was skipped: the member becomes master of its
 * own side, and the cluster's split-brain merge brings it back. The state is read through Hazelcast
 * 5.3.8's internals ({@code MembershipManager.suspectMember}, whose claim decision this reruns);
 * where they are not what this watch knows, it says so once and stays off.
 */
public final class StrandedMemberWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StrandedMemberWatch.class);

  /** What the watch reads and does; Hazelcast's, or a test's. */
  interface Cluster {
    /** The master this member waits on while every member ahead of it is suspected; null when not stranded. */
    String strandedUnder();

    /** Suspects again a member it already suspects, which reruns the decision to claim mastership. */
    void claim();
  }

  private final Vertx vertx;
  private final Cluster cluster;
  private final Counter claims;
  private final long timer;
  private String seenUnder;
  private boolean claiming;

  /** Watches {@code cluster} every {@code periodMs}; a null cluster is not watched. */
  StrandedMemberWatch(Vertx vertx, Cluster cluster, MeterRegistry registry, long periodMs) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.claims = Counter.builder("netflow.membership.stranded.claims")
      .description("Times this node was stranded in a cluster whose master had removed it, and claimed mastership "
        + "to merge back (a Hazelcast race after a pause)")
      .register(registry);
    this.timer = cluster == null ? -1 : vertx.setPeriodic(periodMs, id -> tick());
  }

  /**
   * Starts watching {@code hazelcast} every {@code periodMs}; when this Hazelcast's internals are not
   * the ones the watch reads, a watch that does nothing.
   */
  public static StrandedMemberWatch start(Vertx vertx, HazelcastInstance hazelcast, MeterRegistry registry,
      long periodMs) {
    return new StrandedMemberWatch(vertx, HazelcastCluster.of(hazelcast).orElse(null), registry, periodMs);
  }

  void tick() {
    String master = cluster.strandedUnder();
    if (master == null || !master.equals(seenUnder) || claiming) {
      seenUnder = master;
      return;
    }
    LOG.warn("This node is stranded: its master {} and every member ahead of it are suspected, and no mastership "
      + "claim ran (a Hazelcast race after a pause); claiming mastership so that it merges back", master);
    claims.increment();
    claiming = true;
    // The claim takes the cluster service's lock, which heartbeats and joins hold for a moment.
    vertx.executeBlocking(() -> {
      cluster.claim();
      return null;
    }, false).onComplete(ar -> {
      claiming = false;
      seenUnder = null;
      if (ar.failed()) {
        LOG.warn("Claiming mastership failed: {}", String.valueOf(ar.cause()));
      }
    });
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The state read from Hazelcast 5.3's cluster service; its suspicion check is package-private. */
  private record HazelcastCluster(ClusterServiceImpl service, Method suspected) implements Cluster {

    static Optional<Cluster> of(HazelcastInstance hazelcast) {
      try {
        HazelcastInstanceImpl impl = hazelcast instanceof HazelcastInstanceProxy proxy
          ? proxy.getOriginal() : (HazelcastInstanceImpl) hazelcast;
        Method suspected = MembershipManager.class.getDeclaredMethod("isMemberSuspected", MemberImpl.class);
        suspected.setAccessible(true);
        return Optional.of(new HazelcastCluster(impl.node.getClusterService(), suspected));
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("Not watching for a stranded member: this Hazelcast's internals differ ({})", e.toString());
        return Optional.empty();
      }
    }

    @Override
    public String strandedUnder() {
      if (!service.isJoined() || service.isMaster()) {
        return null;
      }
      MemberImpl local = service.getLocalMember();
      int ahead = 0;
      for (MemberImpl member : service.getMemberImpls()) {
        if (member.equals(local)) {
          break;
        }
        if (!isSuspected(member)) {
          return null;
        }
        ahead++;
      }
      Address master = service.getMasterAddress();
      return ahead == 0 || master == null ? null : master.toString();
    }

    private boolean isSuspected(MemberImpl member) {
      try {
        return (boolean) suspected.invoke(service.getMembershipManager(), member);
      } catch (ReflectiveOperationException e) {
        return false;
      }
    }

    @Override
    public void claim() {
      // Suspecting any member already suspected reruns Hazelcast's decision on a claim; the head of
      // the list is one (it is ahead of this member), and the master when the view is sound.
      MemberImpl head = service.getMemberImpls().iterator().next();
      if (!head.localMember()) {
        service.suspectMember(head, "stranded: every member ahead of this one suspected, no claim ran", false);
      }
    }
  }
}
