import { coldNode } from './cold-node';

describe('the cold child’s node (SEP_BENCH_NODE)', () => {
  it('is the node running the bench when unset', () => {
    expect(coldNode({})).toEqual({ path: process.execPath, version: process.version });
  });

  it('is the named binary, with the version it prints', () => {
    expect(coldNode({ SEP_BENCH_NODE: process.execPath })).toEqual({
      path: process.execPath,
      version: process.version,
    });
  });

  it('refuses a path that is missing, not an executable file, or not node', () => {
    expect(() => coldNode({ SEP_BENCH_NODE: '/nonexistent/node' })).toThrow(
      'SEP_BENCH_NODE: must be the path of an executable file (a node binary)',
    );
    expect(() => coldNode({ SEP_BENCH_NODE: __dirname })).toThrow('must be the path of an executable file');
    expect(() => coldNode({ SEP_BENCH_NODE: '/bin/sh' })).toThrow(
      'SEP_BENCH_NODE: /bin/sh --version did not print a node version',
    );
  });

  it('refuses an empty value, which would otherwise read as unset', () => {
    expect(() => coldNode({ SEP_BENCH_NODE: '' })).toThrow('SEP_BENCH_NODE: is empty');
  });
});
