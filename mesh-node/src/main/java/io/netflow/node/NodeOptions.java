package io.netflow.node;

import io.netflow.gateway.http.GatewayOptions;
import io.netflow.gateway.http.HttpOptions;
import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.LaneOptions;
import io.netflow.mesh.MeshOptions;
import io.netflow.models.DeviceOptions;
import io.netflow.models.ModelOptions;
import io.netflow.node.config.ConfigKey;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.RewardOptions;
import io.netflow.routing.RoutingOptions;
import io.netflow.scheduling.SchedulerOptions;

/** Each part's slice of the node's config, as the options object that part takes. */
final class NodeOptions {

  private NodeOptions() {
  }

  static MeshOptions mesh(NodeConfig config) {
    return new MeshOptions()
      .setMaxPayloadBytes(config.getInt(NodeKeys.MAX_PAYLOAD))
      .setAttemptTimeoutMs(config.getLong(NodeKeys.ATTEMPT_TIMEOUT))
      .setSuspectAfterMs(config.getLong(NodeKeys.SUSPECT_AFTER))
      .setDedupeEntries(config.getInt(NodeKeys.DEDUPE_ENTRIES))
      .setDedupeTtlMs(config.getLong(NodeKeys.DEDUPE_TTL))
      .setDedupeMaxBytes(config.getLong(NodeKeys.DEDUPE_MAX_BYTES))
      .setMaxTopics(config.getInt(NodeKeys.MAX_TOPICS))
      .setShards(config.getInt(NodeKeys.SHARDS))
      .setMaxReassemblyBytes(config.getLong(NodeKeys.MAX_REASSEMBLY))
      .setAdmissionInitialLimit(config.getInt(NodeKeys.ADMISSION_INITIAL))
      .setAdmissionMaxLimit(config.getInt(NodeKeys.ADMISSION_MAX));
  }

  static RoutingOptions routing(NodeConfig config) {
    return new RoutingOptions()
      .setBalanceEpsilon(config.getDouble(NodeKeys.BALANCE_EPSILON))
      .setLatencyDecayMs(config.getLong(NodeKeys.LATENCY_DECAY))
      .setSlowStartMs(config.getLong(NodeKeys.SLOW_START))
      .setRegionAware(config.getString(NodeKeys.REGION_LOCALITY).equals("region"))
      .setRegionSpillFrom(config.getDouble(NodeKeys.REGION_SPILL_FROM))
      .setRegionMinHosts(config.getInt(NodeKeys.REGION_MIN_HOSTS))
      .setRegionSpillSmoothingMs(config.getLong(NodeKeys.REGION_SPILL_SMOOTHING));
  }

  static LaneOptions lanes(NodeConfig config) {
    return new LaneOptions()
      .setLinkWindowBytes(config.getInt(NodeKeys.LINK_WINDOW))
      .setChunkBytes(config.getInt(NodeKeys.CHUNK_BYTES))
      .setLane(Priority.CRITICAL, new LaneOptions.Lane(1, config.getLong(NodeKeys.CRITICAL_QUEUE), 0))
      .setLane(Priority.HIGH, lane(config, NodeKeys.HIGH_WEIGHT, NodeKeys.HIGH_QUEUE, NodeKeys.HIGH_CEILING))
      .setLane(Priority.NORMAL, lane(config, NodeKeys.NORMAL_WEIGHT, NodeKeys.NORMAL_QUEUE, NodeKeys.NORMAL_CEILING))
      .setLane(Priority.MODEL, lane(config, NodeKeys.MODEL_WEIGHT, NodeKeys.MODEL_QUEUE, NodeKeys.MODEL_CEILING))
      .setLane(Priority.BULK, lane(config, NodeKeys.BULK_WEIGHT, NodeKeys.BULK_QUEUE, NodeKeys.BULK_CEILING));
  }

  static ModelOptions models(NodeConfig config) {
    return new ModelOptions()
      .setTrustedKeys(config.getList(NodeKeys.TRUSTED_KEYS))
      .setChunkBytes(config.getInt(NodeKeys.MODEL_CHUNK))
      .setMaxBytes(config.getLong(NodeKeys.MODEL_MAX))
      .setKeepVersions(config.getInt(NodeKeys.MODEL_KEEP))
      .setPerPeerInFlight(config.getInt(NodeKeys.MODEL_PEER_IN_FLIGHT))
      .setTotalInFlight(config.getInt(NodeKeys.MODEL_IN_FLIGHT))
      .setUploadBytesPerSecond(config.getLong(NodeKeys.NODE_UPLOAD))
      .setDownloadBytesPerSecond(config.getLong(NodeKeys.NODE_DOWNLOAD))
      .setMinBytesPerSecond(config.getLong(NodeKeys.MODEL_MIN_RATE))
      .setCriticalLatencyTargetMicros(config.getLong(NodeKeys.MODEL_LATENCY_TARGET));
  }

