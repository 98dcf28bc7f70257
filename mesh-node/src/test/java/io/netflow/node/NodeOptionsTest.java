package io.netflow.node;

import static io.netflow.testing.OptionsAssert.refuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.http.GatewayOptions;
import io.netflow.gateway.http.HttpOptions;
import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.LaneOptions;
import io.netflow.lanes.LaneOptions.Lane;
import io.netflow.membership.MembershipOptions;
import io.netflow.mesh.MeshOptions;
import io.netflow.models.ModelOptions;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.ConfigKey;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.RewardOptions;
import io.netflow.routing.RoutingOptions;
import io.netflow.scheduling.SchedulerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every options setting a config key feeds takes exactly what {@link NodeKeys} allows that key, and
 * starts at the key's default: what a node accepts at start-up, its options accept from code and JSON.
 */
class NodeOptionsTest {

  private static final Pattern RANGE = Pattern.compile("in \\[(\\S+), (\\S+)]$");

  /** A numeric setting: its key, its value in default options, and how to set it on fresh options. */
  private record Numeric(ConfigKey key, Supplier<Object> byDefault, Consumer<Object> set) {
    @Override
    public String toString() {
      return key.name();
    }
  }

  /**
   * A text or list setting: its key, its value in default options (as the key holds it), how to set it
   * on fresh options, a value the key allows, and one it refuses (and how a refusal shows it).
   */
  private record Text(ConfigKey key, Object byDefault, Consumer<Object> set, Object allowed, Object refused,
                      String shown) {
    @Override
    public String toString() {
      return key.name();
    }
  }

  static Stream<Numeric> numeric() {
    return Stream.of(gateway(), http(), membership(), mesh(), routing(), lanes(), models(), scheduling(), rewards())
      .flatMap(List::stream);
  }

  @ParameterizedTest
  @MethodSource("numeric")
  void startsAtTheKeysDefault(Numeric s) {
    assertThat(s.byDefault().get()).isEqualTo(s.key().defaultValue());
  }

  @ParameterizedTest
  @MethodSource("numeric")
  void takesExactlyTheKeysRange(Numeric s) {
    Matcher m = RANGE.matcher(s.key().allowed());
    assertThat(m.find()).as(s.key().allowed()).isTrue();
    List<Object> edges;
    List<Object> outside;
    switch (s.key().type()) {
      case INT -> {
        int min = Integer.parseInt(m.group(1));
        int max = Integer.parseInt(m.group(2));
        edges = List.of(min, max);
        outside = List.of(min - 1, max + 1);
      }
      case LONG -> {
        long min = Long.parseLong(m.group(1));
        long max = Long.parseLong(m.group(2));
        edges = List.of(min, max);
        outside = List.of(min - 1, max + 1);
      }
      default -> {
        double min = Double.parseDouble(m.group(1));
        double max = Double.parseDouble(m.group(2));
        edges = List.of(min, max);
        outside = List.of(Math.nextDown(min), Math.nextUp(max));
      }
    }
    for (Object v : edges) {
      assertThatCode(() -> s.key().convert(v, "test")).doesNotThrowAnyException();
      assertThatCode(() -> s.set().accept(v)).as("%s = %s", s.key().name(), v).doesNotThrowAnyException();
    }
    for (Object v : outside) {
      assertThatThrownBy(() -> s.key().convert(v, "test")).isInstanceOf(ConfigException.class);
      refuses(() -> s.set().accept(v), s.key().name(), String.valueOf(v));
    }
  }

