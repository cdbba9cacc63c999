// One Gatewarden job instance for lib/jobs/two-instances.int.test.ts: a PgBossJobQueue
// with the test job kinds, in its own process, so two instances share nothing but the
// database and one can be killed with SIGKILL mid-job. Prints {"ready": id} once it
// takes work; SIGTERM stops it gracefully.
//   node --import tsx --conditions=react-server lib/jobs/test-support/queue-instance.ts
// Environment: DATABASE_URL, GATEWARDEN_TEST_INSTANCE, GATEWARDEN_TEST_CONCURRENCY.
import { PgBossJobQueue } from "@/lib/jobs/pg-boss-queue";
import { testJobDefinitions } from "@/lib/jobs/test-support/test-job-kinds";

const instance = process.env.GATEWARDEN_TEST_INSTANCE ?? "instance";
const queue = new PgBossJobQueue({
  owner: instance,
  connectionString: process.env.DATABASE_URL!,
  concurrency: Number(process.env.GATEWARDEN_TEST_CONCURRENCY ?? 4),
  pollMs: 250,
  heartbeatMs: 400,
  staleMs: 2500,
  messageExpireSeconds: 2,
  maintenanceIntervalSeconds: 1,
  definitions: testJobDefinitions(instance),
});

process.on("SIGTERM", () => {
  // A signal handler cannot wait: the process exits when stop() settles.
  void queue.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

await queue.start();
process.stdout.write(`${JSON.stringify({ ready: instance })}\n`);
