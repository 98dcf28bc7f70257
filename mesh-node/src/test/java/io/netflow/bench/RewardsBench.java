package io.netflow.bench;

import io.netflow.rewards.RewardOptions;
import io.netflow.rewards.RewardPlanner;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Smart rewards against flat pay, on an accelerated clock (an hour-long window is one step): a
 * population of Micro Nodes whose users contribute when they play (evenings), part of whom can
 * shift part of their contributions to better-paying hours. Gameplay load follows the same daily
 * curve with noise; the node's own {@link RewardPlanner} plans each day's multipliers from the load
 * history, as a node does. Reported: peak/mean of the hourly contribution rate under each, over
 * the last week of a bounded three-week run, and their ratio (below 1: smart rewards flatten it).
 */
class RewardsBench {

  private static final int DEVICES = 20_000;
  private static final int DAYS = 21;
  private static final int MEASURED_DAYS = 7;
  /** How strongly a flexible device follows pay: its shifted share goes to hours in proportion to multiplier^k. */
  private static final double ELASTICITY = 3.0;

  private record Device(double perDay, double flexibility) {
  }

  @Test
  void smartRewardsAgainstFlatPay() throws Exception {
    JsonObject runs = new JsonObject();
    List<Double> smartPeak = new ArrayList<>();
    List<Double> flatPeak = new ArrayList<>();
    List<Double> ratio = new ArrayList<>();
    List<Double> payRatio = new ArrayList<>();
    for (int run = 1; run <= Bench.RUNS; run++) {
      Result flat = simulate(run, false);
      Result smart = simulate(run, true);
      flatPeak.add(flat.peakToMean);
      smartPeak.add(smart.peakToMean);
      ratio.add(smart.peakToMean / flat.peakToMean);
      payRatio.add(smart.meanMultiplierPaid / flat.meanMultiplierPaid);
      runs.put("run" + run, new JsonObject()
        .put("flat", new JsonObject().put("peakToMean", flat.peakToMean).put("hourly", Bench.array(flat.lastDay)))
        .put("smart", new JsonObject().put("peakToMean", smart.peakToMean).put("hourly", Bench.array(smart.lastDay))
          .put("multipliers", Bench.array(smart.lastPlan)).put("meanMultiplierPaid", smart.meanMultiplierPaid)));
    }
    Bench.save("smart-rewards", new JsonObject()
      .put("what", "peak/mean of the hourly contribution rate over the last " + MEASURED_DAYS + " of " + DAYS
        + " simulated days, " + DEVICES + " Micro Nodes: smart rewards vs flat pay (ratio below 1 is flatter)")
      .put("medianPeakToMeanSmart", Bench.median(smartPeak))
      .put("medianPeakToMeanFlat", Bench.median(flatPeak))
      .put("medianRatio", Bench.median(ratio))
      .put("medianPayPerContributionRatio", Bench.median(payRatio))
      .put("runs", runs));
  }

  private record Result(double peakToMean, List<Double> lastDay, List<Double> lastPlan, double meanMultiplierPaid) {
  }

  private static Result simulate(long seed, boolean smart) {
    Random random = new Random(seed);
    RewardOptions options = new RewardOptions().setWindowMs(3_600_000).setPeriodMs(86_400_000)
      .setMinMultiplier(1.0).setMaxMultiplier(3.0).setHistoryPeriods(7).setHorizonWindows(24);
    RewardPlanner planner = new RewardPlanner(options);
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      // Half the users cannot shift at all; the rest can shift up to 80% of what they send.
      devices.add(new Device(2 + random.nextExponential() * 4, random.nextBoolean() ? 0 : random.nextDouble() * 0.8));
    }
    NavigableMap<Long, Double> history = new TreeMap<>();
    List<Double> measured = new ArrayList<>();
    List<Double> lastDay = new ArrayList<>();
    double[] plan = new double[24];
    double paid = 0;
    double contributions = 0;
    for (int day = 0; day < DAYS; day++) {
      long first = day * 24L;
      plan = smart ? planner.plan(history, first, 24) : flat();
      double[] hourly = new double[24];
      double[] pull = new double[24];
      double pullSum = 0;
      for (int h = 0; h < 24; h++) {
        pull[h] = activity(h) * Math.pow(plan[h], ELASTICITY);
        pullSum += pull[h];
      }
      double activitySum = 0;
      for (int h = 0; h < 24; h++) {
        activitySum += activity(h);
      }
      for (Device d : devices) {
        for (int h = 0; h < 24; h++) {
          // What the user would send at hour h anyway, and the shifted share spread by pay.
          double natural = d.perDay() * activity(h) / activitySum;
          hourly[h] += natural * (1 - d.flexibility()) + d.perDay() * d.flexibility() * pull[h] / pullSum;
        }
      }
      for (int h = 0; h < 24; h++) {
        double noise = 1 + 0.05 * random.nextGaussian();
        history.put(first + h, 200 + 1_800 * activity(h) * noise);
        paid += hourly[h] * plan[h];
        contributions += hourly[h];
        if (day >= DAYS - MEASURED_DAYS) {
          measured.add(hourly[h]);
        }
      }
      lastDay = new ArrayList<>();
      for (double v : hourly) {
        lastDay.add(Math.round(v * 10) / 10.0);
      }
    }
    double mean = measured.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double peak = measured.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    List<Double> lastPlan = new ArrayList<>();
    for (double m : plan) {
      lastPlan.add(m);
    }
    return new Result(peak / mean, lastDay, lastPlan, paid / contributions);
  }

  /** How active players are at hour h (0..1): a small morning bump, a big evening peak at 21:00. */
  private static double activity(int h) {
    double evening = Math.exp(-Math.pow((h - 21) / 3.0, 2)) + Math.exp(-Math.pow((h + 3) / 3.0, 2));
    double morning = 0.3 * Math.exp(-Math.pow((h - 8) / 2.0, 2));
    return 0.08 + evening + morning;
  }

  private static double[] flat() {
    double[] m = new double[24];
    java.util.Arrays.fill(m, 1.0);
    return m;
  }
}
