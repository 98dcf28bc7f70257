package io.netflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netflow.client.schedule.Carrier;
import io.netflow.client.schedule.Conditions;
import io.netflow.client.schedule.DataRequest;
import io.netflow.client.schedule.DeviceScheduler;
import io.netflow.client.schedule.MemoryRequestStore;
import io.netflow.client.schedule.RequestClass;
import io.netflow.client.schedule.RewardSchedule;
import io.netflow.client.schedule.SchedulerOptions;
import io.netflow.rewards.RewardOptions;
import io.netflow.rewards.RewardPlanner;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Micro Nodes scheduling their own contributions: {@code bench.devices.count} (10,000) simulated
 * devices, each running the real client scheduler ({@link DeviceScheduler}, in-memory store) on a
 * virtual clock over 14 days, against the node's own {@link RewardPlanner} planning 15-minute
 * windows from the mesh's load as a node does. Reported over the last 7 days: the peak/mean of the
 * hourly contributions arriving at the mesh, the share done by their deadline, and points per
 * device a day; baselines in the same run: every app sending at once, and the scheduler with flat
 * pay (the mesh pays the same in every window, so only the device's own conditions move it).
 *
 * <p>The model, stated: players play when the mesh is busy (the gameplay curve of
 * {@code RewardsBench}: a small morning bump, a big evening peak at 21:00), 0 to 3 sessions a day of
 * 20 to 60 minutes, their starts drawn from that curve. Each session's end makes a gameplay trace
 * (NORMAL, 200 KB, 10 points, due in 24 h), with probability 0.3 a telemetry summary (REALTIME, 2
 * points) and with probability 0.25 a batch of labelled frames (BULK, 20 MB, 20 points, due in
 * 48 h). 85% of devices have Wi-Fi at home (unmetered from about 18:00 to 08:00, each device its
 * own hours), the rest only mobile data; 80% charge at night (about 23:00 to 07:00), the rest two
 * hours at a random time of day; the battery runs down 5% an hour off the charger; a device is idle
 * when not in a session. The scheduler looks at the device every 15 minutes (and when something is
 * due). The mesh's load is the gameplay curve with 5% noise; contributions are not part of it (the
 * node measures interactive requests).
 */
class DeviceSchedulingBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEVICES = Integer.getInteger("bench.devices.count", 10_000);
  private static final int DAYS = 14;
  private static final int MEASURED_DAYS = 7;
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final long WINDOW = 15 * MINUTE;
  /** The simulation's day 0 (a whole number of days since the epoch). */
  private static final long T0 = 20_000 * DAY;

  private enum Mode { AT_ONCE, FLAT_PAY, PLANNER }

  private record Result(double peakToMean, double byDeadline, double pointsPerDeviceDay, double meanMultiplier,
                        long contributions, List<Long> lastDayHourly, List<Double> lastDayPay) {
  }

  @Test
  void devicesSchedulingTheirOwnContributionsAgainstSendingAtOnce() throws Exception {
    JsonObject runs = new JsonObject();
    List<Double> atOnce = new ArrayList<>();
    List<Double> flat = new ArrayList<>();
    List<Double> planner = new ArrayList<>();
    List<Double> ratio = new ArrayList<>();
    List<Double> flatRatio = new ArrayList<>();
    List<Double> byDeadline = new ArrayList<>();
    List<Double> points = new ArrayList<>();
    List<Double> pointsAtOnce = new ArrayList<>();
    for (int run = 1; run <= Bench.RUNS; run++) {
      JsonObject r = new JsonObject();
      Result once = simulate(run, Mode.AT_ONCE);
      Result flatPay = simulate(run, Mode.FLAT_PAY);
      Result smart = simulate(run, Mode.PLANNER);
      atOnce.add(once.peakToMean());
      flat.add(flatPay.peakToMean());
      planner.add(smart.peakToMean());
      ratio.add(smart.peakToMean() / once.peakToMean());
      flatRatio.add(flatPay.peakToMean() / once.peakToMean());
      byDeadline.add(smart.byDeadline());
      points.add(smart.pointsPerDeviceDay());
      pointsAtOnce.add(once.pointsPerDeviceDay());
      for (var e : Map.of("atOnce", once, "flatPay", flatPay, "planner", smart).entrySet()) {
        Result x = e.getValue();
        r.put(e.getKey(), new JsonObject().put("peakToMean", x.peakToMean()).put("byDeadline", x.byDeadline())
          .put("pointsPerDeviceDay", x.pointsPerDeviceDay()).put("meanMultiplier", x.meanMultiplier())
          .put("contributions", x.contributions()).put("lastDayHourly", Bench.array(x.lastDayHourly()))
          .put("lastDayPay", Bench.array(x.lastDayPay())));
      }
      runs.put("run" + run, r);
      System.out.printf("[bench] run %d: peak/mean at once %s, flat pay %s, planner %s (ratio %s); by deadline %s; "
          + "points/device/day %s vs %s at once%n", run, Bench.fmt(once.peakToMean()), Bench.fmt(flatPay.peakToMean()),
        Bench.fmt(smart.peakToMean()), Bench.fmt(ratio.get(ratio.size() - 1)), Bench.fmt(smart.byDeadline()),
        Bench.fmt(smart.pointsPerDeviceDay()), Bench.fmt(once.pointsPerDeviceDay()));
    }
    Bench.save("device-scheduling", new JsonObject()
      .put("what", "peak/mean of hourly contributions arriving at the mesh over the last " + MEASURED_DAYS + " of " + DAYS
        + " simulated days, " + DEVICES + " devices running the client scheduler against the node's reward planner; "
        + "baselines: every app sending at once, and the scheduler with flat pay")
      .put("devices", DEVICES)
      .put("medianPeakToMeanAtOnce", Bench.median(atOnce))
      .put("medianPeakToMeanFlatPay", Bench.median(flat))
      .put("medianPeakToMeanPlanner", Bench.median(planner))
      .put("medianRatioPlannerToAtOnce", Bench.median(ratio))
      .put("medianRatioFlatPayToAtOnce", Bench.median(flatRatio))
      .put("medianShareByDeadline", Bench.median(byDeadline))
      .put("medianPointsPerDeviceDay", Bench.median(points))
      .put("medianPointsPerDeviceDayAtOnce", Bench.median(pointsAtOnce))
      .put("runs", runs));
  }

  /** One device's habits, drawn once. */
  private record Habits(boolean homeWifi, long leaveHome, long comeHome, boolean nightCharger, long plugIn, long unplug) {
  }

  /** The simulation of one mode: every device, every session, every scheduler tick, in time order. */
  private static Result simulate(long seed, Mode mode) {
    Random random = new Random(seed);
    long[] now = {T0};
    InstantSource clock = () -> Instant.ofEpochMilli(now[0]);
    RewardOptions rewardOptions = new RewardOptions().setWindowMs(WINDOW).setPeriodMs(DAY).setMinMultiplier(1.0)
      .setMaxMultiplier(3.0).setHistoryPeriods(7).setHorizonWindows(16);
    RewardPlanner rewardPlanner = new RewardPlanner(rewardOptions);
    NavigableMap<Long, Double> history = new TreeMap<>();
    NavigableMap<Long, Double> published = new TreeMap<>();
    RewardSchedule[] current = new RewardSchedule[1];

    long measuredFrom = T0 + (DAYS - MEASURED_DAYS) * DAY;
    long end = T0 + DAYS * DAY;
    long[] hourly = new long[DAYS * 24];
    double[] earned = {0};
    double[] multiplierSum = {0};
    long[] counted = {0};
    long[] due = {0};
    long[] dueOnTime = {0};

    Habits[] habits = new Habits[DEVICES];
    boolean[] inSession = new boolean[DEVICES];
    DeviceScheduler[] schedulers = new DeviceScheduler[DEVICES];
    // Events: {time, device, kind}; kind 0 session start, 1 session end, 2 scheduler tick.
    PriorityQueue<long[]> events = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    double[] cdf = activityCdf();

    Carrier mesh = r -> {
      long t = now[0];
      double m = mode == Mode.FLAT_PAY ? 1.0 : published.getOrDefault(t / WINDOW, 1.0);
      if (t >= measuredFrom) {
        hourly[(int) ((t - T0) / HOUR)]++;
        earned[0] += r.value() * m;
        multiplierSum[0] += m;
        counted[0]++;
        if (r.deadline().toEpochMilli() < end) {
          due[0]++;
          dueOnTime[0] += t <= r.deadline().toEpochMilli() ? 1 : 0;
        }
      }
      return new Carrier.Done(JSON.createObjectNode());
    };

    SchedulerOptions options = SchedulerOptions.defaults().tick(Duration.ofMinutes(15));
    for (int d = 0; d < DEVICES; d++) {
      boolean wifi = random.nextDouble() < 0.85;
      boolean night = random.nextDouble() < 0.8;
      long plugIn = night ? 23 * HOUR + (long) (random.nextGaussian() * 1.5 * HOUR) : (long) (random.nextDouble() * 22 * HOUR);
      long unplug = night ? 7 * HOUR + (long) (random.nextGaussian() * HOUR) : plugIn + 2 * HOUR;
      habits[d] = new Habits(wifi, 8 * HOUR + (long) (random.nextGaussian() * HOUR),
        18 * HOUR + (long) (random.nextGaussian() * 1.5 * HOUR), night, Math.floorMod(plugIn, DAY), Math.floorMod(unplug, DAY));
      int device = d;
      if (mode != Mode.AT_ONCE) {
        schedulers[d] = new DeviceScheduler(options, new MemoryRequestStore(10_000, 1L << 40, 16),
          () -> mode == Mode.FLAT_PAY ? RewardSchedule.flat(WINDOW, DAY, 1.0) : current[0],
          () -> conditions(habits[device], inSession[device], now[0]), Map.of("contribution", mesh), clock, seed * 1_000_003 + d);
        events.add(new long[] {T0 + (long) (random.nextDouble() * options.tick().toMillis()), d, 2});
      }
      for (int day = 0; day < DAYS; day++) {
        int sessions = random.nextDouble() < 0.15 ? 0 : 1 + random.nextInt(3) / 2 + (random.nextDouble() < 0.2 ? 1 : 0);
        for (int s = 0; s < sessions; s++) {
          long start = T0 + day * DAY + drawFrom(cdf, random);
          long length = 20 * MINUTE + (long) (random.nextDouble() * 40 * MINUTE);
          events.add(new long[] {start, d, 0});
          events.add(new long[] {start + length, d, 1});
        }
      }
    }

    long nextWindow = T0;
    long[] seq = {0};
    while (!events.isEmpty() && events.peek()[0] < end) {
      long[] e = events.poll();
      while (nextWindow <= e[0]) {
        // The mesh's side, each window: record the last window's load, plan what is not planned yet.
        now[0] = nextWindow;
        long w = nextWindow / WINDOW;
        history.put(w - 1, 200 + 1_800 * activity((nextWindow - WINDOW) % DAY) * (1 + 0.05 * random.nextGaussian()));
        double[] plan = rewardPlanner.plan(history, w, 16);
        for (int i = 0; i < plan.length; i++) {
          published.putIfAbsent(w + i, plan[i]);
        }
        current[0] = new RewardSchedule(WINDOW, DAY, 1.0, 3.0, published.subMap(w, true, w + 16, false));
        history.headMap(w - 8 * 96).clear();
        nextWindow += WINDOW;
      }
      now[0] = e[0];
      int d = (int) e[1];
      switch ((int) e[2]) {
        case 0 -> inSession[d] = true;
        case 1 -> {
          inSession[d] = false;
          for (DataRequest r : madeBy(d, seq, random, now[0])) {
            if (mode == Mode.AT_ONCE) {
              mesh.carry(r);
            } else {
              schedulers[d].submit(r);
            }
          }
          if (mode != Mode.AT_ONCE) {
            events.add(new long[] {now[0], d, 2});
          }
        }
        default -> {
          Instant next = schedulers[d].tick();
          events.add(new long[] {Math.max(now[0] + 1, next.toEpochMilli()), d, 2});
        }
      }
    }
    long[] measured = java.util.Arrays.copyOfRange(hourly, (DAYS - MEASURED_DAYS) * 24, DAYS * 24);
    double mean = java.util.Arrays.stream(measured).average().orElse(0);
    double peak = java.util.Arrays.stream(measured).max().orElse(0);
    List<Long> lastDay = new ArrayList<>();
    List<Double> lastPay = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      lastDay.add(hourly[(DAYS - 1) * 24 + h]);
      lastPay.add(published.getOrDefault((end - DAY + h * HOUR) / WINDOW, 1.0));
    }
    return new Result(peak / mean, due[0] == 0 ? 1 : (double) dueOnTime[0] / due[0],
      earned[0] / DEVICES / MEASURED_DAYS, multiplierSum[0] / Math.max(1, counted[0]), counted[0], lastDay, lastPay);
  }

  /** What a session's end makes: a trace, sometimes a telemetry summary and a batch of labelled frames. */
  private static List<DataRequest> madeBy(int device, long[] seq, Random random, long t) {
    Instant now = Instant.ofEpochMilli(t);
    List<DataRequest> made = new ArrayList<>(3);
    made.add(new DataRequest("d" + device + "-" + seq[0]++, "contribution", RequestClass.NORMAL, now.plusMillis(DAY),
      200_000, 10, now, null));
    if (random.nextDouble() < 0.3) {
      made.add(new DataRequest("d" + device + "-" + seq[0]++, "contribution", RequestClass.REALTIME, now.plusMillis(HOUR),
        2_000, 2, now, null));
    }
    if (random.nextDouble() < 0.25) {
      made.add(new DataRequest("d" + device + "-" + seq[0]++, "contribution", RequestClass.BULK, now.plusMillis(2 * DAY),
        20_000_000, 20, now, null));
    }
    return made;
  }

  private static Conditions conditions(Habits h, boolean playing, long t) {
    long tod = Math.floorMod(t, DAY);
    boolean home = h.homeWifi() && !between(tod, h.leaveHome(), h.comeHome());
    boolean charging = between(tod, h.plugIn(), h.unplug());
    long sinceUnplug = Math.floorMod(tod - h.unplug(), DAY);
    double battery = charging ? 1.0 : Math.max(0.05, 1.0 - 0.05 * sinceUnplug / (double) HOUR);
    return new Conditions(true, home, charging, !playing, battery, Long.MAX_VALUE);
  }

  /** Whether a time of day is in [from, to), across midnight when to is before from. */
  private static boolean between(long tod, long from, long to) {
    return from <= to ? tod >= from && tod < to : tod >= from || tod < to;
  }

  /** How active players are at a time of day (0..1): the curve of RewardsBench, by the minute. */
  static double activity(long timeOfDayMs) {
    double h = timeOfDayMs / (double) HOUR;
    double evening = Math.exp(-Math.pow((h - 21) / 3.0, 2)) + Math.exp(-Math.pow((h + 3) / 3.0, 2));
    double morning = 0.3 * Math.exp(-Math.pow((h - 8) / 2.0, 2));
    return 0.08 + evening + morning;
  }

  private static double[] activityCdf() {
    double[] cdf = new double[24 * 60];
    double sum = 0;
    for (int m = 0; m < cdf.length; m++) {
      sum += activity(m * MINUTE);
      cdf[m] = sum;
    }
    for (int m = 0; m < cdf.length; m++) {
      cdf[m] /= sum;
    }
    return cdf;
  }

  /** A time of day drawn from the activity curve, to the minute. */
  private static long drawFrom(double[] cdf, Random random) {
    double u = random.nextDouble();
    int i = java.util.Arrays.binarySearch(cdf, u);
    int minute = i >= 0 ? i : -i - 1;
    return Math.min(cdf.length - 1, minute) * MINUTE + (long) (random.nextDouble() * MINUTE);
  }
}
