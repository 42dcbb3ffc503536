import { UpstreamError } from '../platform/port';
import { DomainError } from './errors';
import { LimitExceededError } from './limits';

describe('error classes across module copies', () => {
  // Next bundles instrumentation.ts (which starts the runtime) apart from the route handlers: the runtime's
  // errors come from another copy of these modules than the one the HTTP layer checks against.
  function anotherCopy<T>(load: () => T): T {
    let loaded: T | undefined;
    jest.isolateModules(() => {
      loaded = load();
    });
    if (loaded === undefined) throw new Error('module not loaded');
    return loaded;
  }

  it('recognises a DomainError, a LimitExceededError and an UpstreamError made by another copy', () => {
    const other = anotherCopy(() => ({
      DomainError: (require('./errors') as typeof import('./errors')).DomainError,
      LimitExceededError: (require('./limits') as typeof import('./limits')).LimitExceededError,
      UpstreamError: (require('../platform/port') as typeof import('../platform/port')).UpstreamError,
    }));
    expect(other.DomainError).not.toBe(DomainError);
    expect(new other.DomainError('forbidden', 'no') instanceof DomainError).toBe(true);
    expect(new other.LimitExceededError('slow down', 30) instanceof LimitExceededError).toBe(true);
    expect(new other.LimitExceededError('slow down', 30) instanceof DomainError).toBe(true);
    expect(new other.UpstreamError('throttled') instanceof UpstreamError).toBe(true);
  });

  it('keeps the classes apart: a DomainError is not a LimitExceededError, nor any Error an UpstreamError', () => {
    expect(new DomainError('conflict', 'taken') instanceof LimitExceededError).toBe(false);
    expect(new Error('plain') instanceof DomainError).toBe(false);
    expect(new DomainError('conflict', 'taken') instanceof UpstreamError).toBe(false);
    expect({ name: 'DomainError', code: 'forbidden' } instanceof DomainError).toBe(false);
  });
});
