// Demo data for the sandbox org: what a contact centre keeps in data tables. Deterministic (seeded PRNG) so
// tests and screenshots are stable. Keys include spaces and slashes on purpose. Queue Routing lives in the
// "Customer Care" division, the others in Home.
import type { EmulatorOptions } from './options.js';
import type { FieldType, PropertySchema, Row, TableSchema } from './schema-rules.js';
import { createTable } from './tables-api.js';
import { createRow } from './rows-api.js';
import { homeDivision, type OrgState } from './store.js';

type FieldSpec = [name: string, type: FieldType, extra?: Partial<PropertySchema>];

export function buildSchema(fields: FieldSpec[], keyTitle = 'Key'): TableSchema {
  const properties: Record<string, PropertySchema> = {
    key: { type: 'string', title: keyTitle, $id: '/properties/key', displayOrder: 0 },
  };
  fields.forEach(([name, type, extra], i) => {
    properties[name] = { type, title: extra?.title ?? name, $id: `/properties/${name}`, displayOrder: i + 1, ...extra };
  });
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['key'],
    properties,
    additionalProperties: false,
  };
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addTable(
  org: OrgState,
  options: EmulatorOptions,
  name: string,
  description: string,
  fields: FieldSpec[],
  rows: Row[],
  keyTitle?: string,
  divisionName = 'Home',
): void {
  const division = org.divisions.find((d) => d.name === divisionName) ?? homeDivision(org);
  const table = createTable(
    org,
    { name, description, division: { id: division.id }, schema: buildSchema(fields, keyTitle) },
    options,
  ) as { id: string };
  for (const row of rows) createRow(org, table.id, row, options);
}

const FIRST = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Lucas',
  'Mia',
  'Mateo',
  'Amelia',
  'Aarav',
  'Chloé',
  'Jürgen',
  'Siobhán',
  'Zoë',
  'Kenji',
  'Fatima',
  'Ingrid',
  'Diego',
];
const LAST = [
  'Smith',
  'García',
  'Müller',
  'Nakamura',
  'O’Brien',
  'Kowalski',
  'Dubois',
  'Rossi',
  'Johansson',
  'Patel',
  'Nguyen',
  'Okafor',
  'Silva',
  'Cohen',
  'Andersen',
];
const MANAGERS = ['Priya Shah', 'Tom Becker', 'Lena Novak', 'Marcus Reid', 'Aiko Tanaka'];
const TIERS = ['Gold', 'Platinum', 'Diamond'];

export const DEMO_VIP_ROWS = 2000;