  static DeviceOptions devices(NodeConfig config) {
    return new DeviceOptions()
      .setWaves(config.getList(NodeKeys.DEVICE_WAVES).stream().map(Integer::parseInt).toList())
      .setWaveMs(config.getLong(NodeKeys.DEVICE_WAVE_MS))
      .setSources(config.getInt(NodeKeys.DEVICE_SOURCES))
      .setRangeBytes(config.getInt(NodeKeys.DEVICE_RANGE))
      .setQueueMs(config.getLong(NodeKeys.DEVICE_QUEUE_MS))
      .setEgressBytesPerSecond(config.getLong(NodeKeys.DEVICE_EGRESS));
  }

  static SchedulerOptions scheduling(NodeConfig config) {
    return new SchedulerOptions()
      .setPollIntervalMs(config.getLong(NodeKeys.WORK_POLL))
      .setLeaseMs(config.getLong(NodeKeys.WORK_LEASE))
      .setMaxConcurrency(config.getInt(NodeKeys.WORK_CONCURRENCY))
      .setMaxCostInFlight(config.getDouble(NodeKeys.WORK_MAX_COST))
      .setMaxAttempts(config.getInt(NodeKeys.WORK_ATTEMPTS))
      .setRetryBackoffMs(config.getLong(NodeKeys.WORK_BACKOFF))
      .setRetryBackoffMaxMs(config.getLong(NodeKeys.WORK_BACKOFF_MAX))
      .setMaxPayloadBytes(config.getInt(NodeKeys.WORK_PAYLOAD))
      .setMaxResultBytes(config.getInt(NodeKeys.WORK_RESULT))
      .setMaxQueued(config.getInt(NodeKeys.WORK_QUEUED))
      .setDefaultDeadlineMs(config.getLong(NodeKeys.WORK_DEADLINE))
      .setRetentionMs(config.getLong(NodeKeys.WORK_RETENTION))
      .setQuietFraction(config.getDouble(NodeKeys.WORK_QUIET_FRACTION))
      .setQuietFloorPerSecond(config.getDouble(NodeKeys.WORK_QUIET_FLOOR))
      .setBulkUrgencyMs(config.getLong(NodeKeys.WORK_BULK_URGENCY))
      .setBusyBulkConcurrency(config.getInt(NodeKeys.WORK_BUSY_BULK))
      .setLatencyTargetMicros(config.getLong(NodeKeys.WORK_LATENCY_TARGET));
  }

  static RewardOptions rewards(NodeConfig config) {
    return new RewardOptions()
      .setWindowMs(config.getLong(NodeKeys.REWARD_WINDOW))
      .setPeriodMs(config.getLong(NodeKeys.REWARD_PERIOD))
      .setHorizonWindows(config.getInt(NodeKeys.REWARD_HORIZON))
      .setHistoryPeriods(config.getInt(NodeKeys.REWARD_HISTORY))
      .setMinMultiplier(config.getDouble(NodeKeys.REWARD_MIN))
      .setMaxMultiplier(config.getDouble(NodeKeys.REWARD_MAX))
      .setMaxBytes(config.getLong(NodeKeys.REWARD_MAX_BYTES))
      .setRatePerMinute(config.getLong(NodeKeys.REWARD_RATE))
      .setTypes(config.getList(NodeKeys.REWARD_TYPES));
  }

  static HttpOptions http(NodeConfig config) {
    return new HttpOptions()
      .setHost(config.getString(NodeKeys.HTTP_HOST))
      .setPort(config.getInt(NodeKeys.HTTP_PORT))
      .setPortCount(config.getInt(NodeKeys.HTTP_PORT_COUNT))
      .setTls(config.getString(NodeKeys.TLS_CERT), config.getString(NodeKeys.TLS_KEY))
      .setMaxWebSocketBytes(config.getInt(NodeKeys.WS_FRAME))
      .setWebSocketCompression(config.getString(NodeKeys.WS_COMPRESSION).equals("deflate"))
      .setIdleTimeoutSeconds(config.getInt(NodeKeys.IDLE_TIMEOUT))
      .setMaxConnections(config.getInt(NodeKeys.MAX_CONNECTIONS))
      .setInstances(config.getInt(NodeKeys.HTTP_INSTANCES))
      .setCorsOrigins(config.getList(NodeKeys.CORS_ORIGINS));
  }

  static GatewayOptions gateway(NodeConfig config) {
    return new GatewayOptions()
      .setApiKeys(config.getList(NodeKeys.API_KEYS))
      .setAdminKeys(config.getList(NodeKeys.ADMIN_KEYS))
      .setMaxBodyBytes(config.getInt(NodeKeys.MAX_BODY))
      .setRatePerSecond(config.getLong(NodeKeys.RATE))
      .setRateBurst(config.getLong(NodeKeys.RATE_BURST))
      .setWsMaxQueuedBytes(config.getInt(NodeKeys.WS_QUEUE))
      .setWsMaxSubscriptions(config.getInt(NodeKeys.WS_MAX_SUBSCRIPTIONS))
      .setDefaultTimeoutMs(config.getLong(NodeKeys.DEFAULT_TIMEOUT))
      .setIngressBatchMax(config.getInt(NodeKeys.INGRESS_BATCH_MAX));
  }

  private static LaneOptions.Lane lane(NodeConfig config, ConfigKey weight, ConfigKey queue, ConfigKey ceiling) {
    return new LaneOptions.Lane(config.getInt(weight), config.getLong(queue), config.getLong(ceiling));
  }
}
