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
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
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
 * a master that forgot it. The member stays put: its partition calls hang, it does not see itself
 * alone, and so it does not merge back (until connections happen to close: after 60 s in one CI run,
 * not in 150 s in another).
 *
 * <p>Each period this watch looks for that state: joined, not master, and every member ahead of
 * this one suspected. Seen on two ticks in a row under the same master (a claim starts at once
 * when Hazelcast takes the usual path), it suspects the head of the member list again (the master,
 * when the view is sound), which runs the claim that was skipped: the member becomes master of its
 * own side, and the cluster's split-brain merge brings it back. The check and the nudge are made
 * again under the cluster service's lock, so a master's list that lands in between (the member is
 * no longer stranded) stops it. The state is read through Hazelcast 5.3.8's internals (the
 * package-private {@code MembershipManager.isMemberSuspected} and the service's lock, by
 * reflection); where they are not what this watch knows, it says so once and stays off.
 */
public final class StrandedMemberWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StrandedMemberWatch.class);

  /** What the watch reads and does; Hazelcast's, or a test's. */
  interface Cluster {
    /** The master this member waits on while every member ahead of it is suspected; null when not stranded. */
    String strandedUnder();

    /**
     * When this member is still stranded under {@code master}, suspects again a member it already
     * suspects, which reruns the decision to claim mastership; returns whether it did.
     */
    boolean claim(String master);
  }

  private final Vertx vertx;
  private final Cluster cluster;
  private final Counter claims;
  private final long timerId;
  private String seenUnder;
  private boolean claiming;

  /** Watches {@code cluster} every {@code periodMs}; a null cluster is not watched. */
  StrandedMemberWatch(Vertx vertx, Cluster cluster, MeterRegistry registry, long periodMs) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.claims = Counter.builder("netflow.membership.stranded.claims")
      .description("Times this node was stranded in a cluster whose master had removed it, and started a claim of "
        + "mastership to merge back (a Hazelcast race after a pause)")
      .register(registry);
    this.timerId = cluster == null ? -1 : vertx.setPeriodic(periodMs, id -> tick());
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
    claiming = true;
    // The claim takes the cluster service's lock, which heartbeats and joins hold for a moment.
    vertx.executeBlocking(() -> cluster.claim(master), false).onComplete(ar -> {
      claiming = false;
      seenUnder = null;
      if (ar.failed()) {
        LOG.warn("Could not claim mastership for a stranded node: {}", String.valueOf(ar.cause()));
      } else if (ar.result()) {
        claims.increment();
        LOG.warn("This node was stranded: its master {} and every member ahead of it were suspected, and no "
          + "mastership claim ran (a Hazelcast race after a pause); it claimed mastership so that it merges back", master);
      }
    });
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /**
   * The state read from Hazelcast 5.3's cluster service: its suspicion check is package-private, and
   * its lock a private field.
   */
  record HazelcastCluster(ClusterServiceImpl service, Method isSuspectedMethod, Lock lock) implements Cluster {

    private static final AtomicBoolean READ_FAILED = new AtomicBoolean();

    static Optional<Cluster> of(HazelcastInstance hazelcast) {
      try {
        HazelcastInstanceImpl impl = hazelcast instanceof HazelcastInstanceProxy proxy
          ? proxy.getOriginal() : (HazelcastInstanceImpl) hazelcast;
        ClusterServiceImpl service = impl.node.getClusterService();
        Method suspected = MembershipManager.class.getDeclaredMethod("isMemberSuspected", MemberImpl.class);
        suspected.setAccessible(true);
        Field lock = ClusterServiceImpl.class.getDeclaredField("clusterServiceLock");
        lock.setAccessible(true);
        return Optional.of(new HazelcastCluster(service, suspected, (Lock) lock.get(service)));
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
          Address master = service.getMasterAddress();
          return ahead == 0 || master == null ? null : master.toString();
        }
        if (!isSuspected(member)) {
          return null;
        }
        ahead++;
      }
      return null;
    }

    private boolean isSuspected(MemberImpl member) {
      try {
        return (boolean) isSuspectedMethod.invoke(service.getMembershipManager(), member);
      } catch (ReflectiveOperationException e) {
        // Not stranded, as far as this watch can tell; said once.
        if (!READ_FAILED.getAndSet(true)) {
          LOG.warn("Cannot read Hazelcast's suspicion of a member ({}): not watching for a stranded member", e.toString());
        }
        return false;
      }
    }

    @Override
    public boolean claim(String master) {
      // Under the service's lock (re-entrant: suspectMember takes it again), so that a member list
      // landing between the check and the nudge cannot make this suspect a healthy master.
      lock.lock();
      try {
        if (!master.equals(strandedUnder())) {
          return false;
        }
        // Suspecting a member already suspected reruns Hazelcast's decision on a claim; the head of
        // the list is one (it is ahead of this member), and the master when the view is sound.
        MemberImpl head = service.getMemberImpls().iterator().next();
        service.suspectMember(head, "stranded: every member ahead of this one suspected, no claim ran", false);
        return service.isMaster();
      } finally {
        lock.unlock();
      }
    }
  }
}
