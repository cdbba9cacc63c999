// Next.js calls register() once per server process. Start-up work runs only in the
// Node runtime (not in the edge runtime, and not during `next build`).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/startup");
    await onServerStart();
  }
}
