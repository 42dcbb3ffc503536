import { OPERATIONS_HANDLER_PERMISSIONS } from './permissions';

describe('operations handler permissions', () => {
  it.each(Object.entries(OPERATIONS_HANDLER_PERMISSIONS))(
    '%s lists explicit actions, each with a scope',
    (_name, entry) => {
      expect(entry.actions.length).toBeGreaterThan(0);
      for (const action of entry.actions) {
        expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
        expect(action).not.toContain('*');
        expect((entry.scope as Record<string, string>)[action]).toEqual(expect.any(String));
      }
      expect(Object.keys(entry.scope).sort()).toEqual([...entry.actions].sort());
    },
  );
});
