// Runs the alert rules after each scheduled health round. The poller calls it only on
// the instance that leads the health rounds (lib/health/leader), so one instance decides
// and fires; the alert rows hold the state machine's memory across restarts and
// leader changes. Deliveries go out in the background (./dispatcher.ts).
import "server-only";
import { getEnv } from "@/lib/config/env";
import { applyAlertSteps, closeAlertsOfDisabledRules, listEnabledRules, listOpenAlerts, loadAlertSnapshot } from "@/lib/db/alerts";
import { logger } from "@/lib/log/logger";
import { runScheduledRotation } from "@/lib/rotation/scheduled-rotation";
import { conditionsFor } from "./conditions";
import { stepAlerts } from "./evaluate-alerts";
import { AlertDispatcher } from "./dispatcher";
import type { AlertRuleKind } from "./rule-kinds";

export class AlertEngine {
  constructor(readonly dispatcher: AlertDispatcher) {}

  /** One evaluation of every enabled rule; returns how many messages it queued. Never throws into the poller. */
  async afterRound(now = new Date()): Promise<number> {
    let queued = 0;
    try {
      queued = await this.evaluate(now);
    } catch (e) {
      logger.error({ err: e }, "alert evaluation failed");
    }
    // Every round, not only when something was queued: retries due and deliveries left by a previous leader.
    this.dispatcher.kick();
    try {
      await runScheduledRotation(now);
    } catch (e) {
      logger.error({ err: e }, "scheduled PSK rotation failed");
    }
    return queued;
  }

  private async evaluate(now: Date): Promise<number> {
    await closeAlertsOfDisabledRules(now);
    const rules = await listEnabledRules();
    if (!rules.length) return 0;
    const [snapshot, open] = await Promise.all([loadAlertSnapshot(now), listOpenAlerts()]);
    const { web } = getEnv();
    const origin = web.ok ? web.origin : "";
    let queued = 0;
    for (const rule of rules) {
      const conditions = conditionsFor(
        { kind: rule.kind as AlertRuleKind, threshold: rule.threshold, createdAt: rule.createdAt },
        snapshot,
        now,
      );
      const steps = stepAlerts({ graceSeconds: rule.graceSeconds, conditions, open: open.filter((a) => a.ruleId === rule.id), now });
      queued += await applyAlertSteps(rule, steps, origin, now);
      for (const s of steps) {
        if (s.kind === "open" && s.fire) logger.warn({ rule: rule.name, title: s.condition.title }, "alert firing");
        else if (s.kind === "fire") logger.warn({ rule: rule.name, title: s.condition.title }, "alert firing");
        else if (s.kind === "resolve") logger.info({ rule: rule.name, alert: s.alertId }, "alert resolved");
      }
    }
    return queued;
  }
}

const globalForAlerts = globalThis as unknown as { gatewardenAlertEngine?: AlertEngine };

export function getAlertEngine(): AlertEngine {
  globalForAlerts.gatewardenAlertEngine ??= new AlertEngine(new AlertDispatcher());
  return globalForAlerts.gatewardenAlertEngine;
}
