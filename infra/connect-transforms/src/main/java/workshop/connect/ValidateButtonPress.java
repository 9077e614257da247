package workshop.connect;

import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Lets through only button presses PostgreSQL will store; throws a DataException for any other record.
 *
 * <p>Why: Connect's error handling ({@code errors.tolerance=all} + a dead-letter topic) covers the converter and the
 * transforms, but not the sink's own write. A record that decodes and that PostgreSQL then refuses (a session_id that
 * is not a UUID, a negative count, a record of another schema) fails the JDBC sink's put() and stops its task. Thrown
 * here, the same failure is a tolerated TRANSFORMATION error: the record goes to the dead-letter topic with
 * {@code __connect.errors.*} headers naming the field and the rule, and the task carries on.
 *
 * <p>The rules are the event's (shared/src/event.ts and step 04's schema, the one source): every field with its type,
 * session_id a UUID, action one of the enum's symbols, count &gt;= 0, nothing else. Messages name the field and the
 * rule, never the value: a dead letter's headers are read by people and tools that must not see personal data.
 */
public final class ValidateButtonPress<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

  /** The three actions of shared/src/event.ts (buttonActions), in the schema's order. */
  static final List<String> ACTIONS = List.of("EnterPage", "PressButton", "ExitPage");

  /** Canonical 8-4-4-4-12 hex, as every producer of the kit writes it (PostgreSQL's uuid accepts it in any case). */
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** In the schema's order, so the first one missing is the one named. */
  private static final List<String> REQUIRED = List.of("session_id", "timestamp", "action", "count", "country_code", "country_name");
  /** Nullable in the event and in the table: absent or null is fine. */
  private static final List<String> OPTIONAL = List.of("subdivision_name", "city_name", "cohort");

  @Override
  public R apply(R record) {
    Object value = record.value();
    if (value == null) throw rejected("the record has no value (a tombstone): the table keeps every event, there is nothing to delete");
    if (!(value instanceof Struct)) throw rejected("the value is not a structured record (Avro with a schema)");
    Struct struct = (Struct) value;
    for (Field field : struct.schema().fields()) {
      if (!REQUIRED.contains(field.name()) && !OPTIONAL.contains(field.name())) {
        throw rejected("field " + field.name() + " is not a field of the event (the table has no column for it)");
      }
    }
    for (String name : REQUIRED) {
      if (struct.schema().field(name) == null || struct.get(name) == null) throw rejected(name + " is missing (required)");
    }
    String sessionId = string(struct, "session_id");
    if (!UUID.matcher(sessionId).matches()) throw rejected("session_id is not a UUID");
    if (!(struct.get("timestamp") instanceof Date)) {
      throw rejected("timestamp is not a timestamp (Avro long with logicalType timestamp-millis)");
    }
    if (!ACTIONS.contains(string(struct, "action"))) throw rejected("action is not one of " + String.join(", ", ACTIONS));
    long count = integer(struct, "count");
    if (count < 0) throw rejected("count is negative (must be >= 0: the 0-based sequence within the visit)");
    string(struct, "country_code");
    string(struct, "country_name");
    for (String name : List.of("subdivision_name", "city_name")) {
      if (struct.schema().field(name) != null && struct.get(name) != null) string(struct, name);
    }
    if (struct.schema().field("cohort") != null && struct.get("cohort") != null) integer(struct, "cohort");
    return record;
  }

  private static String string(Struct struct, String name) {
    Object value = struct.get(name);
    if (!(value instanceof String)) throw rejected(name + " is not a string");
    return (String) value;
  }

  /** An integer that fits PostgreSQL's integer column. */
  private static long integer(Struct struct, String name) {
    Object value = struct.get(name);
    boolean integral = value instanceof Integer || value instanceof Short || value instanceof Byte || value instanceof Long;
    if (!integral) throw rejected(name + " is not an integer");
    long number = ((Number) value).longValue();
    if (number > Integer.MAX_VALUE || number < Integer.MIN_VALUE) throw rejected(name + " does not fit a 32-bit integer");
    return number;
  }

  private static DataException rejected(String why) {
    return new DataException("ValidateButtonPress: " + why);
  }

  @Override
  public ConfigDef config() {
    return new ConfigDef();
  }

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public void close() {}

  @Override
  public String version() {
    return "1";
  }
}
