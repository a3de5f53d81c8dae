import { describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { formFailure, renderForm } from '../../src/lib/form-page.js';
import { ConflictError, ValidationError } from '../../src/lib/errors.js';

function fakeResponse() {
  const seen: { status?: number; view?: string; locals?: Record<string, unknown> } = {};
  const res = {
    status(code: number) {
      seen.status = code;
      return res;
    },
    render(view: string, locals: Record<string, unknown>) {
      seen.view = view;
      seen.locals = locals;
    },
  };
  return { res: res as unknown as Response, seen };
}

describe('form pages', () => {
  it('shows a blank form at 200 with no messages', () => {
    const { res, seen } = fakeResponse();
    renderForm(res, 'users/form', { title: 'Add a user' });
    expect(seen).toEqual({
      status: 200,
      view: 'users/form',
      locals: { title: 'Add a user', error: null, fieldErrors: {} },
    });
  });

  it('shows a validation failure at 400 with the message beside each field', () => {
    const { res, seen } = fakeResponse();
    renderForm(
      res,
      'users/form',
      { title: 'Add a user' },
      new ValidationError('Please correct the highlighted fields.', { email: 'Enter an e-mail address.' }),
    );
    expect(seen.status).toBe(400);
    expect(seen.locals).toMatchObject({
      error: 'Please correct the highlighted fields.',
      fieldErrors: { email: 'Enter an e-mail address.' },
    });
  });

  it('shows other errors written for users at their own status, without field messages', () => {
    expect(formFailure(new ConflictError('Someone changed this row.'))).toEqual({
      status: 409,
      error: 'Someone changed this row.',
      fieldErrors: {},
    });
  });

  it('rethrows anything that is not meant for users, so a crash is never shown as a form message', () => {
    const { res } = fakeResponse();
    const crash = new TypeError('cannot read properties of undefined');
    expect(() => renderForm(res, 'users/form', {}, crash)).toThrow(crash);
  });
});
