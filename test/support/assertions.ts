// Shared by the tests: the UserError a promise rejects with (failing the test when it
// resolves, or rejects with anything else).
import * as assert from 'uvu/assert';
import { UserError } from '../../core/errors.ts';

export async function rejection(promise: Promise<unknown>, options: { oneLine?: boolean } = {}): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, UserError);
    if (options.oneLine) assert.not.match((error as UserError).message, '\n');
    return error as UserError;
  }
  throw new Error('expected a rejection');
}
