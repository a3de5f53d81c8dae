// Multipart parsing for the import upload (a CSV or XLSX file), mounted before CSRF protection so the form's
// _csrf field is in req.body when csurf checks it, as the backup upload is (backup-upload.ts). multer streams
// the file to DATA_DIR/incoming with a size cap (a 60 MB file stops at the cap, never held in memory); the
// import service reads it from there and the file is removed when the response ends: imports keep no files.
// Uploads share the backup uploads' gate (uploads at once, server-wide and per person).
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import type { UploadGate } from '../features/backups/upload-gate.js';
import { MAX_UPLOAD_BYTES, UPLOAD_TOO_LARGE_MESSAGE } from '../features/imports/import-limits.js';
import { incomingStorage, takeUploadSlot } from './backup-upload.js';
import { ValidationError } from './errors.js';

/** Why the upload was refused while it was read (the route shows it on the form). */
export const uploadErrorOf = (req: Request): ValidationError | undefined =>
  (req as Request & { importUploadError?: ValidationError }).importUploadError;

/** POST /tables/:tableId/import */
export const IMPORT_UPLOAD_PATH = /^\/tables\/[^/]+\/import$/;

export function importUploadParser(deps: { incomingDir: string; gate: UploadGate }) {
  const parse = multer({
    storage: incomingStorage(deps.incomingDir, 'import'),
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 8, parts: 9, fieldSize: 4096 },
  }).single('file');

  return (req: Request, res: Response, next: NextFunction) => {
    const userId = req.session?.userId;
    if (req.method !== 'POST' || !IMPORT_UPLOAD_PATH.test(req.path) || userId === undefined) return next();
    if (!req.is('multipart/form-data')) return next();
    try {
      takeUploadSlot(req, res, deps.gate, userId);
    } catch (err) {
      return next(err);
    }
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        const message =
          err.code === 'LIMIT_FILE_SIZE' ? UPLOAD_TOO_LARGE_MESSAGE : `The upload was refused: ${err.message}.`;
        // Kept for the route, which shows the upload form again with the reason (after the CSRF check).
        (req as Request & { importUploadError?: ValidationError }).importUploadError = new ValidationError(message, {
          file: message,
        });
        return next();
      }
      next(err);
    });
  };
}
