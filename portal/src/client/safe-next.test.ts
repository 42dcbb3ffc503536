import { safeNextPath } from './safe-next';

it.each([
  ['/environments/pr-1', '/environments/pr-1'],
  ['/pipeline?tab=1', '/pipeline?tab=1'],
  [undefined, '/'],
  ['https://evil.example', '/'],
  ['//evil.example', '/'],
  ['/\\evil.example', '/'],
  ['/sign-in?next=/x', '/'],
  [['/audit', '/x'], '/audit'],
])('after sign-in, %p goes to %p', (next, expected) => {
  expect(safeNextPath(next)).toBe(expected);
});
