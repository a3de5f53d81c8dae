// Genesys Cloud regions exactly as the official SDK lists them (PureCloudRegionHosts). An org's region is
// always one of these keys, never a free-text host, so the app can only ever call Genesys' own API hosts.
// Copied rather than imported so start-up does not load the whole SDK (~35 MB, ~130 ms) before the first
// Genesys call; tests/unit/regions.test.ts fails if the SDK's list and this one ever differ.

export const REGION_HOSTS: Readonly<Record<string, string>> = Object.freeze({
  us_east_1: 'mypurecloud.com',
  eu_west_1: 'mypurecloud.ie',
  ap_southeast_2: 'mypurecloud.com.au',
  ap_northeast_1: 'mypurecloud.jp',
  eu_central_1: 'mypurecloud.de',
  us_west_2: 'usw2.pure.cloud',
  ca_central_1: 'cac1.pure.cloud',
  ap_northeast_2: 'apne2.pure.cloud',
  eu_west_2: 'euw2.pure.cloud',
  ap_south_1: 'aps1.pure.cloud',
  us_east_2: 'use2.us-gov-pure.cloud',
  sa_east_1: 'sae1.pure.cloud',
  me_central_1: 'mec1.pure.cloud',
  ap_northeast_3: 'apne3.pure.cloud',
  eu_central_2: 'euc2.pure.cloud',
  mx_central_1: 'mxc1.pure.cloud',
  ap_southeast_1: 'apse1.pure.cloud',
  eusc_de_east_1: 'edee1.eusc-pure.cloud',
});

/** Pseudo-region of the built-in sandbox org (the in-process emulator). Never accepted from a form. */
export const SANDBOX_REGION = 'sandbox';

const LABELS: Record<string, string> = {
  us_east_1: 'Americas (US East)',
  us_east_2: 'Americas (US East 2, FedRAMP)',
  us_west_2: 'Americas (US West)',
  ca_central_1: 'Americas (Canada)',
  sa_east_1: 'Americas (São Paulo)',
  mx_central_1: 'Americas (Mexico)',
  eu_west_1: 'EMEA (Dublin)',
  eu_west_2: 'EMEA (London)',
  eu_central_1: 'EMEA (Frankfurt)',
  eu_central_2: 'EMEA (Zurich)',
  eusc_de_east_1: 'EMEA (EU Sovereign Cloud, Germany)',
  me_central_1: 'EMEA (UAE)',
  ap_southeast_2: 'Asia Pacific (Sydney)',
  ap_northeast_1: 'Asia Pacific (Tokyo)',
  ap_northeast_2: 'Asia Pacific (Seoul)',
  ap_northeast_3: 'Asia Pacific (Osaka)',
  ap_south_1: 'Asia Pacific (Mumbai)',
  ap_southeast_1: 'Asia Pacific (Jakarta)',
};

export interface RegionOption {
  key: string;
  host: string;
  label: string;
}

export function regionOptions(): RegionOption[] {
  return Object.entries(REGION_HOSTS)
    .map(([key, host]) => ({ key, host, label: `${LABELS[key] ?? key} · ${host}` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function isRegionKey(value: unknown): value is string {
  return typeof value === 'string' && Object.hasOwn(REGION_HOSTS, value);
}

export function regionLabel(key: string): string {
  if (key === SANDBOX_REGION) return 'Sandbox (built-in emulator)';
  return LABELS[key] ? `${LABELS[key]} · ${REGION_HOSTS[key]}` : key;
}
