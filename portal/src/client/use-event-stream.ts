'use client';

import { useEffect, useRef, useState } from 'react';
import type { StreamMessage } from '../server/domain/types';
import { parseStreamMessage } from './live-environment';

export type StreamConnection = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** First reconnect delay after the server dropped the stream; doubles up to {@link MAX_RECONNECT_MS}. */
export const FIRST_RECONNECT_MS = 1000;
export const MAX_RECONNECT_MS = 30_000;

/** Delay before reconnect attempt `attempt` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_RECONNECT_MS, FIRST_RECONNECT_MS * 2 ** attempt);
}

const NAMED_EVENTS = ['snapshot', 'events', 'error'] as const;

/**
 * Follows a server-sent-events stream. The browser's EventSource retries a
 * dropped connection by itself, but gives up for good on an HTTP error (e.g.
 * the portal restarting): then this hook reconnects with exponential backoff.
 * `onMessage` returning `'close'` ends the stream (terminal status reached).
 */
export function useEventStream(options: {
  /** Stream URL; `undefined` keeps the hook idle. */
  readonly url: string | undefined;
  readonly onMessage: (message: StreamMessage) => 'close' | undefined;
}): StreamConnection {
  const { url } = options;
  const [connection, setConnection] = useState<StreamConnection>('idle');
  const onMessageRef = useRef(options.onMessage);
  onMessageRef.current = options.onMessage;

  useEffect(() => {
    if (url === undefined) {
      setConnection('idle');
      return;
    }
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const stop = () => {
      stopped = true;
      source?.close();
      if (timer !== undefined) clearTimeout(timer);
    };

    const handle = (event: Event) => {
      if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return false;
      const message = parseStreamMessage(event.data);
      if (message === undefined) return true;
      attempt = 0;
      if (onMessageRef.current(message) === 'close') {
        stop();
        setConnection('closed');
      }
      return true;
    };

    const connect = () => {
      if (stopped) return;
      setConnection(attempt === 0 ? 'connecting' : 'reconnecting');
      const current = new EventSource(url);
      source = current;
      current.onopen = () => setConnection('open');
      current.onmessage = handle;
      for (const name of NAMED_EVENTS) {
        current.addEventListener(name, (event) => {
          // The server's own `error` messages carry data; a bare Event is a connection failure.
          if (handle(event) || name !== 'error' || stopped) return;
          if (current.readyState === EventSource.CLOSED) {
            setConnection('reconnecting');
            timer = setTimeout(connect, reconnectDelay(attempt));
            attempt += 1;
          } else {
            setConnection('reconnecting');
          }
        });
      }
    };

    connect();
    return stop;
  }, [url]);

  return connection;
}
