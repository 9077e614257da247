import type { WorkshopConfig } from '@workshop/shared';
import { buildBoardServer } from './board-server.js';
import { BoardState } from './board-state.js';
import { ensureProgressTopic, readProgress } from './progress-topic.js';

/** The board running: the topic read from its beginning into the grid's state, and the page served. */
export interface RunningBoard {
  url: string;
  state: BoardState;
  stop(): Promise<void>;
}

export interface BoardOptions {
  host: string;
  port: number;
  steps: readonly string[];
  stuckAfterMs: number;
  refreshMs?: number;
  /** Names the room reaches the board by (its address), beside the loopback ones. */
  hostNames?: readonly string[];
  /** Only runs from this time on (the topic keeps earlier sessions' and rehearsals' runs too). */
  since?: Date;
}

export async function startBoard(config: WorkshopConfig, options: BoardOptions): Promise<RunningBoard> {
  await ensureProgressTopic(config);
  const state = new BoardState();
  const reader = await readProgress(config, (event) => {
    if (!options.since || event.time >= options.since) state.apply(event);
  });
  const server = buildBoardServer({
    state,
    steps: options.steps,
    stuckAfterMs: options.stuckAfterMs,
    refreshMs: options.refreshMs ?? 2000,
    hostNames: [options.host, ...(options.hostNames ?? [])],
  });
  try {
    await server.listen({ host: options.host, port: options.port });
  } catch (error) {
    await reader.stop();
    throw error;
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    state,
    async stop() {
      await server.close();
      await reader.stop();
    },
  };
}
