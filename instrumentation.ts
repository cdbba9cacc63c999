// Next.js calls register() once per server process. Start-up work runs only in the
// Node runtime (not in the edge runtime, and not during `next build`). A server that
// cannot start (no public URL, an invalid setting, …) exits with the reason instead of answering 500s.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    try {
      const { onServerStart } = await import("@/lib/startup");
      await onServerStart();
    } catch (error) {
      // Next.js logs a failed hook and serves anyway (every request then fails): a server
      // that cannot start right, e.g. on an invalid setting, stops instead, saying why.
      console.error(`gatewarden: not starting. ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  }
}
