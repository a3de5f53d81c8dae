import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({}, { cwd: '/srv/app', version: '1.2.3' });
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('/srv/app', 'data'),
      logLevel: 'info',
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3_600_000,
      trustProxy: false,
      secureCookies: false,
      version: '1.2.3',
    });
    expect(c.secretFiles.dataKey).toBe(path.resolve('/srv/app', 'data', 'secrets', 'data-key'));
    expect(c.secretFiles.backupKey).toBe(path.resolve('/srv/app', 'data', 'secrets', 'backup-key'));
    expect(c.backupUploads).toEqual({ perUser: 20, bytesPerUser: 250 * 1024 * 1024, atOnce: 2, atOncePerUser: 1 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        DATA_DIR: '/var/lib/dtm',
        LOG_LEVEL: 'debug',
        SESSION_IDLE_MINUTES: '15',
        SESSION_MAX_HOURS: '8',
        TRUST_PROXY: '1',
        DATA_KEY_FILE: '/run/secrets/key',
      },
      { cwd: '/srv/app' },
    );
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/dtm',
      logLevel: 'debug',
      sessionIdleMs: 15 * 60_000,
      sessionMaxMs: 8 * 3_600_000,
      trustProxy: 1,
      secureCookies: true,
    });
    expect(c.secretFiles.dataKey).toBe('/run/secrets/key');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' }).port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a whole number from 0 to 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT:/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL:/],
    ['SESSION_IDLE_MINUTES', '-5', /SESSION_IDLE_MINUTES: must be a positive number of minutes/],
    ['SESSION_MAX_HOURS', '0', /SESSION_MAX_HOURS:/],
    ['HOST', 'bad host!', /HOST:/],
    ['TRUST_PROXY', '$(rm -rf)', /TRUST_PROXY:/],
    ['OPEN_BROWSER', 'maybe', /OPEN_BROWSER:/],
    ['BACKUP_UPLOADS_PER_USER', '0', /BACKUP_UPLOADS_PER_USER: must be a whole number of files, at least 1/],
    ['BACKUP_UPLOAD_MB_PER_USER', '1.5', /BACKUP_UPLOAD_MB_PER_USER: must be a whole number of megabytes/],
  ])('refuses %s=%s with a message naming the variable', (name, value, pattern) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(pattern);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });

  it('parses TRUST_PROXY forms', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });
});

describe('test-only settings', () => {
  it('moves time or crashes only in a test build', () => {
    const env = { TEST_CLOCK_FILE: '/tmp/clock.json', CRASH_AT: 'after_intent' };
    expect(loadConfig(env, { cwd: '/srv/app' })).toMatchObject({ testClockFile: null, crashAt: null });
    expect(loadConfig({ ...env, NODE_ENV: 'test' }, { cwd: '/srv/app' })).toMatchObject({
      testClockFile: '/tmp/clock.json',
      crashAt: 'after_intent',
    });
  });
});
