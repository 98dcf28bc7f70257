package io.netflow.rewards;

/**
 * The event-bus addresses of smart rewards: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class RewardAddresses {

  /** Published: the reward multipliers planned for coming windows ({@code {"windows": [...]}}). */
  public static final String REWARDS_SCHEDULE = "netflow.rewards.schedule";

  /** Published: a contribution was credited (the ledger record); every node journals it. */
  public static final String REWARDS_CREDITED = "netflow.rewards.credited";

  private RewardAddresses() {
  }
}
