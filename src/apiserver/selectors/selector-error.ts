/** A label or field selector that cannot be parsed; the message is upstream's wording. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}
