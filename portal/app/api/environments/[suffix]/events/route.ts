import type { StreamMessage } from '@/server/domain/types';
import { authenticated, type SuffixParams } from '@/server/http/handler';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events for one environment. Every watcher joins the shared
 * upstream poll of that environment (one platform read per interval however
 * many browsers watch); the stream ends once a settled status was sent.
 */
export async function GET(request: Request, { params }: SuffixParams): Promise<Response> {
  return authenticated(request, async ({ principal, runtime }) => {
    const { suffix } = await params;
    // 404, then 429 over the stream limits, before opening the stream.
    await runtime.service.get(principal.user, suffix);
    const release = runtime.service.openStream(principal.user);
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let closed = false;
        const write = (text: string) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        };
        const send = (message: StreamMessage) =>
          write(`event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);
        const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
        let unsubscribe = () => {};
        cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          release();
        };
        write('retry: 3000\n\n');
        unsubscribe = runtime.service.watch(suffix, send, () => {
          queueMicrotask(() => {
            cleanup();
            controller.close();
          });
        });
        request.signal.addEventListener('abort', cleanup, { once: true });
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      },
    });
  });
}
