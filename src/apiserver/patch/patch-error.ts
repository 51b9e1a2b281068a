/**
 * The error every patch function throws for a patch it cannot apply.
 * `code` is the HTTP status upstream answers with for the same failure:
 * 400 for malformed patch documents, 422 for JSON-patch operations that do not
 * apply, 500 where upstream surfaces a plain Go error (e.g. a strategic merge
 * list item without its merge key), so kubectl shows the same error class.
 */
export class PatchError extends Error {
  readonly code: 400 | 422 | 500;
  constructor(message: string, code: 400 | 422 | 500 = 422) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}
