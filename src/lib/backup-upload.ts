// Multipart parsing for the one upload in the app (a backup file), mounted before CSRF protection so the
// form's _csrf field is in req.body when csurf checks it. multer (express's own multipart middleware) is
// used instead of hand-written parsing: it enforces size and count limits while streaming. The file is
// streamed to a temporary file under DATA_DIR/incoming (never held in memory as it arrives), checked from
// there by the backup service, and either moved into DATA_DIR/backups or removed when the response ends.
// Before a byte is read, the upload takes a slot (uploads at once, server-wide and per person) and the
// person's quota is checked, so a refused upload costs neither memory nor disk.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { MAX_BACKUP_BYTES } from '../features/backups/backup-validation.js';
import type { UploadGate } from '../features/backups/upload-gate.js';
import { ValidationError } from './errors.js';

export const BACKUP_UPLOAD_PATH = '/backups/upload';

export interface BackupUploadDeps {
  /** Where uploads are written while they are checked (same file system as the backups, for a rename). */
  incomingDir: string;
  gate: UploadGate;
  /** Throws when the person may not upload another file now (their quota is full). */
  mayUpload(userId: number): Promise<void>;
}

/** Streams an upload to a temporary file in `dir` (created 0700), named `<uuid>.<suffix>`. */
export function incomingStorage(dir: string, suffix: string) {
  return multer.diskStorage({
    destination: (_req, _file, cb) => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      cb(null, dir);
    },
    filename: (_req, _file, cb) => cb(null, `${randomUUID()}.${suffix}`),
  });
}

/**
 * Takes one of the gate's upload slots for this request (throws when none is free). Whatever happens next
 * (refused, kept, client gone), the slot is freed and the temporary file removed once the response is over; a
 * kept file has been moved away by then.
 */
export function takeUploadSlot(req: Request, res: Response, gate: UploadGate, userId: number): void {
  const release = gate.enter(userId);
  res.on('close', () => {
    release();
    const file = (req as Request & { file?: { path?: string } }).file;
    if (file?.path) rmSync(file.path, { force: true });
  });
}

export function backupUploadParser(deps: BackupUploadDeps) {
  const parse = multer({
    storage: incomingStorage(deps.incomingDir, 'upload'),
    limits: { fileSize: MAX_BACKUP_BYTES, files: 1, fields: 5, parts: 6 },
  }).single('file');

  return (req: Request, res: Response, next: NextFunction) => {
    // Only signed-in sessions get their upload parsed; anything else falls through to CSRF/sign-in refusal.
    const userId = req.session?.userId;
    if (req.method !== 'POST' || req.path !== BACKUP_UPLOAD_PATH || userId === undefined) return next();
    try {
      takeUploadSlot(req, res, deps.gate, userId);
    } catch (err) {
      return next(err);
    }
    deps.mayUpload(userId).then(
      () =>
        parse(req, res, (err: unknown) => {
          if (err instanceof multer.MulterError) {
            const message =
              err.code === 'LIMIT_FILE_SIZE'
                ? `The backup file is larger than ${MAX_BACKUP_BYTES / 1048576} MB.`
                : `The upload was refused: ${err.message}.`;
            return next(new ValidationError(message, { file: message }));
          }
          next(err);
        }),
      next,
    );
  };
}
