// autocannon 9 ships no types; this is the part of its API the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    readonly headers?: Record<string, string>;
    readonly requests?: readonly {
      readonly method?: string;
      readonly path?: string;
      readonly setupRequest?: (request: { path: string }) => { path: string };
    }[];
  }

  interface Result {
    readonly requests: { readonly total: number; readonly average: number };
    readonly non2xx: number;
  }

  type Instance = EventEmitter & PromiseLike<Result>;

  function autocannon(options: Options): Instance;
  export = autocannon;
}
