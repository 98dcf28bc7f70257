package io.netflow.lanes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netflow.gateway.protocol.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code netflow_lane_*} meters of one link, by lane; removed when the link closes. */
final class LinkMetrics {

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter[] sent = new Counter[Priority.values().length];
  private final Counter[] shed = new Counter[Priority.values().length];
  private final Timer[] latency = new Timer[Priority.values().length];

  LinkMetrics(MeterRegistry registry, String dest, Link link) {
    this.registry = registry;
    for (Priority p : Priority.values()) {
      String lane = p.name();
      sent[p.code()] = add(Counter.builder("netflow.lane.sent").description("Envelopes sent, by lane and destination")
        .tags("lane", lane, "dest", dest).register(registry));
      shed[p.code()] = add(Counter.builder("netflow.lane.shed")
        .description("Envelopes turned away because the lane's queue was full, by lane and destination")
        .tags("lane", lane, "dest", dest).register(registry));
      latency[p.code()] = add(Timer.builder("netflow.lane.latency")
        .description("From enqueue to answer, by lane and destination").tags("lane", lane, "dest", dest)
        .publishPercentiles(0.5, 0.99).publishPercentileHistogram(false).register(registry));
      add(Gauge.builder("netflow.lane.queued.bytes", link, l -> l.queuedBytes(p))
        .description("Bytes queued, by lane and destination").tags("lane", lane, "dest", dest).register(registry));
      add(Gauge.builder("netflow.lane.inflight.bytes", link, l -> l.inFlightBytes(p))
        .description("Bytes sent and not yet answered, by lane and destination").tags("lane", lane, "dest", dest)
        .register(registry));
    }
    add(Gauge.builder("netflow.link.inflight.bytes", link, Link::inFlightBytes)
      .description("Bytes sent and not yet answered, by destination").tag("dest", dest).register(registry));
  }

  private <T extends Meter> T add(T meter) {
    meters.add(meter);
    return meter;
  }

  void sent(Priority p) {
    sent[p.code()].increment();
  }

  void shed(Priority p) {
    shed[p.code()].increment();
  }

  void latency(Priority p, long nanos) {
    latency[p.code()].record(nanos, TimeUnit.NANOSECONDS);
  }

  void close() {
    meters.forEach(registry::remove);
  }
}
