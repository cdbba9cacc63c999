"use client";
// Keeps a page's health current without a reload: asks /api/health every few seconds
// when the newest sample was stored, and re-renders the page (router.refresh) when it moved.
import { useEffect } from "react";
import { useRouter } from "next/navigation";

export function LiveHealth({ tunnelId, everyMs = 3000 }: { tunnelId?: string; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    let stamp: string | null | undefined;
    let stopped = false;
    const url = `/api/health${tunnelId ? `?tunnel=${encodeURIComponent(tunnelId)}` : ""}`;
    const tick = async () => {
      try {
        const res = await fetch(url, { cache: "no-store" });
        if (res.ok) {
          const data = (await res.json()) as { stamp: string | null };
          if (!stopped && stamp !== undefined && data.stamp !== stamp) router.refresh();
          stamp = data.stamp;
        }
      } catch {
        // a missed poll is retried
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [router, tunnelId, everyMs]);
  return null;
}
