"use client";
// Light / dark / follow the system, remembered in this browser. The head script
// (lib/ui/theme.ts) applies the choice; this control stores it and tells the script.
import { useSyncExternalStore } from "react";
import { parseThemeChoice, THEME_CHOICES, THEME_EVENT, THEME_STORAGE_KEY, type Theme, type ThemeChoice } from "@/lib/ui/theme";

function subscribe(onChange: () => void) {
  // The head script updates <html data-theme…> on a choice or a system change.
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-theme-choice"] });
  return () => observer.disconnect();
}

/** The theme on screen now ("light" on the server, where there is no screen). */
export function useTheme(): Theme {
  return useSyncExternalStore(
    subscribe,
    () => (document.documentElement.dataset.theme === "dark" ? "dark" : "light"),
    () => "light",
  );
}

function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(
    subscribe,
    () => parseThemeChoice(document.documentElement.dataset.themeChoice),
    () => "system",
  );
}

const LABELS: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

export function ThemeToggle({ id }: { id: string }) {
  const choice = useThemeChoice();
  const choose = (value: ThemeChoice) => {
    try {
      if (value === "system") localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, value);
    } catch {
      // Storage refused (privacy mode): the choice lasts until the page is left.
      document.documentElement.dataset.theme = value === "dark" ? "dark" : "light";
    }
    window.dispatchEvent(new Event(THEME_EVENT));
  };
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-xs text-slate-500">
      Theme
      <select
        id={id}
        value={choice}
        onChange={(e) => choose(parseThemeChoice(e.target.value))}
        className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs text-slate-800"
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
