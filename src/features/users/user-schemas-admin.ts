// Forms of the user administration pages and the account page.
import { z } from 'zod';
import { displayNameField, emailField, newPasswordField } from './user-schemas.js';

export const ROLES = ['ADMIN', 'USER'] as const;
const role = z.enum(ROLES, { error: 'Choose Admin or User.' });

export const createUserSchema = z
  .object({
    email: emailField,
    displayName: displayNameField,
    role,
    password: newPasswordField,
    passwordConfirm: z.string({ error: 'Confirm the password.' }),
  })
  .refine((v) => v.password === v.passwordConfirm, {
    path: ['passwordConfirm'],
    message: 'The two passwords do not match.',
  });

export const editUserSchema = z.object({ email: emailField, displayName: displayNameField, role });

export const resetPasswordSchema = z
  .object({ password: newPasswordField, passwordConfirm: z.string({ error: 'Confirm the password.' }) })
  .refine((v) => v.password === v.passwordConfirm, {
    path: ['passwordConfirm'],
    message: 'The two passwords do not match.',
  });

export const changeOwnPasswordSchema = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.'),
    password: newPasswordField,
    passwordConfirm: z.string({ error: 'Confirm the new password.' }),
    signOutOthers: z.enum(['on']).optional(),
  })
  .refine((v) => v.password === v.passwordConfirm, {
    path: ['passwordConfirm'],
    message: 'The two passwords do not match.',
  });