export function seedDemoData(org: OrgState, options: EmulatorOptions): void {
  addTable(
    org,
    options,
    'Holiday Calendar',
    'Public holidays and closures; the IVR plays the closed message on these dates.',
    [
      ['Holiday', 'string'],
      ['Closed', 'boolean', { default: true }],
      ['Region', 'string', { default: 'ALL' }],
      ['Message', 'string'],
    ],
    [
      ['2026-01-01', "New Year's Day", 'ALL'],
      ['2026-04-03', 'Good Friday', 'UK'],
      ['2026-04-06', 'Easter Monday', 'UK'],
      ['2026-05-25', 'Memorial Day', 'US'],
      ['2026-07-03', 'Independence Day (observed)', 'US'],
      ['2026-08-31', 'Summer Bank Holiday', 'UK'],
      ['2026-11-26', 'Thanksgiving', 'US'],
      ['2026-12-24', 'Christmas Eve (half day)', 'ALL'],
      ['2026-12-25', 'Christmas Day', 'ALL'],
      ['2026-12-26', 'Boxing Day', 'UK'],
      ['2026-12-31', "New Year's Eve (half day)", 'ALL'],
      ['2027-01-01', "New Year's Day", 'ALL'],
    ].map(([key, holiday, region]) => ({
      key: key!,
      Holiday: holiday!,
      Closed: !holiday!.includes('half day'),
      Region: region!,
      Message: holiday!.includes('half day')
        ? 'We close at 1pm today. Thank you for calling.'
        : `Our contact centre is closed for ${holiday}.`,
    })),
    'Date (YYYY-MM-DD)',
  );

  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const hoursRows: Row[] = [];
  for (const line of ['Sales', 'Support', 'Billing']) {
    for (const day of days) {
      const weekend = day === 'Sat' || day === 'Sun';
      hoursRows.push({
        key: `${line}/${day}`,
        Open: weekend ? (line === 'Support' ? '10:00' : '') : '08:00',
        Close: weekend ? (line === 'Support' ? '16:00' : '') : line === 'Sales' ? '20:00' : '18:00',
        Closed: weekend && line !== 'Support',
        TimeZone: 'Europe/London',
      });
    }
  }
  addTable(
    org,
    options,
    'Opening Hours',
    'Opening hours per line of business and weekday (key: Line/Day).',
    [
      ['Open', 'string', { maxLength: 5 }],
      ['Close', 'string', { maxLength: 5 }],
      ['Closed', 'boolean'],
      ['TimeZone', 'string', { default: 'Europe/London' }],
    ],
    hoursRows,
    'Line/Day',
  );

  addTable(
    org,
    options,
    'Emergency Flags',
    'Switch a line into emergency mode; flows read this on every call.',
    [
      ['Active', 'boolean'],
      ['Message', 'string'],
      ['Priority', 'integer', { default: 1 }],
      ['ActivatedBy', 'string'],
    ],
    [
      {
        key: 'Main Line',
        Active: false,
        Message: 'We are experiencing a high volume of calls.',
        Priority: 1,
        ActivatedBy: '',
      },
      {
        key: 'Billing Queue',
        Active: false,
        Message: 'Our billing system is unavailable. Please call back later.',
        Priority: 2,
        ActivatedBy: '',
      },
      {
        key: 'Weather Closure',
        Active: false,
        Message: 'Due to severe weather our offices are closed.',
        Priority: 1,
        ActivatedBy: '',
      },
      {
        key: 'IT Outage / Website',
        Active: true,
        Message: 'Our website is down; agents can still help you.',
        Priority: 3,
        ActivatedBy: 'ops@example.com',
      },
    ],
    'Line',
  );

  const queues: Row[] = [
    ['billing-en', 'Billing EN', 'Billing', 3, 'General EN', 300, 0.8],
    ['billing-fr', 'Billing FR', 'Billing;French', 3, 'General EN', 420, 0.75],
    ['sales/uk', 'Sales UK', 'Sales', 2, 'Sales EU', 120, 0.9],
    ['sales/us', 'Sales US', 'Sales', 2, 'Sales NA', 120, 0.9],
    ['support tier 1', 'Support T1', 'Support', 4, 'Support T2', 600, 0.8],
    ['support tier 2', 'Support T2', 'Support;Advanced', 5, '', 900, 0.7],
    ['VIP support', 'VIP', 'VIP', 1, 'Support T2', 60, 0.95],
    ['complaints', 'Customer Relations', 'Complaints', 3, 'Support T1', 600, 0.8],
  ].map(([key, queue, skills, priority, overflow, wait, sl]) => ({
    key: key as string,
    QueueName: queue as string,
    Skills: skills as string,
    Priority: priority as number,
    OverflowQueue: overflow as string,
    MaxWaitSeconds: wait as number,
    ServiceLevelTarget: sl as number,
  }));
  addTable(
    org,
    options,
    'Queue Routing',
    'Which queue handles each routing code, with overflow and service-level targets.',
    [
      ['QueueName', 'string'],
      ['Skills', 'string'],
      ['Priority', 'integer', { default: 3 }],
      ['OverflowQueue', 'string'],
      ['MaxWaitSeconds', 'integer', { default: 300 }],
      ['ServiceLevelTarget', 'number', { default: 0.8 }],
    ],
    queues,
    'Routing code',
    // A second division, so a role granted in Home only does not see every table (roles, permissions.ts).
    'Customer Care',
  );

  const rand = prng(20260101);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const vip: Row[] = [];
  for (let i = 0; i < DEMO_VIP_ROWS; i++) {
    vip.push({
      key: `+44 20 7946 ${String(1000 + i).padStart(4, '0')}`,
      CustomerName: `${pick(FIRST)} ${pick(LAST)}`,
      Tier: pick(TIERS),
      AccountManager: pick(MANAGERS),
      Priority: 1 + Math.floor(rand() * 5),
      LifetimeValue: Math.round(rand() * 50_000_00) / 100,
      Active: rand() > 0.1,
      Notes: rand() > 0.8 ? 'Prefers email follow-up' : '',
    });
  }
  addTable(
    org,
    options,
    'VIP Customers',
    'Callers routed straight to the VIP queue, by phone number.',
    [
      ['CustomerName', 'string'],
      ['Tier', 'string', { default: 'Gold' }],
      ['AccountManager', 'string'],
      ['Priority', 'integer', { default: 3 }],
      ['LifetimeValue', 'number'],
      ['Active', 'boolean', { default: true }],
      ['Notes', 'string'],
    ],
    vip,
    'Phone number',
  );
}
