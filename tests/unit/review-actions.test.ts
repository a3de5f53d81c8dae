// What the review page offers on a held request: the service refuses "confirm" while rows are held and
// "re-approve" when none is, so the page offers each only when it can work, and says what re-approving a held
// revert does (it writes the original values over someone else's, not "as requested").
import { describe, expect, it } from 'vitest';
import { reviewActions, heldRowsAction, submittedMessage } from '../../src/features/requests/request-page.js';
import type { ChangeRequestRecord, RequestRowState } from '../../src/features/requests/request-types.js';

const held = (phase: 'apply' | 'revert', states: RequestRowState[]) => ({
  ...({ id: 'r1', authorId: 1, status: 'held', heldPhase: phase } as unknown as ChangeRequestRecord),
  rows: states.map((state) => ({ state })),
});
const approver = { userId: 2 };
const rights = { approveAll: true, waitsForViewer: false, writable: {} };

describe('the actions on a held request', () => {
  it('rows held: re-approve or drop them; no "confirm" (the service would refuse it)', () => {
    const a = reviewActions(held('revert', ['reverted', 'revert_held']), approver, rights);
    expect([a.reapprove, a.drop, a.confirm]).toEqual([true, true, false]);
  });

  it('no row held (late, or a right back): confirm; no re-approve', () => {
    const a = reviewActions(held('apply', ['pending', 'pending']), approver, rights);
    expect([a.reapprove, a.confirm]).toEqual([false, true]);
  });

  it('names what re-approving does in each phase', () => {
    expect(heldRowsAction('apply')).toMatch(/requested values over/i);
    expect(heldRowsAction('revert')).toMatch(/original values over/i);
  });
});

describe('what a submission says', () => {
  it('says approval only when it waits for one', () => {
    expect(submittedMessage('submitted')).toBe('Submitted for approval.');
    expect(submittedMessage('approved')).toMatch(/need no approval/);
    expect(submittedMessage('applied')).not.toMatch(/for approval/);
  });
});
