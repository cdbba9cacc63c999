// One app instance's health poller for lib/health/leader.int.test.ts, in its own process,
// started exactly as lib/startup.ts starts it (getHealthPoller: PostgreSQL → advisory-lock
// leadership), so two instances share nothing but the database and one can be killed
// with SIGKILL or frozen with SIGSTOP. Its pino lines on stdout (LOG_LEVEL=debug) say when
// it gained or lost the leadership and when it ran a round. Prints {"ready": id} once
// started; SIGTERM stops it gracefully.
//   node --import tsx --conditions=react-server lib/health/test-support/poller-instance.ts
// Environment: DATABASE_URL, GATEWARDEN_HEALTH_INTERVAL_SECONDS, GATEWARDEN_TEST_INSTANCE.
import { getHealthPoller } from "@/lib/health/poller";

const instance = process.env.GATEWARDEN_TEST_INSTANCE ?? "instance";
const poller = getHealthPoller();

process.on("SIGTERM", () => {
  // A signal handler cannot wait: the process exits when stop() settles.
  void poller.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

poller.start(0);
process.stdout.write(`${JSON.stringify({ ready: instance })}\n`);
