package workshop.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Date;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The transform on records shaped as the Avro converter hands them over (step 04's schema in Connect's terms). What
 * Connect then does with the exception — the dead-letter topic, the task kept RUNNING — is proved on the real stack by
 * step 05's tests.
 */
class ValidateButtonPressTest {
  private static final Schema EVENT = SchemaBuilder.struct()
      .name("workshop.ButtonPress")
      .field("session_id", Schema.STRING_SCHEMA)
      .field("timestamp", Timestamp.SCHEMA)
      .field("action", Schema.STRING_SCHEMA)
      .field("count", Schema.INT32_SCHEMA)
      .field("country_code", Schema.STRING_SCHEMA)
      .field("country_name", Schema.STRING_SCHEMA)
      .field("subdivision_name", Schema.OPTIONAL_STRING_SCHEMA)
      .field("city_name", Schema.OPTIONAL_STRING_SCHEMA)
      .field("cohort", Schema.OPTIONAL_INT32_SCHEMA)
      .build();

  private static final String SECRET_LOOKING_VALUE = "203.0.113.7";

  private final ValidateButtonPress<SinkRecord> transform = new ValidateButtonPress<>();

  private static Struct event() {
    return new Struct(EVENT)
        .put("session_id", "0f6f751c-c783-4127-a351-f2802b7fbb8e")
        .put("timestamp", new Date(1_764_700_000_000L))
        .put("action", "PressButton")
        .put("count", 1)
        .put("country_code", "JP")
        .put("country_name", "Japan")
        .put("subdivision_name", "Tokyo")
        .put("city_name", "Tokyo")
        .put("cohort", null);
  }

  private static SinkRecord record(Schema schema, Object value) {
    return new SinkRecord("button_presses", 0, Schema.STRING_SCHEMA, "key", schema, value, 42);
  }

  private String rejection(Schema schema, Object value) {
    DataException error = assertThrows(DataException.class, () -> transform.apply(record(schema, value)));
    assertFalse(error.getMessage().contains(SECRET_LOOKING_VALUE), "a rejection never repeats a value");
    return error.getMessage();
  }

  private String rejection(Consumer<Struct> change) {
    Struct value = event();
    change.accept(value);
    return rejection(EVENT, value);
  }

  @Test
  void passesAValidEventUnchanged() {
    SinkRecord record = record(EVENT, event());
    assertSame(record, transform.apply(record));
  }

  @Test
  void passesEveryActionOfTheEventAndNullOptionalFields() {
    for (String action : ValidateButtonPress.ACTIONS) {
      Struct value = event().put("action", action).put("city_name", null).put("subdivision_name", null).put("cohort", 0);
      SinkRecord record = record(EVENT, value);
      assertSame(record, transform.apply(record));
    }
  }

  @Test
  void rejectsASessionIdThatIsNotAUuid() {
    assertEquals("ValidateButtonPress: session_id is not a UUID", rejection(v -> v.put("session_id", SECRET_LOOKING_VALUE)));
    assertEquals("ValidateButtonPress: session_id is not a UUID", rejection(v -> v.put("session_id", "not-a-uuid")));
  }

  @Test
  void rejectsANegativeCount() {
    assertEquals(
        "ValidateButtonPress: count is negative (must be >= 0: the 0-based sequence within the visit)",
        rejection(v -> v.put("count", -1)));
  }

  @Test
  void rejectsAnActionOutsideTheEnum() {
    assertEquals(
        "ValidateButtonPress: action is not one of EnterPage, PressButton, ExitPage",
        rejection(v -> v.put("action", SECRET_LOOKING_VALUE)));
  }

  @Test
  void rejectsARecordOfAnotherSchemaMissingARequiredField() {
    Schema other = SchemaBuilder.struct()
        .field("session_id", Schema.STRING_SCHEMA)
        .field("count", Schema.INT32_SCHEMA)
        .build();
    Struct value = new Struct(other).put("session_id", "0f6f751c-c783-4127-a351-f2802b7fbb8e").put("count", 0);
    assertEquals("ValidateButtonPress: timestamp is missing (required)", rejection(other, value));
  }

  @Test
  void rejectsAFieldTheTableHasNoColumnFor() {
    Schema withIp = SchemaBuilder.struct().field("session_id", Schema.STRING_SCHEMA).field("ip", Schema.STRING_SCHEMA).build();
    Struct value = new Struct(withIp).put("session_id", "0f6f751c-c783-4127-a351-f2802b7fbb8e").put("ip", SECRET_LOOKING_VALUE);
    assertEquals("ValidateButtonPress: field ip is not a field of the event (the table has no column for it)", rejection(withIp, value));
  }

  @Test
  void rejectsWrongTypes() {
    Schema timestampAsNumber = SchemaBuilder.struct()
        .field("session_id", Schema.STRING_SCHEMA)
        .field("timestamp", Schema.INT64_SCHEMA)
        .field("action", Schema.STRING_SCHEMA)
        .field("count", Schema.STRING_SCHEMA)
        .field("country_code", Schema.STRING_SCHEMA)
        .field("country_name", Schema.STRING_SCHEMA)
        .build();
    Struct value = new Struct(timestampAsNumber)
        .put("session_id", "0f6f751c-c783-4127-a351-f2802b7fbb8e")
        .put("timestamp", 1L)
        .put("action", "EnterPage")
        .put("count", "1")
        .put("country_code", "JP")
        .put("country_name", "Japan");
    assertEquals(
        "ValidateButtonPress: timestamp is not a timestamp (Avro long with logicalType timestamp-millis)",
        rejection(timestampAsNumber, value));
    Schema countAsText = SchemaBuilder.struct()
        .field("session_id", Schema.STRING_SCHEMA)
        .field("timestamp", Timestamp.SCHEMA)
        .field("action", Schema.STRING_SCHEMA)
        .field("count", Schema.STRING_SCHEMA)
        .field("country_code", Schema.STRING_SCHEMA)
        .field("country_name", Schema.STRING_SCHEMA)
        .build();
    Struct countText = new Struct(countAsText)
        .put("session_id", "0f6f751c-c783-4127-a351-f2802b7fbb8e")
        .put("timestamp", new Date())
        .put("action", "EnterPage")
        .put("count", "1")
        .put("country_code", "JP")
        .put("country_name", "Japan");
    assertEquals("ValidateButtonPress: count is not an integer", rejection(countAsText, countText));
  }

  @Test
  void rejectsATombstoneAndASchemalessValue() {
    assertEquals(
        "ValidateButtonPress: the record has no value (a tombstone): the table keeps every event, there is nothing to delete",
        rejection(null, null));
    assertEquals("ValidateButtonPress: the value is not a structured record (Avro with a schema)", rejection(null, "{}"));
  }
}
