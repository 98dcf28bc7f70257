package io.netflow.load;

import io.netflow.gateway.protocol.Envelope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node's data plane reports of itself: the services it hosts, how many topics it subscribes
 * to, its admission state and its lanes. Which topics travels apart, as deltas
 * ({@code io.netflow.mesh.impl.InterestSync}): a report stays small however many topics there are.
 *
 * @param services         the services it hosts, all of them (a node hosts {@link #MAX_NAMES} at most)
 * @param topics           how many topics it subscribes to
 * @param inFlight         requests its services are handling now
 * @param concurrencyLimit how many its adaptive admission lets in at once now
 * @param overloaded       whether admission has turned requests away in the last report interval
 * @param lanes            per-lane figures for display ({@code {"BULK": {"queuedBytes": ..}, ..}})
 * @param links            bytes sent so far to each peer, per lane ({@code {"<node id>": {"BULK": n, ..}}})
 * @param deviceAllowed    bytes per second it lets devices download now (its budget, less while players need the links)
 * @param deviceRate       bytes per second devices downloaded from it over the last second or so
 */
public record TrafficLoad(List<String> services, int topics, int inFlight, int concurrencyLimit,
                          boolean overloaded, JsonObject lanes, JsonObject links, double deviceAllowed, double deviceRate) {

  /** The most peers a report lists link figures for; more are dropped. */
  public static final int MAX_LINKS = 1024;

  /** The most services a node hosts, and so a report lists; a node refuses to host more (LIMIT_REACHED). */
  public static final int MAX_NAMES = 256;

  /** A node with no data plane (yet). */
  public static final TrafficLoad NONE = new TrafficLoad(List.of(), 0, 0, 1, false, new JsonObject(),
    new JsonObject());

  public TrafficLoad {
    services = List.copyOf(services);
  }

  /** A report without device downloads (a node that serves no model file to devices). */
  public TrafficLoad(List<String> services, int topics, int inFlight, int concurrencyLimit, boolean overloaded,
                     JsonObject lanes, JsonObject links) {
    this(services, topics, inFlight, concurrencyLimit, overloaded, lanes, links, 0, 0);
  }

  /** This report with the node's device-download figures. */
  public TrafficLoad withDevices(double allowed, double rate) {
    return new TrafficLoad(services, topics, inFlight, concurrencyLimit, overloaded, lanes, links, allowed, rate);
  }

  /** Device download budget left now, bytes per second (never negative). */
  public double deviceRoom() {
    return Math.max(0, deviceAllowed - deviceRate);
  }

  /** In-flight work over the admission limit, in [0, 1]. */
  public double utilisation() {
    return Math.min(1.0, inFlight / (double) Math.max(1, concurrencyLimit));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("services", new JsonArray(services))
      .put("topics", topics)
      .put("inFlight", inFlight)
      .put("concurrencyLimit", concurrencyLimit)
      .put("overloaded", overloaded)
      .put("deviceAllowed", deviceAllowed)
      .put("deviceRate", deviceRate)
      .put("lanes", lanes)
      .put("links", links);
  }

  /** Reads a peer's traffic report: names must be valid service names, numbers in range. */
  public static TrafficLoad fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    JsonObject lanes = figures(json.getJsonObject("lanes", new JsonObject()), 16, 64);
    JsonObject links = figures(json.getJsonObject("links", new JsonObject()), 64, MAX_LINKS);
    return new TrafficLoad(names(json.getJsonArray("services")), json.getValue("topics") instanceof Number n
      ? (int) Math.max(0, Math.min(Integer.MAX_VALUE, n.longValue())) : 0,
      Math.max(0, json.getInteger("inFlight", 0)), Math.max(1, json.getInteger("concurrencyLimit", 1)),
      json.getBoolean("overloaded", false), lanes, links, rate(json, "deviceAllowed"), rate(json, "deviceRate"));
  }

  private static double rate(JsonObject json, String field) {
    Object v = json.getValue(field);
    return v instanceof Number n && Double.isFinite(n.doubleValue()) ? Math.max(0, Math.min(1e15, n.doubleValue())) : 0;
  }

  /** Keeps {@code {name: {figure: number}}} entries with short names and non-negative numbers only. */
  private static JsonObject figures(JsonObject raw, int maxNameLength, int maxEntries) {
    JsonObject clean = new JsonObject();
    for (String name : raw.fieldNames()) {
      if (clean.size() < maxEntries && name.length() <= maxNameLength && raw.getValue(name) instanceof JsonObject figures) {
        JsonObject kept = new JsonObject();
        figures.forEach(f -> {
          if (f.getValue() instanceof Number n && f.getKey().length() <= 32) {
            kept.put(f.getKey(), Math.max(0, n.doubleValue()));
          }
        });
        clean.put(name, kept);
      }
    }
    return clean;
  }

  private static List<String> names(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        if (out.size() < MAX_NAMES && o instanceof String s && Envelope.NAME.matcher(s).matches()) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
