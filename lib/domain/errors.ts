// Expected validation failures of domain values; the app turns these into field messages.

/** A value that cannot be used (e.g. malformed address). `field` names the form field, when known. */
export class DomainError extends Error {
  constructor(
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
