// Next.js calls register() once per server process. Start-up work runs only in the
// Node runtime (not in the edge runtime, and not during `next build`). A server that
// cannot start (no public URL, …) exits with the reason instead of answering 500s.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/startup");
    try {
      await onServerStart();
    } catch (e) {
      console.error(`gatewarden: not starting. ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  }
}
