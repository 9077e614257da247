import { logLevel, type logCreator } from 'kafkajs';

/**
 * kafkajs's own log, tallied instead of printed. A broker restart makes every request in flight log an ERROR that
 * kafkajs then retries by itself: hundreds of JSON lines that buried the fault suite's progress. The suite prints the
 * tally once per fault instead. Only the message and the error's text are kept, with any address in them replaced:
 * kafkajs's entries carry the broker's, which has no place in the report.
 */
export interface KafkajsLogTally {
  logCreator: logCreator;
  /** One line — "kafkajs logged 37 errors: 30× …; 7× …" — for what was logged since the last call; undefined if nothing. */
  drain(): string | undefined;
}

/** host:port as kafkajs's errors name a broker ("connect ECONNREFUSED 127.0.0.1:9092"). */
const brokerAddress = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?|\[[0-9a-f:]+\](?::\d+)?/gi;

export function createKafkajsLogTally(options: { shown?: number } = {}): KafkajsLogTally {
  const shown = options.shown ?? 2;
  const counts = new Map<string, number>();
  return {
    logCreator: () => (entry) => {
      if (entry.level > logLevel.WARN) return; // INFO and DEBUG: kafkajs's default level drops them too
      const { message, error } = entry.log as { message: string; error?: unknown };
      const text = (error === undefined ? message : `${message}: ${String(error)}`).replace(brokerAddress, 'the broker');
      counts.set(text, (counts.get(text) ?? 0) + 1);
    },
    drain() {
      if (counts.size === 0) return undefined;
      const sorted = [...counts].sort((a, b) => b[1] - a[1]);
      const total = sorted.reduce((sum, [, n]) => sum + n, 0);
      counts.clear();
      const top = sorted.slice(0, shown).map(([text, n]) => `${n}× ${text}`);
      const rest = sorted.length > shown ? `; ${sorted.length - shown} other message(s)` : '';
      return `kafkajs logged ${total} error(s) and warning(s): ${top.join('; ')}${rest}`;
    },
  };
}
