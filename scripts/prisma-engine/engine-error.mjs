// A user-facing schema-engine error: a Prisma error code (P1001, P1003, …) and a
// message, reported the way the native engine reports it (see prisma-schema-engine.mjs).
export class EngineError extends Error {
  constructor(code, message, meta = {}) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}
