// One-shot messages shown on the next page (after a redirect), kept in the session.
import type { Request } from 'express';
import type { FlashMessage } from './session-types.js';

export function flash(req: Request, type: FlashMessage['type'], message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}

export function takeFlashes(req: Request): FlashMessage[] {
  const messages = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return messages;
}
