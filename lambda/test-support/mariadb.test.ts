import { startMariaDb } from './mariadb';

describe('startMariaDb', () => {
  it('fails loudly (never skips) when mariadbd cannot be found', async () => {
    await expect(startMariaDb({ searchPath: ['/nonexistent-directory'] })).rejects.toThrow(
      /mariadbd \/ mariadb-install-db not found.*apt-get install -y mariadb-server/,
    );
  });
});
