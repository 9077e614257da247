/** What the page says back when the button is pressed. It does nothing, and it is honest about it. */
export const humorousReplies: readonly string[] = [
  'Nothing happened. Nailed it.',
  'Congratulations, you did nothing. Beautifully.',
  'The button appreciates your enthusiasm. It still does nothing.',
  'Somewhere, a Kafka partition just got one message longer.',
  'You have been counted. Only counted.',
  'Press accepted. Consequences: none.',
  'That press was serialized into Avro with great care. Then nothing.',
  'Have you tried pressing it harder? (It will not help.)',
  'A consumer group somewhere is very excited about this.',
  'Your country thanks you. Your IP address was never asked.',
  'Nothing to see here. Literally.',
  'Achievement unlocked: pressed a button that does nothing.',
  'This press is now immutable, replicated and utterly pointless.',
  'The button has noted your feelings and filed them in ClickHouse.',
  'Still nothing? Excellent, it works as designed.',
  'Ten out of ten presses. Zero out of ten effects.',
  'Your press took the scenic route: Kafka, a schema registry, two databases.',
  'If a button is pressed and nothing happens, does the dashboard still move? Yes.',
  'Careful: at this rate you will be top of the leaderboard for your country.',
  'Plot twist: this time it also did nothing.',
];

/** One of the replies; `random` returns [0, 1) like Math.random (tests pass a seeded one). */
export function pickReply(random: () => number): string {
  return humorousReplies[Math.floor(random() * humorousReplies.length)] ?? humorousReplies[0]!;
}
