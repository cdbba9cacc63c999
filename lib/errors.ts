// Expected failures, as typed errors that carry the message a user should see.
// Anything else is a bug: it is logged and shown as a generic error page.

export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly userMessage: string,
    public readonly fieldErrors: Record<string, string> = {},
  ) {
    super(userMessage);
    this.name = "AppError";
  }
}

export class ForbiddenError extends AppError {
  constructor(what = "do this") {
    super("forbidden", `Your role does not allow you to ${what}.`);
  }
}

export class UnauthenticatedError extends AppError {
  constructor() {
    super("unauthenticated", "Please sign in again.");
  }
}

/** Field errors from a failed check; `message` summarises them for the top of the form. */
export class ValidationError extends AppError {
  constructor(fieldErrors: Record<string, string>, message = "Please correct the highlighted fields.") {
    super("validation", message, fieldErrors);
  }
}
