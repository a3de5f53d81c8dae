import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { isRegionKey, REGION_HOSTS, regionOptions } from '../../src/genesys/regions.js';

describe('Genesys regions', () => {
  it("are exactly the official SDK's PureCloudRegionHosts", () => {
    expect(REGION_HOSTS).toEqual({ ...platformClient.PureCloudRegionHosts });
    expect(regionOptions()).toHaveLength(Object.keys(platformClient.PureCloudRegionHosts).length);
  });

  it('accept only known keys, never hosts or URLs', () => {
    expect(isRegionKey('eu_west_1')).toBe(true);
    for (const v of ['mypurecloud.ie', 'http://127.0.0.1', '127.0.0.1', 'toString', '__proto__', ''])
      expect(isRegionKey(v)).toBe(false);
  });
});
