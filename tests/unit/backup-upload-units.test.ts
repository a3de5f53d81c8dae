// The pieces that bound an upload: the nesting-depth scan that runs before a backup file is parsed, and the
// gate counting uploads in progress.
import { describe, expect, it } from 'vitest';
import { depthBeyond } from '../../src/features/backups/json-depth.js';
import { UploadGate, UploadsBusyError } from '../../src/features/backups/upload-gate.js';
import { TooManyRequestsError } from '../../src/lib/errors.js';

describe('depthBeyond', () => {
  it('measures arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(depthBeyond('{"a":[{"b":1}]}', 3)).toBeNull();
    expect(depthBeyond('{"a":[{"b":[1]}]}', 3)).toBe(4);
    expect(depthBeyond(`{"a":"${'['.repeat(100)}"}`, 1)).toBeNull();
    expect(depthBeyond(`{"a":"\\"${'{'.repeat(10)}"}`, 1)).toBeNull();
    expect(depthBeyond('['.repeat(50_000), 32)).toBe(33);
  });
});

describe('UploadGate', () => {
  it('limits uploads per person (429) and server-wide (503), and a release counts once', () => {
    const gate = new UploadGate({ atOnce: 2, atOncePerUser: 1 });
    const first = gate.enter(1);
    expect(() => gate.enter(1)).toThrow(TooManyRequestsError);
    const second = gate.enter(2);
    let busy: unknown;
    try {
      gate.enter(3);
    } catch (err) {
      busy = err;
    }
    expect(busy).toBeInstanceOf(UploadsBusyError);
    expect((busy as UploadsBusyError).status).toBe(503);
    first();
    first();
    expect(gate.inProgress).toBe(1);
    expect(() => gate.enter(2)).toThrow(TooManyRequestsError);
    gate.enter(1)();
    second();
    expect(gate.inProgress).toBe(0);
  });
});
