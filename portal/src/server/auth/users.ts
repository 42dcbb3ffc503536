import type { DemoUser, Role, User } from '../domain/types';

/** Local mode's built-in users (no passwords: local mode binds to loopback only). */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'alice',
    name: 'Alice Engineer',
    roles: ['engineer'],
    description: 'engineer: requests and destroys her own ephemeral environments',
  },
  {
    id: 'bob',
    name: 'Bob Engineer',
    roles: ['engineer'],
    description: 'second engineer: cannot destroy Alice’s environments',
  },
  {
    id: 'carol',
    name: 'Carol Approver',
    roles: ['approver'],
    description: 'approver: approves or rejects the promotion to prod',
  },
  {
    id: 'dave',
    name: 'Dave Admin',
    roles: ['admin'],
    description: 'admin: may do everything the portal allows',
  },
];

export function demoUser(id: string): User | undefined {
  const user = DEMO_USERS.find((candidate) => candidate.id === id);
  return user === undefined ? undefined : { id: user.id, name: user.name, roles: user.roles };
}

/** Roles from the IdP's group claim, through the configured role → group mapping. */
export function rolesFromGroups(groups: unknown, roleGroups: Partial<Record<Role, string>>): Role[] {
  const list = Array.isArray(groups)
    ? groups.map(String)
    : typeof groups === 'string'
      ? groups.split(/[\s,]+/)
      : [];
  return (Object.entries(roleGroups) as [Role, string][])
    .filter(([, group]) => list.includes(group))
    .map(([role]) => role);
}
