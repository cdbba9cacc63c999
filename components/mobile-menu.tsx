"use client";
// The main navigation on a phone: the sidebar folds into a "Menu" button in a top bar,
// and closes again when a link is followed.
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

export function MobileMenu({ children }: { children: React.ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [pathname]);
  return (
    <details ref={ref} className="relative" data-testid="mobile-menu">
      <summary className="cursor-pointer list-none rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-800">Menu</summary>
      <div className="absolute right-0 z-30 mt-2 w-60 rounded-md border border-slate-200 bg-white p-3 shadow-lg">{children}</div>
    </details>
  );
}
