package io.netflow.client.schedule;

import java.io.IOException;

/** Where the scheduler reads the pay from: the mesh ({@link HttpRewardSource}), or a simulation's planner. */
@FunctionalInterface
public interface RewardSource {
  RewardSchedule fetch() throws IOException;
}
