package io.netflow.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The binary form of an {@link Envelope} on the event bus, registered under the stable name
 * {@value #NAME}. Within one node the envelope is passed as is (it is immutable).
 *
 * <pre>
 * byte    version (1)
 * byte    priority code
 * byte    flags: 1 = service (else topic), 2 = has key, 4 = has origin
 * long    deadline, epoch ms
 * string  id, target, [key], [origin]      (string = unsigned short length + UTF-8)
 * ushort  header count, then key and value strings
 * int     payload length, then the payload bytes
 * </pre>
 */
public final class EnvelopeCodec extends ImmutableCodec<Envelope> {

  /** The codec's registered name: part of the protocol, never changed. */
  public static final String NAME = "netflow.envelope";
  private static final byte VERSION = 1;
  private static final int SERVICE = 1;
  private static final int HAS_KEY = 2;
  private static final int HAS_ORIGIN = 4;

  public EnvelopeCodec() {
    super(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, Envelope e) {
    int flags = (e.service() != null ? SERVICE : 0) | (e.key() != null ? HAS_KEY : 0) | (e.origin() != null ? HAS_ORIGIN : 0);
    buffer.appendByte(VERSION).appendByte((byte) e.priority().code()).appendByte((byte) flags)
      .appendLong(e.deadlineMillis());
    appendString(buffer, e.id());
    appendString(buffer, e.target());
    if (e.key() != null) {
      appendString(buffer, e.key());
    }
    if (e.origin() != null) {
      appendString(buffer, e.origin());
    }
    buffer.appendUnsignedShort(e.headers().size());
    e.headers().forEach((k, v) -> {
      appendString(buffer, k);
      appendString(buffer, v);
    });
    buffer.appendInt(e.payload().length()).appendBuffer(e.payload());
  }

  /**
   * Reads an envelope a peer sent.
   *
   * @throws MeshException MALFORMED (or UNKNOWN_PRIORITY) for a truncated or corrupt one
   */
  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    try {
      return decode(pos, buffer);
    } catch (IndexOutOfBoundsException | IllegalArgumentException | NullPointerException e) {
      // Found by ProtocolFuzzTest: a short or garbled frame must be a coded refusal, not a crash.
      throw new MeshException(ErrorCode.MALFORMED, "truncated or corrupt envelope: " + e.getClass().getSimpleName());
    }
  }

  private static Envelope decode(int pos, Buffer buffer) {
    byte version = buffer.getByte(pos);
    if (version != VERSION) {
      throw new MeshException(ErrorCode.MALFORMED, "envelope wire version " + version + " is not supported");
    }
    Priority priority = Priority.forCode(buffer.getByte(pos + 1));
    int flags = buffer.getByte(pos + 2);
    long deadline = buffer.getLong(pos + 3);
    int[] at = {pos + 11};
    String id = readString(buffer, at);
    String target = readString(buffer, at);
    String key = (flags & HAS_KEY) != 0 ? readString(buffer, at) : null;
    String origin = (flags & HAS_ORIGIN) != 0 ? readString(buffer, at) : null;
    int headerCount = buffer.getUnsignedShort(at[0]);
    at[0] += 2;
    Map<String, String> headers = new HashMap<>();
    for (int i = 0; i < headerCount; i++) {
      headers.put(readString(buffer, at), readString(buffer, at));
    }
    int length = buffer.getInt(at[0]);
    Buffer payload = buffer.getBuffer(at[0] + 4, at[0] + 4 + length);
    boolean service = (flags & SERVICE) != 0;
    return new Envelope(id, service ? target : null, service ? null : target, key, priority, deadline, origin,
      headers, payload);
  }

  private static void appendString(Buffer buffer, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new MeshException(ErrorCode.TOO_LARGE, "string field of " + bytes.length + " bytes");
    }
    buffer.appendUnsignedShort(bytes.length).appendBytes(bytes);
  }

  private static String readString(Buffer buffer, int[] at) {
    int length = buffer.getUnsignedShort(at[0]);
    String s = buffer.getString(at[0] + 2, at[0] + 2 + length, StandardCharsets.UTF_8.name());
    at[0] += 2 + length;
    return s;
  }
}