  static Stream<Text> text() {
    String admin = ApiKeys.sha256Hex("root");
    String publisher = "ops=" + "A".repeat(43) + "=";
    return Stream.of(
      new Text(NodeKeys.API_KEYS, new GatewayOptions().getApiKeys(), v -> new GatewayOptions().setApiKeys(strings(v)),
        List.of(ApiKeys.entry("game", "secret", "publish:*")), List.of("game:" + admin), "'game:" + admin + "'"),
      new Text(NodeKeys.ADMIN_KEYS, new GatewayOptions().getAdminKeys(),
        v -> new GatewayOptions().setAdminKeys(strings(v)), List.of(admin), List.of(admin + "0"), "'" + admin + "0'"),
      new Text(NodeKeys.HTTP_HOST, new HttpOptions().getHost(), v -> new HttpOptions().setHost((String) v),
        "node-1.example", "_node", "'_node'"),
      new Text(NodeKeys.TLS_CERT, new HttpOptions().getTlsCertPath(),
        v -> new HttpOptions().setTls((String) v, "key.pem"), "cert.pem", "a\nb", "'a\nb'"),
      new Text(NodeKeys.TLS_KEY, new HttpOptions().getTlsKeyPath(),
        v -> new HttpOptions().setTls("cert.pem", (String) v), "key.pem", "a\nb", "'a\nb'"),
      new Text(NodeKeys.TRUSTED_KEYS, new ModelOptions().getTrustedKeys(),
        v -> new ModelOptions().setTrustedKeys(strings(v)), List.of(publisher), List.of("ops=short"), "'ops=short'"),
      new Text(NodeKeys.REWARD_TYPES, new RewardOptions().getTypes().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList()),
        v -> new RewardOptions().setTypes(strings(v)), List.of("trace=0", "frame=999999999"), List.of("Trace=10"),
        "'Trace=10'"));
  }

  @ParameterizedTest
  @MethodSource("text")
  void textStartsAtTheKeysDefault(Text s) {
    assertThat(s.byDefault()).isEqualTo(s.key().defaultValue());
  }

  @ParameterizedTest
  @MethodSource("text")
  void takesWhatTheKeyTakes(Text s) {
    assertThatCode(() -> s.key().convert(s.allowed(), "test")).doesNotThrowAnyException();
    assertThatCode(() -> s.set().accept(s.allowed())).doesNotThrowAnyException();
    assertThatThrownBy(() -> s.key().convert(s.refused(), "test")).isInstanceOf(ConfigException.class);
    refuses(() -> s.set().accept(s.refused()), s.key().name(), s.shown());
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object v) {
    return (List<String>) v;
  }

  private static <T> Numeric of(ConfigKey key, T defaults, Function<T, Object> get, Consumer<Object> set) {
    return new Numeric(key, () -> get.apply(defaults), set);
  }

  private static List<Numeric> gateway() {
    GatewayOptions d = new GatewayOptions();
    return List.of(
      of(NodeKeys.MAX_BODY, d, GatewayOptions::getMaxBodyBytes, v -> new GatewayOptions().setMaxBodyBytes((Integer) v)),
      of(NodeKeys.RATE, d, GatewayOptions::getRatePerSecond, v -> new GatewayOptions().setRatePerSecond((Long) v)),
      of(NodeKeys.RATE_BURST, d, GatewayOptions::getRateBurst, v -> new GatewayOptions().setRateBurst((Long) v)),
      of(NodeKeys.WS_FRAME, d, GatewayOptions::getWsMaxFrameBytes,
        v -> new GatewayOptions().setWsMaxFrameBytes((Integer) v)),
      of(NodeKeys.WS_QUEUE, d, GatewayOptions::getWsMaxQueuedBytes,
        v -> new GatewayOptions().setWsMaxQueuedBytes((Integer) v)),
      of(NodeKeys.WS_MAX_SUBSCRIPTIONS, d, GatewayOptions::getWsMaxSubscriptions,
        v -> new GatewayOptions().setWsMaxSubscriptions((Integer) v)),
      of(NodeKeys.DEFAULT_TIMEOUT, d, GatewayOptions::getDefaultTimeoutMs,
        v -> new GatewayOptions().setDefaultTimeoutMs((Long) v)),
      of(NodeKeys.INGRESS_BATCH_MAX, d, GatewayOptions::getIngressBatchMax,
        v -> new GatewayOptions().setIngressBatchMax((Integer) v)));
  }

  private static List<Numeric> http() {
    HttpOptions d = new HttpOptions();
    return List.of(
      of(NodeKeys.HTTP_PORT, d, HttpOptions::getPort, v -> new HttpOptions().setPort((Integer) v)),
      of(NodeKeys.HTTP_PORT_COUNT, d, HttpOptions::getPortCount, v -> new HttpOptions().setPortCount((Integer) v)),
      of(NodeKeys.WS_FRAME, d, HttpOptions::getMaxWebSocketBytes,
        v -> new HttpOptions().setMaxWebSocketBytes((Integer) v)),
      of(NodeKeys.IDLE_TIMEOUT, d, HttpOptions::getIdleTimeoutSeconds,
        v -> new HttpOptions().setIdleTimeoutSeconds((Integer) v)),
      of(NodeKeys.MAX_CONNECTIONS, d, HttpOptions::getMaxConnections,
        v -> new HttpOptions().setMaxConnections((Integer) v)));
  }

  private static List<Numeric> membership() {
    MembershipOptions d = new MembershipOptions();
    return List.of(
      of(NodeKeys.REPORT_INTERVAL, d, MembershipOptions::getReportIntervalMs,
        v -> new MembershipOptions().setReportIntervalMs((Long) v)),
      of(NodeKeys.STALE_AFTER, d, MembershipOptions::getStaleAfterMs,
        v -> new MembershipOptions().setStaleAfterMs((Long) v)));
  }

  private static List<Numeric> mesh() {
    MeshOptions d = new MeshOptions();
    return List.of(
      of(NodeKeys.MAX_PAYLOAD, d, MeshOptions::getMaxPayloadBytes, v -> new MeshOptions().setMaxPayloadBytes((Integer) v)),
      of(NodeKeys.ATTEMPT_TIMEOUT, d, MeshOptions::getAttemptTimeoutMs,
        v -> new MeshOptions().setAttemptTimeoutMs((Long) v)),
      of(NodeKeys.DEDUPE_ENTRIES, d, MeshOptions::getDedupeEntries, v -> new MeshOptions().setDedupeEntries((Integer) v)),
      of(NodeKeys.DEDUPE_TTL, d, MeshOptions::getDedupeTtlMs, v -> new MeshOptions().setDedupeTtlMs((Long) v)),
      of(NodeKeys.DEDUPE_MAX_BYTES, d, MeshOptions::getDedupeMaxBytes, v -> new MeshOptions().setDedupeMaxBytes((Long) v)),
      of(NodeKeys.MAX_TOPICS, d, MeshOptions::getMaxTopics, v -> new MeshOptions().setMaxTopics((Integer) v)),
      of(NodeKeys.SHARDS, d, MeshOptions::getShards, v -> new MeshOptions().setShards((Integer) v)),
      of(NodeKeys.MAX_REASSEMBLY, d, MeshOptions::getMaxReassemblyBytes,
        v -> new MeshOptions().setMaxReassemblyBytes((Long) v)),
      of(NodeKeys.ADMISSION_INITIAL, d, MeshOptions::getAdmissionInitialLimit,
        v -> new MeshOptions().setAdmissionInitialLimit((Integer) v)),
      of(NodeKeys.ADMISSION_MAX, d, MeshOptions::getAdmissionMaxLimit,
        v -> new MeshOptions().setAdmissionMaxLimit((Integer) v)));
  }

  private static List<Numeric> routing() {
    RoutingOptions d = new RoutingOptions();
    return List.of(
      of(NodeKeys.BALANCE_EPSILON, d, RoutingOptions::getBalanceEpsilon,
        v -> new RoutingOptions().setBalanceEpsilon((Double) v)),
      of(NodeKeys.LATENCY_DECAY, d, RoutingOptions::getLatencyDecayMs,
        v -> new RoutingOptions().setLatencyDecayMs((Long) v)),
      of(NodeKeys.SLOW_START, d, RoutingOptions::getSlowStartMs, v -> new RoutingOptions().setSlowStartMs((Long) v)),
      of(NodeKeys.REGION_SPILL_FROM, d, RoutingOptions::getRegionSpillFrom,
        v -> new RoutingOptions().setRegionSpillFrom((Double) v)),
      of(NodeKeys.REGION_MIN_HOSTS, d, RoutingOptions::getRegionMinHosts,
        v -> new RoutingOptions().setRegionMinHosts((Integer) v)),
      of(NodeKeys.REGION_SPILL_SMOOTHING, d, RoutingOptions::getRegionSpillSmoothingMs,
        v -> new RoutingOptions().setRegionSpillSmoothingMs((Long) v)));
  }

  private static List<Numeric> lanes() {
    LaneOptions d = new LaneOptions();
    Lane critical = d.lane(Priority.CRITICAL);
    List<Numeric> all = new ArrayList<>(List.of(
      of(NodeKeys.LINK_WINDOW, d, LaneOptions::getLinkWindowBytes, v -> new LaneOptions().setLinkWindowBytes((Integer) v)),
      of(NodeKeys.CHUNK_BYTES, d, LaneOptions::getChunkBytes, v -> new LaneOptions().setChunkBytes((Integer) v)),
      of(NodeKeys.CRITICAL_QUEUE, d, o -> o.lane(Priority.CRITICAL).maxQueuedBytes(), v -> new LaneOptions()
        .setLane(Priority.CRITICAL, new Lane(critical.weight(), (Long) v, critical.ceilingBytesPerSecond())))));
    all.addAll(lane(Priority.HIGH, NodeKeys.HIGH_WEIGHT, NodeKeys.HIGH_QUEUE, NodeKeys.HIGH_CEILING));
    all.addAll(lane(Priority.NORMAL, NodeKeys.NORMAL_WEIGHT, NodeKeys.NORMAL_QUEUE, NodeKeys.NORMAL_CEILING));
    all.addAll(lane(Priority.MODEL, NodeKeys.MODEL_WEIGHT, NodeKeys.MODEL_QUEUE, NodeKeys.MODEL_CEILING));
    all.addAll(lane(Priority.BULK, NodeKeys.BULK_WEIGHT, NodeKeys.BULK_QUEUE, NodeKeys.BULK_CEILING));
    return all;
  }

  /** A lane's three keys, each varied alone. */
  private static List<Numeric> lane(Priority p, ConfigKey weight, ConfigKey queue, ConfigKey ceiling) {
    LaneOptions d = new LaneOptions();
    Lane l = d.lane(p);
    return List.of(
      of(weight, d, o -> o.lane(p).weight(),
        v -> new LaneOptions().setLane(p, new Lane((Integer) v, l.maxQueuedBytes(), l.ceilingBytesPerSecond()))),
      of(queue, d, o -> o.lane(p).maxQueuedBytes(),
        v -> new LaneOptions().setLane(p, new Lane(l.weight(), (Long) v, l.ceilingBytesPerSecond()))),
      of(ceiling, d, o -> o.lane(p).ceilingBytesPerSecond(),
        v -> new LaneOptions().setLane(p, new Lane(l.weight(), l.maxQueuedBytes(), (Long) v))));
  }

  private static List<Numeric> models() {
    ModelOptions d = new ModelOptions();
    return List.of(
      of(NodeKeys.MODEL_CHUNK, d, ModelOptions::getChunkBytes, v -> new ModelOptions().setChunkBytes((Integer) v)),
      of(NodeKeys.MODEL_MAX, d, ModelOptions::getMaxBytes, v -> new ModelOptions().setMaxBytes((Long) v)),
      of(NodeKeys.MODEL_KEEP, d, ModelOptions::getKeepVersions, v -> new ModelOptions().setKeepVersions((Integer) v)),
      of(NodeKeys.MODEL_PEER_IN_FLIGHT, d, ModelOptions::getPerPeerInFlight,
        v -> new ModelOptions().setPerPeerInFlight((Integer) v)),
      of(NodeKeys.MODEL_IN_FLIGHT, d, ModelOptions::getTotalInFlight,
        v -> new ModelOptions().setTotalInFlight((Integer) v)),
      of(NodeKeys.NODE_UPLOAD, d, ModelOptions::getUploadBytesPerSecond,
        v -> new ModelOptions().setUploadBytesPerSecond((Long) v)),
      of(NodeKeys.NODE_DOWNLOAD, d, ModelOptions::getDownloadBytesPerSecond,
        v -> new ModelOptions().setDownloadBytesPerSecond((Long) v)),
      of(NodeKeys.MODEL_MIN_RATE, d, ModelOptions::getMinBytesPerSecond,
        v -> new ModelOptions().setMinBytesPerSecond((Long) v)),
      of(NodeKeys.MODEL_LATENCY_TARGET, d, ModelOptions::getCriticalLatencyTargetMicros,
        v -> new ModelOptions().setCriticalLatencyTargetMicros((Long) v)));
  }

  private static List<Numeric> scheduling() {
    SchedulerOptions d = new SchedulerOptions();
    return List.of(
      of(NodeKeys.WORK_POLL, d, SchedulerOptions::getPollIntervalMs,
        v -> new SchedulerOptions().setPollIntervalMs((Long) v)),
      of(NodeKeys.WORK_LEASE, d, SchedulerOptions::getLeaseMs, v -> new SchedulerOptions().setLeaseMs((Long) v)),
      of(NodeKeys.WORK_CONCURRENCY, d, SchedulerOptions::getMaxConcurrency,
        v -> new SchedulerOptions().setMaxConcurrency((Integer) v)),
      of(NodeKeys.WORK_MAX_COST, d, SchedulerOptions::getMaxCostInFlight,
        v -> new SchedulerOptions().setMaxCostInFlight((Double) v)),
      of(NodeKeys.WORK_ATTEMPTS, d, SchedulerOptions::getMaxAttempts,
        v -> new SchedulerOptions().setMaxAttempts((Integer) v)),
      of(NodeKeys.WORK_BACKOFF, d, SchedulerOptions::getRetryBackoffMs,
        v -> new SchedulerOptions().setRetryBackoffMs((Long) v)),
      of(NodeKeys.WORK_BACKOFF_MAX, d, SchedulerOptions::getRetryBackoffMaxMs,
        v -> new SchedulerOptions().setRetryBackoffMaxMs((Long) v)),
      of(NodeKeys.WORK_PAYLOAD, d, SchedulerOptions::getMaxPayloadBytes,
        v -> new SchedulerOptions().setMaxPayloadBytes((Integer) v)),
      of(NodeKeys.WORK_RESULT, d, SchedulerOptions::getMaxResultBytes,
        v -> new SchedulerOptions().setMaxResultBytes((Integer) v)),
      of(NodeKeys.WORK_QUEUED, d, SchedulerOptions::getMaxQueued, v -> new SchedulerOptions().setMaxQueued((Integer) v)),
      of(NodeKeys.WORK_DEADLINE, d, SchedulerOptions::getDefaultDeadlineMs,
        v -> new SchedulerOptions().setDefaultDeadlineMs((Long) v)),
      of(NodeKeys.WORK_RETENTION, d, SchedulerOptions::getRetentionMs,
        v -> new SchedulerOptions().setRetentionMs((Long) v)),
      of(NodeKeys.WORK_QUIET_FRACTION, d, SchedulerOptions::getQuietFraction,
        v -> new SchedulerOptions().setQuietFraction((Double) v)),
      of(NodeKeys.WORK_QUIET_FLOOR, d, SchedulerOptions::getQuietFloorPerSecond,
        v -> new SchedulerOptions().setQuietFloorPerSecond((Double) v)),
      of(NodeKeys.WORK_BULK_URGENCY, d, SchedulerOptions::getBulkUrgencyMs,
        v -> new SchedulerOptions().setBulkUrgencyMs((Long) v)),
      of(NodeKeys.WORK_BUSY_BULK, d, SchedulerOptions::getBusyBulkConcurrency,
        v -> new SchedulerOptions().setBusyBulkConcurrency((Integer) v)),
      of(NodeKeys.WORK_LATENCY_TARGET, d, SchedulerOptions::getLatencyTargetMicros,
        v -> new SchedulerOptions().setLatencyTargetMicros((Long) v)));
  }

  private static List<Numeric> rewards() {
    RewardOptions d = new RewardOptions();
    return List.of(
      of(NodeKeys.REWARD_WINDOW, d, RewardOptions::getWindowMs, v -> new RewardOptions().setWindowMs((Long) v)),
      of(NodeKeys.REWARD_PERIOD, d, RewardOptions::getPeriodMs, v -> new RewardOptions().setPeriodMs((Long) v)),
      of(NodeKeys.REWARD_HORIZON, d, RewardOptions::getHorizonWindows,
        v -> new RewardOptions().setHorizonWindows((Integer) v)),
      of(NodeKeys.REWARD_HISTORY, d, RewardOptions::getHistoryPeriods,
        v -> new RewardOptions().setHistoryPeriods((Integer) v)),
      of(NodeKeys.REWARD_MIN, d, RewardOptions::getMinMultiplier, v -> new RewardOptions().setMinMultiplier((Double) v)),
      of(NodeKeys.REWARD_MAX, d, RewardOptions::getMaxMultiplier, v -> new RewardOptions().setMaxMultiplier((Double) v)),
      of(NodeKeys.REWARD_MAX_BYTES, d, RewardOptions::getMaxBytes, v -> new RewardOptions().setMaxBytes((Long) v)),
      of(NodeKeys.REWARD_RATE, d, RewardOptions::getRatePerMinute, v -> new RewardOptions().setRatePerMinute((Long) v)));
  }
}
