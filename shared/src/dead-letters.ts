/**
 * The dead-letter topic's headers: ONE scheme for both sinks, and it is Kafka Connect's own. With
 * `errors.deadletterqueue.context.headers.enable=true` Connect's DeadLetterQueueReporter adds these headers to
 * each record it sets aside (the JDBC sink of step 05); the TypeScript sink of step 06 writes the same names, so
 * one reader (readDeadLetterContext below, a person with kcat, a replay tool) understands every dead letter in
 * `button_presses_dlq`, whichever sink wrote it — `connector.name` says which. Values are UTF-8 text, numbers in
 * decimal, as Connect writes them. Connect also writes `exception.stacktrace`; the TypeScript sink leaves it out
 * (a stack of the sink's own code tells the reader nothing about the record).
 */
export const deadLetterHeaderNames = {
  /** Where the record was: topic, partition, offset (the record itself keeps its key, value and headers). */
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  /** Who set it aside: the connector's name (the TypeScript sink: its consumer group) and task number. */
  connectorName: '__connect.errors.connector.name',
  taskId: '__connect.errors.task.id',
  /** At which stage it failed (deadLetterStages). */
  stage: '__connect.errors.stage',
  /** The code that was running (Connect: a Java class; the TypeScript sink: file#function). */
  className: '__connect.errors.class.name',
  /** Why: the error's class and message. */
  exceptionClassName: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
  exceptionStacktrace: '__connect.errors.exception.stacktrace',
} as const;

/**
 * Connect's stage names (org.apache.kafka.connect.runtime.errors.Stage) that a sink's dead letter can carry:
 * VALUE_CONVERTER = the value could not be decoded (Avro, registry); TASK_PUT = it decoded, but could not be
 * written (a row the table refuses).
 */
export const deadLetterStages = ['KEY_CONVERTER', 'VALUE_CONVERTER', 'HEADER_CONVERTER', 'TRANSFORMATION', 'TASK_PUT'] as const;
export type DeadLetterStage = (typeof deadLetterStages)[number];

export interface DeadLetterContext {
  /** The record's origin. */
  topic: string;
  partition: number;
  offset: string;
  /** The sink's name (a connector's name; the TypeScript sink passes its consumer group). */
  connectorName: string;
  taskId?: number;
  stage: DeadLetterStage;
  /** The code that refused the record. */
  className: string;
  /** Why: an Error (its name and message are written), or a message. */
  error: unknown;
}

/** The headers to add to a dead letter (next to the record's own headers, which it keeps). */
export function deadLetterHeaders(context: DeadLetterContext): Record<string, string> {
  const { error } = context;
  const names = deadLetterHeaderNames;
  return {
    [names.topic]: context.topic,
    [names.partition]: String(context.partition),
    [names.offset]: context.offset,
    [names.connectorName]: context.connectorName,
    [names.taskId]: String(context.taskId ?? 0),
    [names.stage]: context.stage,
    [names.className]: context.className,
    [names.exceptionClassName]: error instanceof Error ? error.name : 'Error',
    [names.exceptionMessage]: error instanceof Error ? error.message : String(error),
  };
}

/** What a dead letter's headers say, from either sink (undefined: a header it lacks). */
export interface DeadLetterInfo {
  topic?: string;
  partition?: number;
  offset?: string;
  connectorName?: string;
  stage?: string;
  className?: string;
  exceptionClassName?: string;
  exceptionMessage?: string;
}

/** Reads the context headers of a dead letter as kafkajs delivers them (Buffer, string, or a list when repeated: the last wins). */
export function readDeadLetterContext(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): DeadLetterInfo {
  const text = (name: string): string | undefined => {
    const value = headers?.[name];
    const last = Array.isArray(value) ? value.at(-1) : value;
    return last === undefined ? undefined : last.toString();
  };
  const names = deadLetterHeaderNames;
  const partition = text(names.partition);
  return {
    topic: text(names.topic),
    partition: partition === undefined ? undefined : Number(partition),
    offset: text(names.offset),
    connectorName: text(names.connectorName),
    stage: text(names.stage),
    className: text(names.className),
    exceptionClassName: text(names.exceptionClassName),
    exceptionMessage: text(names.exceptionMessage),
  };
}
