// Multipart parsing for the one upload in the app (a backup file), mounted before CSRF protection so the
// form's _csrf field is in req.body when csurf checks it. multer (express's own multipart middleware) is
// used instead of hand-written parsing: it enforces size and count limits while streaming. The file stays
// in memory (bounded by MAX_BACKUP_BYTES) and is never written to disk unvalidated.
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { MAX_BACKUP_BYTES } from '../features/backups/backup-validation.js';
import { ValidationError } from './errors.js';

export const BACKUP_UPLOAD_PATH = '/backups/upload';

const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_BACKUP_BYTES, files: 1, fields: 5, parts: 6 } }).single('file');

export function backupUploadParser() {
  return (req: Request, res: Response, next: NextFunction) => {
    // Only signed-in sessions get their upload parsed; anything else falls through to CSRF/sign-in refusal.
    if (req.method !== 'POST' || req.path !== BACKUP_UPLOAD_PATH || req.session?.userId === undefined) return next();
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        const message = err.code === 'LIMIT_FILE_SIZE' ? `The backup file is larger than ${MAX_BACKUP_BYTES / 1048576} MB.` : `The upload was refused: ${err.message}.`;
        return next(new ValidationError(message, { file: message }));
      }
      next(err);
    });
  };
}
