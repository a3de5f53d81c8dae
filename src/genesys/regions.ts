// Genesys Cloud regions exactly as the official SDK lists them (PureCloudRegionHosts). An org's region is
// always one of these keys, never a free-text host, so the app can only ever call Genesys' own API hosts.
import platformClient from 'purecloud-platform-client-v2';

export const REGION_HOSTS: Readonly<Record<string, string>> = Object.freeze({ ...platformClient.PureCloudRegionHosts });

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
