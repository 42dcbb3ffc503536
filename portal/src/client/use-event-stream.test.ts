import { MAX_RECONNECT_MS, reconnectDelay } from './use-event-stream';

it('backs off exponentially between reconnects, up to a cap', () => {
  expect([0, 1, 2, 3].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000]);
  expect(reconnectDelay(20)).toBe(MAX_RECONNECT_MS);
});
