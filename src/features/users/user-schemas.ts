// Field rules shared by every form that creates a user or sets a password.
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../lib/password-policy.js';

const text = (label: string) => z.string({ error: `${label} is required.` });

export const emailField = text('Email')
  .trim()
  .min(1, 'Email is required.')
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.com.' }))
  .transform((v) => v.toLowerCase());

export const displayNameField = text('Display name')
  .trim()
  .min(1, 'Display name is required.')
  .max(100, 'Display name must be at most 100 characters.')
  .refine((v) => !/[\p{Cc}]/u.test(v), 'Display name must not contain control characters.');

export const newPasswordField = text('Password')
  .min(1, 'Password is required.')
  .max(PASSWORD_MAX_LENGTH * 4, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);

export const newAccountSchema = z
  .object({
    email: emailField,
    displayName: displayNameField,
    password: newPasswordField,
    passwordConfirm: text('Password confirmation'),
  })
  .refine((v) => v.password === v.passwordConfirm, {
    path: ['passwordConfirm'],
    message: 'The two passwords do not match.',
  });

export type NewAccountInput = z.infer<typeof newAccountSchema>;
