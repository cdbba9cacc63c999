// Delivers queued alert messages in the background, never inside a health round: the
// round only inserts delivery rows and kicks the dispatcher. Each attempt is claimed with
// a conditional write (lib/db/alerts claimDeliveryAttempt), so two instances never send
// the same attempt; a failure is retried with backoff (./retry.ts) and finally marked
// failed, with the reason in the delivery log.
import "server-only";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { decryptSecret } from "@/lib/secrets/envelope";
import {
  claimDeliveryAttempt,
  finishDeliveryAttempt,
  getDeliveryForSend,
  listDueDeliveryIds,
  nextPendingDeliveryAt,
} from "@/lib/db/alerts";
import { logger } from "@/lib/log/logger";
import { mapBounded } from "@/lib/jobs/concurrency";
import { parseStoredConfig } from "./channel-config";
import { afterFailure, DEFAULT_RETRY, type RetryPolicy } from "./retry";
import { DeliveryError, sendAlert } from "./send-alert";
import type { AlertMessage } from "./message";
import type { AlertNames } from "./conditions";

export type DispatcherOptions = { retry?: RetryPolicy; timeoutMs?: number; concurrency?: number };

export class AlertDispatcher {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private draining: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(opts: DispatcherOptions = {}) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.concurrency = opts.concurrency ?? 4;
  }

  /** Sends what is due, in the background; returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((e) => logger.error({ err: e }, "alert delivery failed"))
      .finally(() => {
        this.draining = null;
        if (!this.again) return;
        this.again = false;
        this.kick();
      });
  }

  /** For tests and shutdown: the current pass, if any. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await listDueDeliveryIds(new Date(), 50);
      if (!due.length) break;
      await mapBounded(due, this.concurrency, (d) => this.attempt(d.id, d.attempts));
    }
    const next = await nextPendingDeliveryAt();
    clearTimeout(this.timer);
    if (next && !this.stopped) {
      this.timer = setTimeout(() => this.kick(), Math.max(50, next.getTime() - Date.now()));
      this.timer.unref?.();
    }
  }

  private async attempt(id: string, attempts: number): Promise<void> {
    const now = new Date();
    if (!(await claimDeliveryAttempt(id, attempts, new Date(now.getTime() + this.timeoutMs * 2 + 5_000), now))) return;
    const d = await getDeliveryForSend(id);
    if (!d) return;
    const tried = attempts + 1;
    try {
      const channel = parseStoredConfig(d.channel.kind, d.channel.config);
      const secret = d.channel.secretEnc
        ? decryptSecret(d.channel.secretEnc, getKeyring(), secretPurpose.alertChannel(d.channel.id))
        : null;
      const a = d.alert;
      const message: AlertMessage = {
        event: d.event as "firing" | "resolved",
        deliveryId: d.id,
        alert: {
          id: a.id,
          rule: a.rule,
          subject: { type: a.subjectType, id: a.subjectId },
          title: a.title,
          state: a.state,
          reason: a.reason,
          names: JSON.parse(a.names) as AlertNames,
          since: a.since,
          firedAt: a.firedAt,
          resolvedAt: a.resolvedAt,
          link: a.link,
        },
      };
      await sendAlert(channel, secret, message, { timeoutMs: this.timeoutMs });
      await finishDeliveryAttempt(id, { status: "delivered" }, new Date());
      logger.info({ delivery: id, channel: d.channel.name, event: d.event, attempts: tried }, "alert delivered");
    } catch (e) {
      const error = e instanceof DeliveryError ? e.message : "internal error (see the server log)";
      if (!(e instanceof DeliveryError)) logger.error({ err: e, delivery: id }, "alert delivery error");
      const next = afterFailure(tried, this.retry, new Date());
      await finishDeliveryAttempt(id, next.status === "failed" ? { status: "failed", error } : { ...next, error }, new Date());
      logger.warn(
        { delivery: id, channel: d.channel.name, attempts: tried, error, gaveUp: next.status === "failed" },
        "alert delivery attempt failed",
      );
    }
  }
}
